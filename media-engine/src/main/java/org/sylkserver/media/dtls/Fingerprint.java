package org.sylkserver.media.dtls;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.TlsFatalAlert;
import org.sylkserver.protocols.sdp.SdpException;

/**
 * A certificate fingerprint as SDP's {@code a=fingerprint} (RFC 8122 §5) and Jingle's {@code <fingerprint/>}
 * (XEP-0320 §1) carry it: a hash function name and the hash of the DER certificate as upper-case hex byte pairs
 * separated by colons. The SHA-2 functions {@code sha-256} (which RFC 8122 §5 makes mandatory, and what browsers and
 * XMPP clients send), {@code sha-384} and {@code sha-512} are read; ours are written with {@code sha-256}. Others
 * ({@code sha-1}, {@code md5}, unknown names) are refused: a fingerprint we cannot check authenticates nothing.
 *
 * @param algorithm hash function name in lower case ({@code sha-256})
 * @param hash      the hash
 */
public record Fingerprint(String algorithm, byte[] hash) {

    private static final Pattern HEX_PAIRS = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*");
    /** RFC 8122 §5 hash function names (the IANA "Hash Function Textual Names") we check, with their Java names. */
    private static final Map<String, String> DIGESTS = Map.of("sha-256", "SHA-256", "sha-384", "SHA-384",
            "sha-512", "SHA-512");

    static Fingerprint sha256(byte[] der) {
        return new Fingerprint("sha-256", digest("sha-256", der));
    }

    private static byte[] digest(String algorithm, byte[] der) {
        try {
            return MessageDigest.getInstance(DIGESTS.get(algorithm)).digest(der);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has the SHA-2 digests", e);
        }
    }

    /**
     * Parses the SDP attribute value {@code <hash-func> SP <fingerprint>}.
     *
     * @throws SdpException when malformed or of a hash function we do not check
     */
    public static Fingerprint parse(String value) throws SdpException {
        String[] parts = value.trim().split("\\s+");
        if (parts.length != 2) {
            throw new SdpException("malformed a=fingerprint '" + value
                    + "' (RFC 8122 §5: '<hash-func> <hex:hex:...>')");
        }
        return of(parts[0], parts[1]);
    }

    /**
     * A fingerprint from its two parts, as Jingle carries them (XEP-0320 §1: the {@code hash} attribute and the
     * element's text, surrounding white space ignored).
     *
     * @throws SdpException when the hex pairs are malformed, the hash function is not one we check, or the length is
     *                      not that function's
     */
    public static Fingerprint of(String hashFunction, String hexPairs) throws SdpException {
        String algorithm = hashFunction.trim().toLowerCase(Locale.ROOT);
        String hex = hexPairs.trim();
        if (!HEX_PAIRS.matcher(hex).matches()) {
            throw new SdpException("malformed fingerprint '" + hexPairs + "' (RFC 8122 §5: hex pairs joined by ':')");
        }
        if (!DIGESTS.containsKey(algorithm)) {
            throw new SdpException("unsupported fingerprint hash function '" + hashFunction + "' (only "
                    + String.join(", ", DIGESTS.keySet().stream().sorted().toList()) + ")");
        }
        byte[] hash = HexFormat.of().parseHex(hex.replace(":", ""));
        int expected = digest(algorithm, new byte[0]).length;
        if (hash.length != expected) {
            throw new SdpException("a " + algorithm + " fingerprint has " + hash.length + " bytes instead of "
                    + expected);
        }
        return new Fingerprint(algorithm, hash);
    }

    /**
     * Checks the peer's certificate chain of a DTLS handshake against this fingerprint (RFC 5763 §5: the certificate
     * is self-signed, the signalled fingerprint is what authenticates it); {@code peer} names the peer's role in the
     * alert ("client", "server").
     *
     * @throws TlsFatalAlert {@code handshake_failure} without a certificate, {@code bad_certificate} on a mismatch
     */
    void check(Certificate chain, String peer) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "the DTLS " + peer + " sent no certificate");
        }
        if (!matches(chain.getCertificateAt(0).getEncoded())) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate,
                    "the DTLS " + peer + "'s certificate does not match the fingerprint it signalled");
        }
    }

    /** Whether {@code der} is the certificate this fingerprint names (compared in constant time). */
    public boolean matches(byte[] der) {
        return MessageDigest.isEqual(digest(algorithm, der), hash);
    }

    /** The hash as RFC 8122 §5 writes it: upper-case hex pairs joined by colons. */
    public String hexPairs() {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(hash);
    }

    /** The attribute value, e.g. {@code sha-256 AB:CD:...}. */
    @Override
    public String toString() {
        return algorithm + " " + hexPairs();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint other && algorithm.equals(other.algorithm)
                && MessageDigest.isEqual(hash, other.hash);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(hash);
    }
}
