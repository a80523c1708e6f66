package org.sylkserver.protocols.msrp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code WWW-Authenticate: Digest ...} challenge (RFC 2617 §3.2.1, as RFC 4976 §7.1 uses it for AUTH) and the
 * {@code Authorization} answering it (§3.2.2): MD5, with {@code qop=auth} when the challenge offers it.
 *
 * @param realm     the realm, shown to users and part of the hashed secret
 * @param nonce     the server's nonce
 * @param opaque    returned unchanged, or null
 * @param qopAuth   true when the challenge offers {@code qop=auth}
 */
public record DigestChallenge(String realm, String nonce, String opaque, boolean qopAuth) {

    /** Parses a challenge; only Digest with MD5 is accepted. */
    public static DigestChallenge parse(String header) throws MalformedMsrpException {
        String text = header.strip();
        if (!text.regionMatches(true, 0, "Digest ", 0, 7)) {
            throw new MalformedMsrpException("challenge " + Syntax.show(header) + " is not Digest (RFC 4976 §7.1)");
        }
        Map<String, String> params = params(text.substring(7), header);
        String algorithm = params.getOrDefault("algorithm", "MD5");
        if (!algorithm.equalsIgnoreCase("MD5")) {
            throw new MalformedMsrpException("challenge algorithm " + Syntax.show(algorithm) + " is not supported"
                    + " (MD5 only, RFC 4976 §7.1)");
        }
        if (!params.containsKey("realm") || !params.containsKey("nonce")) {
            throw new MalformedMsrpException("challenge " + Syntax.show(header) + " lacks realm or nonce");
        }
        String qop = params.get("qop");
        boolean auth = false;
        if (qop != null) {
            for (String option : qop.split(",")) {
                auth |= option.strip().equalsIgnoreCase("auth");
            }
            if (!auth) {
                throw new MalformedMsrpException("challenge qop " + Syntax.show(qop) + " does not offer 'auth'");
            }
        }
        return new DigestChallenge(params.get("realm"), params.get("nonce"), params.get("opaque"), auth);
    }

    /** {@code name=token} or {@code name="quoted string"}, separated by commas. */
    private static Map<String, String> params(String text, String header) throws MalformedMsrpException {
        Map<String, String> params = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == ',' || text.charAt(i) == '\t')) {
                i++;
            }
            if (i == text.length()) {
                break;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                throw new MalformedMsrpException("bad challenge " + Syntax.show(header) + ": expected name=value");
            }
            String name = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            StringBuilder value = new StringBuilder();
            i = eq + 1;
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                if (i == text.length()) {
                    throw new MalformedMsrpException("bad challenge " + Syntax.show(header) + ": unclosed quote");
                }
                i++;
            } else {
                while (i < text.length() && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            params.put(name, value.toString().strip());
        }
        return params;
    }

    /**
     * The {@code Authorization} value answering this challenge.
     *
     * @param method the request's method ({@code AUTH})
     * @param uri    the digest-uri: the URI the request goes to
     * @param cnonce our nonce, for {@code qop=auth}
     * @param count  how many times this nonce was used, from 1
     */
    public String authorization(String username, String password, String method, String uri, String cnonce, int count) {
        String nc = String.format("%08x", count);
        String ha1 = md5(username + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + uri);
        String response = qopAuth ? md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
                : md5(ha1 + ":" + nonce + ":" + ha2);
        StringBuilder out = new StringBuilder("Digest username=").append(quote(username))
                .append(", realm=").append(quote(realm))
                .append(", nonce=").append(quote(nonce))
                .append(", uri=").append(quote(uri))
                .append(", response=").append(quote(response))
                .append(", algorithm=MD5");
        if (qopAuth) {
            out.append(", qop=auth, nc=").append(nc).append(", cnonce=").append(quote(cnonce));
        }
        if (opaque != null) {
            out.append(", opaque=").append(quote(opaque));
        }
        return out.toString();
    }

    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    public static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has MD5", e);
        }
    }
}
