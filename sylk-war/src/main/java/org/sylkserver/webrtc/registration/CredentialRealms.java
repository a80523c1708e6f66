package org.sylkserver.webrtc.registration;

import java.util.Locale;

import org.sylkserver.core.config.ServerConfig;

/**
 * Who may have digest credentials made from an account's HA1 (RFC 3261 §22.2, §22.3): a challenge whose realm is the
 * account's own domain (the realm its HA1 was made for, spec §4.5.2), or the host of the configured
 * {@code outbound_sip_proxy}. Any other 401/407 (a callee's phone, a proxy on a route the far end chose) gets no
 * answer: a digest response lets its holder try passwords offline, and the HA1 itself is good for the account's
 * realm wherever it is replayed (issue 11).
 *
 * @param domain    the account's domain
 * @param proxyHost the outbound proxy's host, or null when there is none
 */
public record CredentialRealms(String domain, String proxyHost) {

    /** The realms of {@code domain}'s account, with {@code proxy} (or null) as the gateway's outbound proxy. */
    public static CredentialRealms of(String domain, ServerConfig.OutboundProxy proxy) {
        return new CredentialRealms(domain, proxy == null ? null : proxy.host());
    }

    /** Whether a challenge from {@code realm} may be answered (realms compare case-insensitively, as host names). */
    public boolean allows(String realm) {
        if (realm == null) {
            return false;
        }
        String wanted = realm.strip().toLowerCase(Locale.ROOT);
        return wanted.equals(domain.toLowerCase(Locale.ROOT))
                || proxyHost != null && wanted.equals(proxyHost.toLowerCase(Locale.ROOT));
    }
}
