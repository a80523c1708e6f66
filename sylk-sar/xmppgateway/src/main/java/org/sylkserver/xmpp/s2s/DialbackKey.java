package org.sylkserver.xmpp.s2s;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Dialback keys (XEP-0220 §4.4.1, the recommended method): {@code HMAC-SHA256(SHA256(secret), receiving + ' ' +
 * originating + ' ' + stream id)}, lower-case hex. One random secret per process (as the original), so keys are
 * checked by the process that made them.
 */
public final class DialbackKey {

    private final byte[] hashedSecret;

    /** A generator with a fresh random secret. */
    public DialbackKey() {
        this(randomSecret());
    }

    /** A generator with a given secret (the XEP's example in the tests). */
    public DialbackKey(String secret) {
        try {
            String hex = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
            // the XEP feeds the hex digest, not the raw bytes, to HMAC as its key (§4.4.1, example 20)
            this.hashedSecret = hex.getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }

    /** The key the originating server sends in {@code <db:result>} and the authoritative server checks. */
    public String key(String receivingServer, String originatingServer, String streamId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hashedSecret, "HmacSHA256"));
            byte[] digest = mac.doFinal((receivingServer + " " + originatingServer + " " + streamId)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 missing", e);
        }
    }

    /** Whether {@code key} is the one this process made for the three values (constant time). */
    public boolean verify(String receivingServer, String originatingServer, String streamId, String key) {
        byte[] expected = key(receivingServer, originatingServer, streamId).getBytes(StandardCharsets.US_ASCII);
        return key != null && MessageDigest.isEqual(expected, key.strip().getBytes(StandardCharsets.US_ASCII));
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
