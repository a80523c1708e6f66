package org.sylkserver.webrtc;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import org.sylkserver.webrtc.api.AccountAddRequest;
import org.sylkserver.webrtc.api.AccountDeviceTokenRequest;
import org.sylkserver.webrtc.api.AccountEvent;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.auth.ExternalAuth;
import org.sylkserver.webrtc.auth.ImapLogin;
import org.sylkserver.webrtc.messaging.DeviceToken;
import org.sylkserver.webrtc.registration.SipRegistration;

/**
 * The accounts of one sylkRTC connection and their registrations (spec §4.4, §4.5.2). Owned by the connection's
 * executor: every method runs there, and registration events are brought back there before they are sent.
 */
final class ConnectionAccounts {

    /** spec §4.4: the password (HA1) is 1 to 9999 characters. */
    private static final int MAX_PASSWORD = 9999;
    private static final Logger LOG = Logger.getLogger("webrtcgateway");
    /** The {@code registration-state} reason of a refused external login (spec §4.12). */
    static final String IMAP_REFUSED = "external authentication failed (wrong username or password?)";
    /** The reason when the IMAP server could not be asked (down, silent, untrusted certificate). */
    static final String IMAP_UNAVAILABLE = "external authentication failed (authentication server unavailable)";

    private final SylkRtcConnection connection;
    private final Map<String, Account> accounts = new LinkedHashMap<>();
    /** The account whose IMAP login runs, or null: one at a time per connection. */
    private Account loggingIn;
    /** Accounts whose IMAP login waits for {@link #loggingIn}'s, in the order of their registers. */
    private final Map<String, Account> loginsWaiting = new LinkedHashMap<>();

    ConnectionAccounts(SylkRtcConnection connection) {
        this.connection = connection;
    }

    void add(AccountAddRequest request, GatewayConfig config) throws RequestError {
        String aor = request.getAccount();
        String domain = aor.substring(aor.indexOf('@') + 1);
        if (!config.allowsDomain(domain)) {
            throw new RequestError("SIP domain not allowed: " + domain);
        }
        if (accounts.containsKey(aor)) {
            throw new RequestError("Account " + aor + " already added");
        }
        int limit = config.limits().maxAccountsPerConnection();
        if (!ClientLimits.roomFor(accounts.size(), limit)) {
            throw new RequestError("Too many accounts on this connection (max_accounts_per_connection " + limit + ")");
        }
        String password = request.getPassword();
        if (password.isEmpty() || password.length() > MAX_PASSWORD) {
            throw new RequestError("Invalid value for 'password' property (expected: 1 to " + MAX_PASSWORD
                    + " characters)");
        }
        List<String> prefixes = request.getIncomingHeaderPrefixes();
        if (prefixes != null && new HashSet<>(prefixes).size() != prefixes.size()) {
            throw new RequestError("Invalid value for 'incoming_header_prefixes' property (expected: unique items)");
        }
        // no calls yet: they reach the connection once a registration proved the account is its own (spec §4.4)
        String user = aor.substring(0, aor.indexOf('@'));
        accounts.put(aor, new Account(aor, connection.gateway().externalAuth().ha1(user, domain, password), password,
                request.getDisplayName(), request.getUserAgent(), prefixes));
        LOG.info(() -> connection + ": added account " + aor);
    }

    void remove(String aor) throws RequestError {
        Account account = accounts.remove(aor);
        if (account == null) {
            throw new RequestError("Unknown account specified for remove: " + aor);
        }
        connection.gateway().incoming().removed(aor, connection);
        connection.sessions().closeAccount(aor);
        endRegistration(account);
        LOG.info(() -> connection + ": removed account " + aor);
    }

    void register(String aor, Registrar registrar) throws RequestError {
        Account account = accounts.get(aor);
        if (account == null) {
            throw new RequestError("Unknown account specified for register: " + aor);
        }
        endRegistration(account);
        if (connection.gateway().externalAuth().type(account.domain()) == ExternalAuth.Type.IMAP) {
            imapLogin(account);
            return;
        }
        SipRegistration registration;
        try {
            registration = registrar.registration(account, (state, reason) -> connection.later(() -> {
                // a newer registration may have replaced this one meanwhile: only the current one reports
                if (accounts.get(aor) == account) {
                    if ("registered".equals(state) && !account.isAuthenticated()) {
                        authenticated(account, "its registrar");
                    }
                    connection.send(new AccountEvent(aor, state, reason));
                }
            }));
        } catch (IllegalStateException e) {
            throw new RequestError(e.getMessage());
        }
        account.registration(registration);
        registration.register();
    }

    /**
     * {@code account-register} of a domain with {@code auth_type = IMAP} (spec §4.12): the IMAP login, off this
     * executor, stands for the REGISTER; its outcome is reported as the registration's state ("registering", then
     * "registered" or "failed" with the spec's reason). No SIP REGISTER is sent. An unregister or the account's removal
     * meanwhile makes the outcome moot.
     *
     * <p>One login of a connection runs at a time: a register meanwhile waits for it (an account's latest register
     * only; a register of the account whose login runs takes that login's outcome, the credentials being the same).
     * Else one client could fill the IMAP pool ({@code max_imap_logins}, shared by everyone) by registering again
     * and again, or adding and removing accounts, and other users' logins would fail as unavailable.
     */
    private void imapLogin(Account account) {
        account.login(true);
        connection.later(() -> connection.send(new AccountEvent(account.aor(), "registering", null)));
        if (loggingIn == null) {
            startLogin(account);
        } else if (loggingIn != account) {
            loginsWaiting.put(account.aor(), account);
        }
    }

    private void startLogin(Account account) {
        loggingIn = account;
        connection.gateway().externalAuth().imapLogin(account.domain(), account.user(), account.password())
                .thenAccept(outcome -> connection.later(() -> {
                    loggingIn = null;
                    loggedIn(account, outcome);
                    nextLogin();
                }));
    }

    private void loggedIn(Account account, ImapLogin.Outcome outcome) {
        String aor = account.aor();
        if (accounts.get(aor) != account || !account.login()) {
            return;
        }
        account.login(false);
        switch (outcome) {
            case ACCEPTED -> {
                if (!account.isAuthenticated()) {
                    authenticated(account, "IMAP login");
                }
                connection.send(new AccountEvent(aor, "registered", null));
            }
            case REFUSED -> connection.send(new AccountEvent(aor, "failed", IMAP_REFUSED));
            case UNAVAILABLE -> connection.send(new AccountEvent(aor, "failed", IMAP_UNAVAILABLE));
        }
    }

    /** Starts the first waiting login that still counts (its account still here, still wanting it). */
    private void nextLogin() {
        var waiting = loginsWaiting.values().iterator();
        while (waiting.hasNext()) {
            Account next = waiting.next();
            waiting.remove();
            if (accounts.get(next.aor()) == next && next.login()) {
                startLogin(next);
                return;
            }
        }
    }

    /**
     * The account's registrar (or its IMAP server, §4.12) accepted its credentials (spec §4.4 {@code auth_state}):
     * from now on, and for as long as the account stays on this connection, its incoming calls and events are offered
     * here. Until then the account is only a name the client typed, which anyone can type (issue 11: the hijack of
     * another's calls).
     */
    private void authenticated(Account account, String by) {
        account.authenticated(true);
        connection.gateway().incoming().authenticated(account.aor(), connection);
        if (connection.gateway().messaging() != null) {
            connection.gateway().messaging().authenticated(account.aor(), account.push());
        }
        LOG.info(() -> connection + ": account " + account.aor() + " authenticated by " + by);
    }

    void unregister(String aor) throws RequestError {
        Account account = accounts.get(aor);
        if (account == null) {
            throw new RequestError("Unknown account specified for unregister: " + aor);
        }
        endRegistration(account);
        // spec §4.4: the device no longer wants this account's pushes
        if (account.push() != null && account.isAuthenticated() && connection.gateway().messaging() != null) {
            connection.gateway().messaging().removeDeviceToken(account.push());
        }
    }

    /**
     * {@code account-devicetoken} (spec §4.5.2): the push parameters for the next REGISTER, stored for message pushes
     * now if the account is authenticated, else when it becomes so. An iOS token {@code <voip>-<background>} is split
     * at its first {@code -}.
     */
    void deviceToken(AccountDeviceTokenRequest request) throws RequestError {
        Account account = accounts.get(request.getAccount());
        if (account == null) {
            throw new RequestError("Unknown account specified for token: " + request.getAccount());
        }
        String token = request.getToken();
        String background = null;
        int dash = token.indexOf('-');
        if ("ios".equals(request.getPlatform()) && dash > 0) {
            background = token.substring(dash + 1);
            token = token.substring(0, dash);
        }
        account.push(new DeviceToken(account.aor(), request.getApp(), request.getDevice(), request.getPlatform(), token,
                background, request.getSilent(), account.userAgent()));
        if (account.isAuthenticated() && connection.gateway().messaging() != null) {
            connection.gateway().messaging().authenticated(account.aor(), account.push());
        }
    }

    /** The account of a request that needs it authenticated (spec §4.4 "Auth"). */
    Account authenticated(String aor) throws RequestError {
        Account account = accounts.get(aor);
        if (account == null) {
            throw new RequestError("Unknown account specified: " + aor);
        }
        if (!account.isAuthenticated()) {
            throw new RequestError("Account not authenticated");
        }
        return account;
    }

    /** The account of this connection, or null. */
    Account get(String aor) {
        return accounts.get(aor);
    }

    /** The connection closed: every registration it made is removed (spec §4.2 teardown). */
    void closeAll() {
        for (Account account : accounts.values()) {
            connection.gateway().incoming().removed(account.aor(), connection);
            endRegistration(account);
        }
        accounts.clear();
    }

    private static void endRegistration(Account account) {
        account.login(false);
        SipRegistration registration = account.registration();
        if (registration != null) {
            account.registration(null);
            registration.unregister();
        }
    }
}
