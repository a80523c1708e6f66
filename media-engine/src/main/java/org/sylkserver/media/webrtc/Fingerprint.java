package org.sylkserver.media.webrtc;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

import org.sylkserver.protocols.sdp.SdpException;

/**
 * The value of an {@code a=fingerprint} attribute (RFC 8122 §5): a hash function name and the hash of the DER
 * certificate as upper-case hex byte pairs separated by colons. Only {@code sha-256} is read and written: it is what
 * browsers send and RFC 8122 §5 makes SHA-256 the one to use.
 *
 * @param algorithm hash function name in lower case ({@code sha-256})
 * @param hash      the hash
 */
record Fingerprint(String algorithm, byte[] hash) {

    private static final Pattern HEX_PAIRS = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*");

    static Fingerprint sha256(byte[] der) {
        try {
            return new Fingerprint("sha-256", MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Parses {@code <hash-func> SP <fingerprint>}.
     *
     * @throws SdpException when malformed or not sha-256 of 32 bytes
     */
    static Fingerprint parse(String value) throws SdpException {
        String[] parts = value.trim().split("\\s+");
        if (parts.length != 2 || !HEX_PAIRS.matcher(parts[1]).matches()) {
            throw new SdpException("malformed a=fingerprint '" + value + "' (RFC 8122 §5: '<hash-func> <hex:hex:...>')");
        }
        String algorithm = parts[0].toLowerCase(Locale.ROOT);
        if (!algorithm.equals("sha-256")) {
            throw new SdpException("unsupported a=fingerprint hash function '" + parts[0] + "' (only sha-256)");
        }
        byte[] hash = HexFormat.of().parseHex(parts[1].replace(":", ""));
        if (hash.length != 32) {
            throw new SdpException("a=fingerprint sha-256 has " + hash.length + " bytes instead of 32");
        }
        return new Fingerprint(algorithm, hash);
    }

    /** Whether {@code der} is the certificate this fingerprint names (compared in constant time). */
    boolean matches(byte[] der) {
        return MessageDigest.isEqual(sha256(der).hash, hash);
    }

    /** The attribute value, e.g. {@code sha-256 AB:CD:...}. */
    @Override
    public String toString() {
        return algorithm + " " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(hash);
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
