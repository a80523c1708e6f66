package org.sylkserver.webrtc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sylkserver.webrtc.messaging.DeviceToken;
import org.sylkserver.webrtc.registration.SipRegistration;

/**
 * An account added to one sylkRTC connection (spec §4.5.2). Owned by the connection's executor; the
 * registration it holds is thread-safe on its own.
 */
public final class Account {

    private final String aor;
    private final String ha1;
    private final String password;
    private final String displayName;
    private final String userAgent;
    private final List<String> incomingHeaderPrefixes;
    private SipRegistration registration;
    /** Whether an external login's outcome is awaited (spec §4.12): a register asked for it, no unregister since. */
    private boolean login;
    private boolean authenticated;
    /** Set on the connection's executor, read by registrations on SIP threads. */
    private volatile DeviceToken push;

    Account(String aor, String ha1, String displayName, String userAgent, List<String> incomingHeaderPrefixes) {
        this(aor, ha1, ha1, displayName, userAgent, incomingHeaderPrefixes);
    }

    /**
     * @param ha1      the digest HA1 of the account
     * @param password the password field of {@code account-add} as sent: the HA1 itself, or the plaintext password
     *                 with external authentication ({@code auth.ini}, spec §4.12)
     */
    Account(String aor, String ha1, String password, String displayName, String userAgent,
            List<String> incomingHeaderPrefixes) {
        this.aor = aor;
        this.ha1 = ha1;
        this.password = password;
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

    /**
     * The digest HA1: the password field of {@code account-add} by client convention, computed from it with external
     * authentication ({@code auth.ini}).
     */
    public String ha1() {
        return ha1;
    }

    /** The password field of {@code account-add} as the client sent it. */
    String password() {
        return password;
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

    /**
     * The SIP headers the client wants to see, those whose name starts with one of its
     * {@code incoming_header_prefixes} (spec §4.5.4), case-insensitively.
     */
    public Map<String, String> wantedHeaders(Map<String, String> headers) {
        Map<String, String> wanted = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (incomingHeaderPrefixes.stream()
                    .anyMatch(prefix -> name.regionMatches(true, 0, prefix, 0, prefix.length()))) {
                wanted.put(name, value);
            }
        });
        return wanted;
    }

    /**
     * The device's push parameters ({@code account-devicetoken}, spec §4.5.2), or null: the {@code pn-*} parameters of
     * the next REGISTER's Contact and the token stored for message pushes.
     */
    public DeviceToken push() {
        return push;
    }

    void push(DeviceToken value) {
        push = value;
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

    boolean login() {
        return login;
    }

    void login(boolean wanted) {
        login = wanted;
    }
}
