package org.sylkserver.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Apache-style access control of spec §3.10 (conference rooms) and §8.3 (video rooms): an {@code allow} and a
 * {@code deny} list of {@code all}/{@code any}/{@code *}, {@code none}, {@code user@domain} or {@code domain},
 * combined by the policy.
 *
 * <ul>
 *   <li>{@code allow, deny}: access iff the address matches {@code allow} and does not match {@code deny};</li>
 *   <li>{@code deny, allow}: refused iff the address matches {@code deny} and does not match {@code allow}.</li>
 * </ul>
 *
 * @param denyFirst true for {@code deny, allow}
 * @param allow     the allow list, lower case
 * @param deny      the deny list, lower case
 */
public record AccessList(boolean denyFirst, List<String> allow, List<String> deny) {

    /** The defaults: {@code allow, deny}, allow all, deny none. */
    public static final AccessList OPEN = new AccessList(false, List.of("all"), List.of("none"));

    private static final Set<String> POLICIES = Set.of("allow,deny", "deny,allow");

    /**
     * Reads {@code access_policy}, {@code allow} and {@code deny} of a section, each falling back to
     * {@code otherwise}'s (the application's global section).
     */
    public static AccessList read(SectionReader own, SectionReader otherwise) throws ConfigException {
        String policy = own.string("access_policy", otherwise.string("access_policy", "allow, deny"));
        String normalized = policy.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        if (!POLICIES.contains(normalized)) {
            throw own.error("access_policy", policy, "must be 'allow, deny' or 'deny, allow'");
        }
        List<String> allow = own.list("allow", otherwise.list("allow", List.of("all")));
        List<String> deny = own.list("deny", otherwise.list("deny", List.of("none")));
        return new AccessList(normalized.equals("deny,allow"),
                allow.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList(),
                deny.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList());
    }

    /** Whether {@code address} ({@code user@domain}, without scheme or parameters) may use the room. */
    public boolean allows(String address) {
        String lower = address.toLowerCase(Locale.ROOT);
        boolean allowed = matches(allow, lower);
        boolean denied = matches(deny, lower);
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
