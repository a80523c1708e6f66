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

    private final SylkRtcConnection connection;
    private final Map<String, Account> accounts = new LinkedHashMap<>();

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
        accounts.put(aor, new Account(aor, password, request.getDisplayName(), request.getUserAgent(), prefixes));
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
        SipRegistration registration;
        try {
            registration = registrar.registration(account, (state, reason) -> connection.later(() -> {
                // a newer registration may have replaced this one meanwhile: only the current one reports
                if (accounts.get(aor) == account) {
                    if ("registered".equals(state) && !account.isAuthenticated()) {
                        authenticated(account);
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
     * The account's registrar accepted its credentials (spec §4.4 {@code auth_state}, §4.12): from now on, and for as
     * long as the account stays on this connection, its incoming calls and events are offered here. Until then the
     * account is only a name the client typed, which anyone can type (issue 11: the hijack of another's calls).
     */
    private void authenticated(Account account) {
        account.authenticated(true);
        connection.gateway().incoming().authenticated(account.aor(), connection);
        if (connection.gateway().messaging() != null) {
            connection.gateway().messaging().authenticated(account.aor(), account.push());
        }
        LOG.info(() -> connection + ": account " + account.aor() + " authenticated by its registrar");
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
        SipRegistration registration = account.registration();
        if (registration != null) {
            account.registration(null);
            registration.unregister();
        }
    }
}
