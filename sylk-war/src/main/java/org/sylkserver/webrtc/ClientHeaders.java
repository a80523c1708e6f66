package org.sylkserver.webrtc;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import org.sylkserver.webrtc.api.SipHeader;

/**
 * The extra SIP headers a client may put on its INVITE, answer or re-INVITE ({@code headers} of
 * {@code session-create}, {@code session-answer}, {@code session-update}, spec §4.4): application headers only.
 * Allowed are {@code X-} headers (what sylkrtc.js applications send, spec §4.5.3), except {@code X-Sylk-*} which
 * steer SylkServer's own routing (spec §2.2), and a few descriptive standard ones ({@value #DESCRIPTIVE_LIST}).
 * Everything else is dropped and logged: above all the identity and routing headers (From, To, Contact,
 * P-Asserted-Identity, P-Preferred-Identity, Via, Route, Call-ID, CSeq, Authorization...), with which a client could
 * speak as someone else or steer the gateway's requests (issue 11). A name that is no RFC 3261 token, or a value with
 * control characters (a CR LF would start a header of its own), is dropped too.
 */
final class ClientHeaders {

    private static final String DESCRIPTIVE_LIST = "Subject, Priority, Organization, Call-Info, Alert-Info";
    private static final Set<String> DESCRIPTIVE = Set.of("subject", "priority", "organization", "call-info",
            "alert-info");
    /** RFC 3261 §25.1 token. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9.!%*_+`'~-]+");
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0a-\\x1f\\x7f]");
    private static final Logger LOG = Logger.getLogger("webrtcgateway.session");

    private ClientHeaders() {
    }

    /** The headers of {@code requested} (null for none) that the client may send; {@code who} names it in the log. */
    static List<SipHeader> allowed(List<SipHeader> requested, Object who) {
        if (requested == null) {
            return List.of();
        }
        return requested.stream().filter(header -> {
            boolean allowed = allowed(header.getName(), header.getValue());
            if (!allowed) {
                LOG.info(() -> who + ": dropped the client's SIP header '" + header.getName() + "' (only X- headers"
                        + " and " + DESCRIPTIVE_LIST + " may be set)");
            }
            return allowed;
        }).toList();
    }

    static boolean allowed(String name, String value) {
        if (!TOKEN.matcher(name).matches() || CONTROL.matcher(value).find()) {
            return false;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.startsWith("x-") && !lower.startsWith("x-sylk-") || DESCRIPTIVE.contains(lower);
    }
}
