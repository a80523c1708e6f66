package org.sylkserver.media.srtp;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code a=crypto} attribute of SDP Security Descriptions (RFC 4568) for SRTP: the keys one side uses to protect
 * what it sends. The offerer's line keys the offerer's outgoing media and the answerer's line its own (RFC 4568 §5.1),
 * so a session needs a {@link SrtpTransformer#forReceiving} from the peer's line and a
 * {@link SrtpTransformer#forSending} from ours.
 *
 * <p>Supported: the suites of {@link CryptoSuite} with exactly one {@code inline:} key without MKI, an optional
 * lifetime (kept and written back, not enforced: the transformer never rekeys), and the {@code WSH} session parameter
 * (a window size hint, RFC 4568 §6.3). Anything else that is well formed raises {@link UnsupportedCryptoAttributeException}, so
 * an answerer can skip the line and take the next one.
 *
 * <p>The key arrays are copied in and out, so that the record stays immutable; {@link #toString()} does not print
 * them, so that keys do not end up in logs.
 *
 * @param tag           the line's tag, 0 to 999999999 (RFC 4568 §4: the answer repeats the accepted offer's tag)
 * @param suite         crypto suite
 * @param masterKey     16-byte master key (RFC 3711 §3.2.1)
 * @param masterSalt    14-byte master salt
 * @param lifetime      master key lifetime in packets as written ({@code 2^20} or {@code 1048576}), or empty
 * @param sessionParams session parameters as written, in order ({@code WSH=n} only), or empty
 */
public record SdesCrypto(int tag, CryptoSuite suite, byte[] masterKey, byte[] masterSalt, String lifetime,
                         List<String> sessionParams) {

    /** RFC 4568 §9.1: {@code tag = 1*9DIGIT}. */
    private static final Pattern TAG = Pattern.compile("[0-9]{1,9}");
    /** RFC 4568 §9.1: {@code crypto-suite = 1*(ALPHA / DIGIT / "_")}. */
    private static final Pattern SUITE = Pattern.compile("[A-Za-z0-9_]+");
    /** RFC 4568 §9.2: {@code lifetime = ["2^"] 1*(DIGIT)}. */
    private static final Pattern LIFETIME = Pattern.compile("(2\\^)?[0-9]+");
    /** RFC 4568 §9.2: {@code mki = mki-value ":" mki-length}, {@code mki-value = 1*DIGIT}, {@code mki-length = 1*3DIGIT}. */
    private static final Pattern MKI = Pattern.compile("[0-9]+:[0-9]{1,3}");
    /** RFC 4568 §6.3: {@code WSH=} followed by the replay window size hint. */
    private static final Pattern WSH = Pattern.compile("WSH=([0-9]{1,9})");
    /** RFC 4568 §9.1: {@code session-param = 1*(VCHAR)}. */
    private static final Pattern VCHARS = Pattern.compile("[\\x21-\\x7e]+");
    /** The most packets one master key may protect for SRTP: 2^48 (RFC 3711 §3.2.1, RFC 4568 §6.1). */
    private static final int MAX_LIFETIME_EXPONENT = 48;

    /** Validates lengths and copies the arrays and the list. */
    public SdesCrypto {
        if (tag < 0 || tag > 999_999_999) {
            throw new MalformedCryptoAttributeException("bad tag " + tag + ": RFC 4568 §9.1 allows 1 to 9 digits");
        }
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(masterKey, "masterKey");
        Objects.requireNonNull(masterSalt, "masterSalt");
        if (masterKey.length != CryptoSuite.MASTER_KEY_LENGTH) {
            throw new MalformedCryptoAttributeException("master key is " + masterKey.length + " bytes, " + suite
                    + " needs " + CryptoSuite.MASTER_KEY_LENGTH);
        }
        if (masterSalt.length != CryptoSuite.MASTER_SALT_LENGTH) {
            throw new MalformedCryptoAttributeException("master salt is " + masterSalt.length + " bytes, " + suite
                    + " needs " + CryptoSuite.MASTER_SALT_LENGTH);
        }
        lifetime = Objects.requireNonNull(lifetime, "lifetime");
        if (!lifetime.isEmpty()) {
            checkLifetime(lifetime);
        }
        sessionParams = List.copyOf(sessionParams);
        masterKey = masterKey.clone();
        masterSalt = masterSalt.clone();
    }

    /** A copy of the master key. */
    @Override
    public byte[] masterKey() {
        return masterKey.clone();
    }

    /** A copy of the master salt. */
    @Override
    public byte[] masterSalt() {
        return masterSalt.clone();
    }

    /**
     * Fresh keys for our side of a session: master key and salt from {@code random} (RFC 4568 §6.1 and RFC 3711
     * §8.1 ask for cryptographically random keys, hence the {@link SecureRandom}), no lifetime, no parameters.
     */
    public static SdesCrypto generate(int tag, CryptoSuite suite, SecureRandom random) {
        byte[] key = new byte[CryptoSuite.MASTER_KEY_LENGTH];
        byte[] salt = new byte[CryptoSuite.MASTER_SALT_LENGTH];
        random.nextBytes(key);
        random.nextBytes(salt);
        try {
            return new SdesCrypto(tag, suite, key, salt, "", List.of());
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(salt, (byte) 0);
        }
    }

    /**
     * Parses the value of an {@code a=crypto:} attribute (what follows the colon), RFC 4568 §9:
     * {@code <tag> 1*WSP <crypto-suite> 1*WSP inline:<base64 key||salt>[|<lifetime>][|<mki>:<length>] *(1*WSP
     * <session-param>)}.
     *
     * @throws UnsupportedCryptoAttributeException the line is well formed but uses an unknown suite, an MKI, several
     *                                             keys or an unsupported session parameter: skip it
     * @throws MalformedCryptoAttributeException   the line is broken: missing parts, a bad tag, a key method other
     *                                             than {@code inline}, bad base64, a key of the wrong length
     */
    public static SdesCrypto parse(String value) {
        if (value == null) {
            throw new MalformedCryptoAttributeException("missing a=crypto value");
        }
        String[] fields = value.strip().split("[ \t]+");
        if (fields.length < 3 || fields[0].isEmpty()) {
            throw new MalformedCryptoAttributeException("a=crypto value '" + value
                    + "' needs a tag, a crypto suite and key parameters (RFC 4568 §9.1)");
        }
        if (!TAG.matcher(fields[0]).matches()) {
            throw new MalformedCryptoAttributeException("bad tag '" + fields[0]
                    + "': RFC 4568 §9.1 allows 1 to 9 digits");
        }
        int tag = Integer.parseInt(fields[0]);
        String suiteName = fields[1];
        if (!SUITE.matcher(suiteName).matches()) {
            throw new MalformedCryptoAttributeException("bad crypto suite '" + suiteName
                    + "': RFC 4568 §9.1 allows letters, digits and '_'");
        }
        CryptoSuite suite = CryptoSuite.fromName(suiteName).orElseThrow(() ->
                new UnsupportedCryptoAttributeException(tag, suiteName, "unknown crypto suite '" + suiteName
                        + "' in a=crypto tag " + tag + ": supported are AES_CM_128_HMAC_SHA1_80 and "
                        + "AES_CM_128_HMAC_SHA1_32"));

        String[] keyParams = fields[2].split(";", -1);
        for (String keyParam : keyParams) {
            // RFC 4568 §6.1: "inline" is the only key method defined for SRTP; ABNF literals ignore case.
            if (!keyParam.regionMatches(true, 0, "inline:", 0, 7)) {
                throw new MalformedCryptoAttributeException("key parameter '" + abbreviate(keyParam)
                        + "' does not start with 'inline:' (RFC 4568 §6.1)");
            }
        }
        if (keyParams.length != 1) {
            throw new UnsupportedCryptoAttributeException(tag, suiteName, keyParams.length
                    + " keys in a=crypto tag " + tag + ": only a single inline key without MKI is supported");
        }
        String[] keyInfo = keyParams[0].substring(7).split("\\|", -1);
        if (keyInfo.length > 3) {
            throw new MalformedCryptoAttributeException("key info has " + keyInfo.length
                    + " '|'-separated parts, RFC 4568 §9.2 allows key-salt, lifetime and MKI");
        }
        byte[] keySalt = decodeKeySalt(keyInfo[0], suite);
        String lifetime = "";
        String mki = null;
        for (int i = 1; i < keyInfo.length; i++) {
            String part = keyInfo[i];
            if (MKI.matcher(part).matches() && (i == keyInfo.length - 1)) {
                mki = part;
            } else if (LIFETIME.matcher(part).matches() && i == 1) {
                lifetime = part;
                checkLifetime(lifetime);
            } else {
                throw new MalformedCryptoAttributeException("bad " + (i == 1 && keyInfo.length == 3 ? "lifetime"
                        : "lifetime or MKI") + " '" + part + "' (RFC 4568 §9.2: [2^]digits, then digits:length)");
            }
        }
        if (mki != null) {
            int mkiLength = Integer.parseInt(mki.substring(mki.indexOf(':') + 1));
            if (mkiLength < 1 || mkiLength > 128) {
                throw new MalformedCryptoAttributeException("bad MKI length in '" + mki
                        + "': RFC 4568 §6.1 allows 1 to 128 bytes");
            }
            throw new UnsupportedCryptoAttributeException(tag, suiteName, "MKI '" + mki + "' in a=crypto tag " + tag
                    + ": only a single inline key without MKI is supported");
        }

        List<String> sessionParams = new ArrayList<>();
        for (int i = 3; i < fields.length; i++) {
            String param = fields[i];
            if (!VCHARS.matcher(param).matches()) {
                throw new MalformedCryptoAttributeException("bad session parameter '" + param + "' (RFC 4568 §9.1)");
            }
            var wsh = WSH.matcher(param);
            if (!wsh.matches()) {
                // KDR, UNENCRYPTED_*, UNAUTHENTICATED_SRTP and FEC_* (RFC 4568 §6.3) change how packets are
                // protected, and unknown parameters may; honouring them by ignoring them would break the media.
                throw new UnsupportedCryptoAttributeException(tag, suiteName, "session parameter '" + param
                        + "' in a=crypto tag " + tag + " is not supported (only WSH)");
            }
            if (Integer.parseInt(wsh.group(1)) < 64) {
                throw new MalformedCryptoAttributeException("bad session parameter '" + param
                        + "': RFC 3711 §3.3.2 requires a replay window of at least 64");
            }
            sessionParams.add(param);
        }
        try {
            return new SdesCrypto(tag, suite, Arrays.copyOfRange(keySalt, 0, CryptoSuite.MASTER_KEY_LENGTH),
                    Arrays.copyOfRange(keySalt, CryptoSuite.MASTER_KEY_LENGTH, keySalt.length), lifetime,
                    sessionParams);
        } finally {
            Arrays.fill(keySalt, (byte) 0);
        }
    }

    /**
     * This line as the value of an {@code a=crypto:} attribute, in the syntax {@link #parse} reads: the suite in its
     * canonical spelling, key and salt as padded base64 (RFC 4568 §6.1 refers to RFC 3548 §3).
     */
    public String format() {
        byte[] keySalt = new byte[masterKey.length + masterSalt.length];
        System.arraycopy(masterKey, 0, keySalt, 0, masterKey.length);
        System.arraycopy(masterSalt, 0, keySalt, masterKey.length, masterSalt.length);
        StringBuilder line = new StringBuilder().append(tag).append(' ').append(suite.name()).append(" inline:")
                .append(Base64.getEncoder().encodeToString(keySalt));
        Arrays.fill(keySalt, (byte) 0);
        if (!lifetime.isEmpty()) {
            line.append('|').append(lifetime);
        }
        for (String param : sessionParams) {
            line.append(' ').append(param);
        }
        return line.toString();
    }

    /** Compares keys by content (a record compares arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof SdesCrypto other && tag == other.tag && suite == other.suite
                && Arrays.equals(masterKey, other.masterKey) && Arrays.equals(masterSalt, other.masterSalt)
                && lifetime.equals(other.lifetime) && sessionParams.equals(other.sessionParams);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tag, suite, Arrays.hashCode(masterKey), Arrays.hashCode(masterSalt), lifetime,
                sessionParams);
    }

    /** Without the key and salt, which must not reach logs. */
    @Override
    public String toString() {
        return "SdesCrypto[tag=" + tag + ", suite=" + suite + ", key=(hidden), lifetime=" + lifetime
                + ", sessionParams=" + sessionParams + "]";
    }

    private static byte[] decodeKeySalt(String base64, CryptoSuite suite) {
        if (base64.isEmpty()) {
            throw new MalformedCryptoAttributeException("empty key after 'inline:' (RFC 4568 §6.1)");
        }
        byte[] keySalt;
        try {
            keySalt = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            // The decoder's message names the bad character or the bad length, not the key.
            throw new MalformedCryptoAttributeException("bad base64 in inline key (RFC 4568 §6.1): "
                    + e.getMessage(), e);
        }
        if (keySalt.length != suite.keySaltLength()) {
            int length = keySalt.length;
            Arrays.fill(keySalt, (byte) 0);
            throw new MalformedCryptoAttributeException("wrong key length: inline key and salt decode to " + length
                    + " bytes, " + suite + " needs " + suite.keySaltLength() + " (16-byte key, 14-byte salt)");
        }
        return keySalt;
    }

    private static void checkLifetime(String lifetime) {
        if (!LIFETIME.matcher(lifetime).matches()) {
            throw new MalformedCryptoAttributeException("bad lifetime '" + lifetime
                    + "' (RFC 4568 §9.2: [2^]digits)");
        }
        boolean power = lifetime.startsWith("2^");
        String digits = power ? lifetime.substring(2) : lifetime;
        // Beyond 2^48 packets (RFC 3711 §3.2.1) the line is invalid; the length check keeps parseLong in range.
        boolean valid = digits.length() <= 15 && (power ? Long.parseLong(digits) <= MAX_LIFETIME_EXPONENT
                : Long.parseLong(digits) >= 1 && Long.parseLong(digits) <= (1L << MAX_LIFETIME_EXPONENT));
        if (!valid) {
            throw new MalformedCryptoAttributeException("bad lifetime '" + lifetime
                    + "': SRTP allows at most 2^48 packets per master key (RFC 3711 §3.2.1)");
        }
    }

    private static String abbreviate(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int colon = lower.indexOf(':');
        // Print the key method, not the key.
        return colon >= 0 ? text.substring(0, colon + 1) + "..." : text.length() > 12 ? text.substring(0, 12) + "..."
                : text;
    }
}
