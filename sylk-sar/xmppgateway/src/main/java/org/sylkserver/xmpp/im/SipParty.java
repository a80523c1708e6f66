package org.sylkserver.xmpp.im;

import java.util.Locale;

/**
 * The parts of a SIP address the gateway maps (spec §5.3): user, host and the GRUU parameter {@code gr}.
 *
 * @param user the user part
 * @param host the host part, lower case
 * @param gr   the {@code gr} parameter, or null
 */
public record SipParty(String user, String host, String gr) {

    /** Parses {@code sip:user@host;gr=...} (or {@code sips:}, or an {@code im:}/{@code xmpp:} URI of a CPIM header). */
    public static SipParty parse(String uri) {
        String rest = uri.strip();
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a URI: " + uri);
        }
        rest = rest.substring(colon + 1);
        String gr = null;
        int semicolon = rest.indexOf(';');
        if (semicolon >= 0) {
            for (String parameter : rest.substring(semicolon + 1).split(";")) {
                if (parameter.startsWith("gr=")) {
                    gr = parameter.substring(3);
                }
            }
            rest = rest.substring(0, semicolon);
        }
        int question = rest.indexOf('?');
        if (question >= 0) {
            rest = rest.substring(0, question);
        }
        int at = rest.lastIndexOf('@');
        if (at <= 0 || at == rest.length() - 1) {
            throw new IllegalArgumentException("no user@host in " + uri);
        }
        String host = rest.substring(at + 1);
        int port = host.lastIndexOf(':');
        if (port > 0 && !host.endsWith("]")) {
            host = host.substring(0, port);
        }
        return new SipParty(rest.substring(0, at), host.toLowerCase(Locale.ROOT), gr);
    }
}
