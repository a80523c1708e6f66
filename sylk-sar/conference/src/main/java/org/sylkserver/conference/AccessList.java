package org.sylkserver.conference;

import java.util.List;

import org.sylkserver.conference.chat.Identity;

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
        String address = Identity.bare(uri);
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
}
