package org.sylkserver.conference.chat;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who a participant is, as the room writes it (spec §3.3): its {@code user@host}, the key of access lists, the chat's
 * anti-spoofing and conference-info, and its display name before it when it has one. Chat, screen sharing and the
 * room all name participants this way.
 */
public final class Identity {

    /** A leading {@code sip:} or {@code sips:}; compiled once, not per call (every INVITE names its caller, issue 12). */
    private static final Pattern SCHEME = Pattern.compile("(?i)^sips?:");

    private Identity() {
    }

    /** {@code user@domain} of a SIP URI, lower case, without scheme, port or parameters. */
    public static String bare(String uri) {
        String s = uri.trim();
        int angle = s.indexOf('<');
        if (angle >= 0) {
            s = s.substring(angle + 1, s.indexOf('>', angle) > 0 ? s.indexOf('>', angle) : s.length());
        }
        s = SCHEME.matcher(s).replaceFirst("");
        int cut = s.length();
        for (char c : new char[] {';', '?', '>'}) {
            int i = s.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        s = s.substring(0, cut);
        int at = s.indexOf('@');
        int colon = s.indexOf(':', Math.max(at, 0));
        if (colon > at) {
            s = s.substring(0, colon);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** {@code Display Name <user@host>}, or {@code user@host} without a display name (spec §3.3). */
    public static String shown(String displayName, String uri) {
        return displayName == null || displayName.isBlank() ? uri : displayName + " <" + uri + ">";
    }
}
