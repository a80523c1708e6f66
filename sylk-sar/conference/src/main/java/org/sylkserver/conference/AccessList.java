package org.sylkserver.conference;

import java.util.List;
import java.util.Locale;

/**
 * Apache-style access control of spec §3.10: an {@code allow} and a {@code deny} list of {@code all}/{@code any}/
 * {@code *}, {@code none}, {@code user@domain} or {@code domain}, combined by the policy.
 *
 * <ul>
 *   <li>{@code allow, deny}: access iff the URI matches {@code allow} and does not match {@code deny};</li>
 *   <li>{@code deny, allow}: refused iff the URI matches {@code deny} and does not match {@code allow}.</li>
 * </ul>
 *
 * @param denyFirst true for {@code deny, allow}
 * @param allow     the allow list, lower case
 * @param deny      the deny list, lower case
 */
record AccessList(boolean denyFirst, List<String> allow, List<String> deny) {

    /** The defaults: {@code allow, deny}, allow all, deny none. */
    static final AccessList OPEN = new AccessList(false, List.of("all"), List.of("none"));

    /**
     * Whether {@code uri} (e.g. {@code sip:alice@example.com}; the scheme and any parameters are ignored) may
     * use the room.
     */
    boolean allows(String uri) {
        String address = bare(uri);
        boolean allowed = matches(allow, address);
        boolean denied = matches(deny, address);
        return denyFirst ? !(denied && !allowed) : allowed && !denied;
    }

    private static boolean matches(List<String> items, String address) {
        String domain = address.contains("@") ? address.substring(address.indexOf('@') + 1) : address;
        for (String item : items) {
            if (item.equals("all") || item.equals("any") || item.equals("*") || item.equals(address)
                    || item.equals(domain)) {
                return true;
            }
        }
        return false;
    }

    /** {@code user@domain} of a SIP URI, lower case, without scheme, port or parameters. */
    static String bare(String uri) {
        String s = uri.trim();
        int angle = s.indexOf('<');
        if (angle >= 0) {
            s = s.substring(angle + 1, s.indexOf('>', angle) > 0 ? s.indexOf('>', angle) : s.length());
        }
        s = s.replaceFirst("(?i)^sips?:", "");
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
}
