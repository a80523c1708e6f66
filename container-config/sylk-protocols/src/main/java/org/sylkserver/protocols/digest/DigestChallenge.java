package org.sylkserver.protocols.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * A digest authentication challenge from a {@code WWW-Authenticate} or {@code Proxy-Authenticate} header (RFC 3261
 * §22.4, RFC 2617 §3.2.1, RFC 7616 §3.3), and the credentials that answer it (RFC 2617 §3.2.2).
 *
 * <p>Written by hand because the clients need to answer from the HA1 alone (the sylkRTC API gives the server
 * {@code MD5(user:realm:password)}, never the password, spec §4.5.2), which neither the SIP Servlet API's
 * {@code AuthInfo} nor the HTTP client libraries on Maven Central accept. MD5 only, as SIP deployments use; a
 * challenge for another algorithm is refused.
 *
 * @param scheme    the scheme, {@code Digest}
 * @param realm     the protection space
 * @param nonce     the server's nonce
 * @param opaque    echoed back unchanged, or {@code null}
 * @param algorithm {@code MD5} (the default when absent)
 * @param qopAuth   whether the server offers {@code qop=auth} (then the client must use it, RFC 2617 §3.2.2)
 * @param stale     whether the previous credentials were right but the nonce had expired (retry with this one)
 */
public record DigestChallenge(String scheme, String realm, String nonce, String opaque, String algorithm,
                              boolean qopAuth, boolean stale) {

    /**
     * Parses a challenge header value such as
     * {@code Digest realm="example.com", nonce="abc", qop="auth", algorithm=MD5}.
     *
     * @throws IllegalArgumentException if it is not a Digest challenge with a realm and a nonce
     */
    public static DigestChallenge parse(String header) {
        if (header == null) {
            throw new IllegalArgumentException("no authentication challenge");
        }
        String text = header.trim();
        int space = text.indexOf(' ');
        String scheme = space < 0 ? text : text.substring(0, space);
        if (!scheme.equalsIgnoreCase("Digest")) {
            throw new IllegalArgumentException("not a Digest challenge: " + header);
        }
        Map<String, String> params = parameters(text.substring(space + 1));
        String realm = params.get("realm");
        String nonce = params.get("nonce");
        if (realm == null || nonce == null) {
            throw new IllegalArgumentException("Digest challenge without realm or nonce: " + header);
        }
        String algorithm = params.getOrDefault("algorithm", "MD5");
        if (!algorithm.equalsIgnoreCase("MD5")) {
            throw new IllegalArgumentException("unsupported digest algorithm " + algorithm + " in: " + header);
        }
        boolean qopAuth = false;
        String qop = params.get("qop");
        if (qop != null) {
            for (String option : qop.split(",")) {
                qopAuth |= option.trim().equalsIgnoreCase("auth");
            }
            if (!qopAuth) {
                throw new IllegalArgumentException("unsupported qop " + qop + " in: " + header);
            }
        }
        return new DigestChallenge(scheme, realm, nonce, params.get("opaque"), algorithm, qopAuth,
                "true".equalsIgnoreCase(params.get("stale")));
    }

    /**
     * The {@code Authorization} (or {@code Proxy-Authorization}) header value answering this challenge.
     *
     * @param username   the user name the HA1 was computed with
     * @param ha1        {@code MD5(username:realm:password)}, lower-case hex
     * @param method     the request's method, e.g. {@code REGISTER}
     * @param digestUri  the request's Request-URI as a string
     * @param cnonce     the client nonce (only used with qop)
     * @param nonceCount how many requests this nonce has answered, 1 for the first (only used with qop)
     */
    public String authorization(String username, String ha1, String method, String digestUri, String cnonce,
                                int nonceCount) {
        String ha2 = md5(method + ":" + digestUri);
        String nc = String.format(Locale.ROOT, "%08x", nonceCount);
        String response = qopAuth
                ? md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
                : md5(ha1 + ":" + nonce + ":" + ha2);
        StringBuilder header = new StringBuilder("Digest username=\"").append(quoted(username))
                .append("\", realm=\"").append(quoted(realm))
                .append("\", nonce=\"").append(quoted(nonce))
                .append("\", uri=\"").append(quoted(digestUri))
                .append("\", response=\"").append(response)
                .append("\", algorithm=MD5");
        if (qopAuth) {
            header.append(", qop=auth, nc=").append(nc).append(", cnonce=\"").append(quoted(cnonce)).append('"');
        }
        if (opaque != null) {
            header.append(", opaque=\"").append(quoted(opaque)).append('"');
        }
        return header.toString();
    }

    /** {@code MD5(username:realm:password)} in lower-case hex: what a client computes from its password. */
    public static String ha1(String username, String realm, String password) {
        return md5(username + ":" + realm + ":" + password);
    }

    static String md5(String text) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
    }

    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** RFC 2617 §1.2 auth-params: comma-separated {@code name=token} or {@code name="quoted string"}. */
    private static Map<String, String> parameters(String text) {
        Map<String, String> params = new HashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && (text.charAt(i) == ',' || Character.isWhitespace(text.charAt(i)))) {
                i++;
            }
            int nameStart = i;
            while (i < n && text.charAt(i) != '=' && text.charAt(i) != ',') {
                i++;
            }
            String name = text.substring(nameStart, i).trim().toLowerCase(Locale.ROOT);
            if (i >= n || text.charAt(i) != '=') {
                continue;
            }
            i++;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                i++;
                while (i < n && text.charAt(i) != '"') {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = text.charAt(i++);
                    }
                    value.append(c);
                }
                if (i >= n) {
                    throw new IllegalArgumentException("unterminated quoted string in challenge: " + text);
                }
                i++;
            } else {
                while (i < n && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            if (!name.isEmpty()) {
                params.put(name, value.toString().trim());
            }
        }
        return params;
    }
}
