package org.sylkserver.webrtc;

import java.util.List;

import org.sylkserver.webrtc.sip.SipRegistration;

/**
 * An account added to one sylkRTC connection (spec §4.5.2). Owned by the connection's executor; the
 * registration it holds is thread-safe on its own.
 */
public final class Account {

    private final String aor;
    private final String ha1;
    private final String displayName;
    private final String userAgent;
    private final List<String> incomingHeaderPrefixes;
    private SipRegistration registration;
    private boolean authenticated;

    Account(String aor, String ha1, String displayName, String userAgent, List<String> incomingHeaderPrefixes) {
        this.aor = aor;
        this.ha1 = ha1;
        this.displayName = displayName;
        this.userAgent = userAgent;
        this.incomingHeaderPrefixes = incomingHeaderPrefixes == null ? List.of() : List.copyOf(incomingHeaderPrefixes);
    }

    /** {@code user@domain}. */
    public String aor() {
        return aor;
    }

    public String user() {
        return aor.substring(0, aor.indexOf('@'));
    }

    public String domain() {
        return aor.substring(aor.indexOf('@') + 1);
    }

    /** The password field of {@code account-add}: the digest HA1 by client convention. */
    public String ha1() {
        return ha1;
    }

    /** May be {@code null}. */
    public String displayName() {
        return displayName;
    }

    /** May be {@code null}. */
    public String userAgent() {
        return userAgent;
    }

    public List<String> incomingHeaderPrefixes() {
        return incomingHeaderPrefixes;
    }

    /** The spec's {@code auth_state}: true once a registration succeeded. */
    public boolean isAuthenticated() {
        return authenticated;
    }

    void authenticated(boolean value) {
        authenticated = value;
    }

    SipRegistration registration() {
        return registration;
    }

    void registration(SipRegistration value) {
        registration = value;
    }
}
