package org.sylkserver.protocols.msrp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An MSRP URI (RFC 4975 §6, ABNF in §9):
 * {@code msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter )}, e.g.
 * {@code msrp://atlanta.example.com:7654/jshA7weztas;tcp}. It names one hop of a To-Path or From-Path; the
 * session-id lets a device tell its sessions apart on a shared connection.
 *
 * <p>The record keeps every part as written so that {@link #toString()} gives back the parsed text; the
 * generated {@code equals} is therefore an exact comparison. Whether two URIs name the same session is
 * {@link #sameAs(MsrpUri)}, the RFC 4975 §6.1 comparison.
 *
 * @param scheme     {@code msrp} or {@code msrps} (TLS), in any case
 * @param userinfo   the authority's userinfo before {@code @}, or null (RFC 3986 §3.2.1)
 * @param host       a name, an IPv4 address, or an IPv6 address <em>without</em> its brackets
 * @param port       the port, or -1 when absent (MSRP has no default port; relays find theirs by DNS, RFC 4976)
 * @param sessionId  the session-id path, or null when absent (e.g. a relay's URI)
 * @param transport  the mandatory transport parameter, {@code tcp} for RFC 4975
 * @param parameters the further {@code ;name[=value]} parameters in order
 */
public record MsrpUri(String scheme, String userinfo, String host, int port, String sessionId, String transport,
                      List<Parameter> parameters) {

    /** One {@code URI-parameter = token ["=" token]}; value is null for a bare name. */
    public record Parameter(String name, String value) {
        public Parameter {
            if (!Syntax.isToken(name) || value != null && !Syntax.isToken(value)) {
                throw new IllegalArgumentException("bad URI parameter " + Syntax.show(name + (value == null ? ""
                        : "=" + value)) + " (expected token[=token])");
            }
        }

        @Override
        public String toString() {
            return value == null ? name : name + "=" + value;
        }
    }

    public MsrpUri {
        parameters = List.copyOf(parameters);
        try {
            check(scheme, userinfo, host, port, sessionId, transport);
        } catch (MalformedMsrpException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A URI with a session-id and no userinfo or further parameters. */
    public static MsrpUri of(boolean secure, String host, int port, String sessionId, String transport) {
        return new MsrpUri(secure ? "msrps" : "msrp", null, host, port, sessionId, transport, List.of());
    }

    /** Parses one MSRP URI. */
    public static MsrpUri parse(String text) throws MalformedMsrpException {
        if (text == null) {
            throw new MalformedMsrpException("no MSRP URI");
        }
        int colon = text.indexOf("://");
        if (colon < 0) {
            throw bad(text, "no '://' after the scheme");
        }
        String scheme = text.substring(0, colon);
        if (!scheme.equalsIgnoreCase("msrp") && !scheme.equalsIgnoreCase("msrps")) {
            throw bad(text, "scheme " + Syntax.show(scheme) + " is neither msrp nor msrps");
        }
        String rest = text.substring(colon + 3);
        int semicolon = rest.indexOf(';');
        if (semicolon < 0) {
            throw bad(text, "no ';' transport parameter (RFC 4975 §9 requires one, e.g. ';tcp')");
        }
        String hierarchy = rest.substring(0, semicolon);
        int slash = hierarchy.indexOf('/');
        String authority = slash < 0 ? hierarchy : hierarchy.substring(0, slash);
        String sessionId = slash < 0 ? null : hierarchy.substring(slash + 1);

        String userinfo = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            userinfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw bad(text, "IPv6 address without its closing ']'");
            }
            host = authority.substring(1, close);
            if (!isIpv6(host)) {
                throw bad(text, "bad IPv6 address " + Syntax.show(host));
            }
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw bad(text, "unexpected " + Syntax.show(after) + " after the IPv6 address");
                }
                portText = after.substring(1);
            }
        } else {
            int portColon = authority.indexOf(':');
            host = portColon < 0 ? authority : authority.substring(0, portColon);
            portText = portColon < 0 ? null : authority.substring(portColon + 1);
        }
        int port = -1;
        if (portText != null) {
            if (!Syntax.isDigits(portText) || portText.length() > 5 || Integer.parseInt(portText) > 65535) {
                throw bad(text, "bad port " + Syntax.show(portText));
            }
            port = Integer.parseInt(portText);
        }

        String[] params = rest.substring(semicolon + 1).split(";", -1);
        String transport = params[0];
        List<Parameter> parameters = new ArrayList<>();
        for (int i = 1; i < params.length; i++) {
            int eq = params[i].indexOf('=');
            String name = eq < 0 ? params[i] : params[i].substring(0, eq);
            String value = eq < 0 ? null : params[i].substring(eq + 1);
            if (!Syntax.isToken(name) || value != null && !Syntax.isToken(value)) {
                throw bad(text, "bad URI parameter " + Syntax.show(params[i]) + " (expected token[=token])");
            }
            parameters.add(new Parameter(name, value));
        }
        try {
            check(scheme, userinfo, host, port, sessionId, transport);
        } catch (MalformedMsrpException e) {
            throw bad(text, e.getMessage());
        }
        return new MsrpUri(scheme, userinfo, host, port, sessionId, transport, parameters);
    }

    private static MalformedMsrpException bad(String text, String problem) {
        return new MalformedMsrpException("bad MSRP URI " + Syntax.show(text) + ": " + problem);
    }

    private static void check(String scheme, String userinfo, String host, int port, String sessionId,
                              String transport) throws MalformedMsrpException {
        if (scheme == null || !scheme.equalsIgnoreCase("msrp") && !scheme.equalsIgnoreCase("msrps")) {
            throw new MalformedMsrpException("scheme " + Syntax.show(String.valueOf(scheme))
                    + " is neither msrp nor msrps");
        }
        if (userinfo != null && !isUserinfo(userinfo)) {
            throw new MalformedMsrpException("bad userinfo " + Syntax.show(userinfo));
        }
        if (host == null || host.isEmpty()) {
            throw new MalformedMsrpException("no host");
        }
        if (host.indexOf(':') >= 0 ? !isIpv6(host) : !isRegNameOrIpv4(host)) {
            throw new MalformedMsrpException("bad host " + Syntax.show(host));
        }
        if (port < -1 || port > 65535) {
            throw new MalformedMsrpException("bad port " + port);
        }
        if (sessionId != null && !isSessionId(sessionId)) {
            throw new MalformedMsrpException("bad session-id " + Syntax.show(sessionId)
                    + " (RFC 4975 §9: 1*( unreserved / \"+\" / \"=\" / \"/\" ))");
        }
        if (transport == null || transport.isEmpty() || !transport.chars().allMatch(c -> Syntax.isAlphanum((char) c))) {
            throw new MalformedMsrpException("bad transport " + Syntax.show(String.valueOf(transport))
                    + " (expected e.g. 'tcp')");
        }
    }

    /** RFC 3986 §2.3 unreserved. */
    private static boolean isUnreserved(char c) {
        return Syntax.isAlphanum(c) || "-._~".indexOf(c) >= 0;
    }

    private static boolean isSessionId(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> isUnreserved((char) c) || "+=/".indexOf(c) >= 0);
    }

    /**
     * RFC 3986 §3.2.2 reg-name (an IPv4 address is one too): unreserved, pct-encoded and sub-delims, except ';'
     * which starts the MSRP URI's parameters.
     */
    private static boolean isRegNameOrIpv4(String s) {
        return isPctText(s, "!$&'()*+,=");
    }

    private static boolean isUserinfo(String s) {
        return isPctText(s, "!$&'()*+,;=:");
    }

    private static boolean isPctText(String s, String subDelims) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    return false;
                }
                i += 2;
            } else if (!isUnreserved(c) && subDelims.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A loose RFC 3986 IPv6address check: hex groups, colons, at most one '::', an optional IPv4 tail. */
    private static boolean isIpv6(String s) {
        if (s.length() < 2 || !s.contains(":") || s.indexOf("::") != s.lastIndexOf("::") || s.contains(":::")) {
            return false;
        }
        String[] groups = s.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty()) {
                continue;
            }
            if (i == groups.length - 1 && g.contains(".")) {
                if (!g.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                    return false;
                }
                count += 2;
            } else if (g.length() > 4 || !g.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return false;
            } else {
                count++;
            }
        }
        return s.contains("::") ? count < 8 : count == 8;
    }

    /** True for {@code msrps}: the hop is reached over TLS (RFC 4975 §6). */
    public boolean secure() {
        return scheme.equalsIgnoreCase("msrps");
    }

    /**
     * The RFC 4975 §6.1 comparison: scheme, host and transport compare case-insensitively, the session-id
     * case-sensitively; a URI with an explicit port never equals one without, nor one with a session-id one
     * without; userinfo and other parameters are not compared. IPv6 addresses are compared as written (no
     * normalisation of zeros).
     */
    public boolean sameAs(MsrpUri other) {
        return other != null
                && scheme.equalsIgnoreCase(other.scheme)
                && host.toLowerCase(Locale.ROOT).equals(other.host.toLowerCase(Locale.ROOT))
                && port == other.port
                && java.util.Objects.equals(sessionId, other.sessionId)
                && transport.equalsIgnoreCase(other.transport);
    }

    /** The URI as written: brackets around an IPv6 host, parts in their parsed case. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(scheme).append("://");
        if (userinfo != null) {
            out.append(userinfo).append('@');
        }
        out.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host);
        if (port >= 0) {
            out.append(':').append(port);
        }
        if (sessionId != null) {
            out.append('/').append(sessionId);
        }
        out.append(';').append(transport);
        for (Parameter p : parameters) {
            out.append(';').append(p);
        }
        return out.toString();
    }
}
