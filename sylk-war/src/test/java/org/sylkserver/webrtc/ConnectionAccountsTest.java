package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.webrtc.auth.ExternalAuth;
import org.sylkserver.webrtc.auth.ImapLogin;
import org.sylkserver.webrtc.registration.CredentialRealms;
import org.sylkserver.webrtc.registration.SipRegistration;

/** account-add/-remove/-register/-unregister (spec §4.4, §4.5.2) over a connection, with a registrar stand-in. */
class ConnectionAccountsTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Integer> registersSent = new ArrayList<>();
    private final List<SipRegistration> registrations = new ArrayList<>();
    private final Registrar registrar = (account, listener) -> {
        SipRegistration registration = new SipRegistration(account.aor(), account.ha1(), CredentialRealms.of(account.domain(), null),
                new SipRegistration.RegisterChannel() {
                    @Override
                    public String requestUri() {
                        return "sip:" + account.domain();
                    }

                    @Override
                    public void send(int expires, String authorization) throws IOException {
                        registersSent.add(expires);
                    }
                }, listener, timer::schedule);
        registrations.add(registration);
        return registration;
    };
    private final GatewayConfig config = new GatewayConfig(null, List.of("*"), Set.of("example.com"), null, false,
            Duration.ofSeconds(120), 486, ClientLimits.DEFAULTS, false);
    private final SylkRtcConnectionTest.RecordingTransport transport = new SylkRtcConnectionTest.RecordingTransport();
    private final SylkRtcConnection connection = new SylkRtcConnection("192.0.2.1:40000", transport, Runnable::run,
            RequestCatalogue.SYLKRTC_2, new Gateway(config, registrar, Gateway.notStarted().calls(),
            new IncomingCalls(timer, IncomingCalls.RING_TIMEOUT), Gateway.notStarted().media(),
            Gateway.notStarted().rooms(), null));

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private void receive(String json) {
        connection.onText(json, true);
    }

    private static String add(String transaction, String account) {
        return "{\"sylkrtc\":\"account-add\",\"transaction\":\"" + transaction + "\",\"account\":\"" + account
                + "\",\"password\":\"6a1c2f0e8d6f3c5b0a9e1d2c3b4a5f60\",\"display_name\":\" \\\"Alice\\\" \"}";
    }

    private static String ack(String transaction) {
        return "{\"sylkrtc\":\"ack\",\"transaction\":\"" + transaction + "\"}";
    }

    private static String error(String transaction, String text) {
        return "{\"sylkrtc\":\"error\",\"transaction\":\"" + transaction + "\",\"error\":\"" + text + "\"}";
    }

    @Test
    void addingTwiceAndForeignDomainsAreRefused_spec_4_4() {
        receive(add("t1", "sip:alice@example.com"));
        receive(add("t2", "alice@example.com"));
        receive(add("t3", "bob@elsewhere.org"));
        assertEquals(List.of(ack("t1"), error("t2", "Account alice@example.com already added"),
                error("t3", "SIP domain not allowed: elsewhere.org")), transport.sent);
    }

    /**
     * spec §4.4, §4.5.2 {@code account-devicetoken}: for an added account only; an iOS token is split at its first
     * dash into the VoIP and the background token; messaging requests need the account authenticated.
     */
    @Test
    void deviceTokensAndTheAuthenticationOfMessaging_spec_4_4() {
        String token = "{\"sylkrtc\":\"account-devicetoken\",\"transaction\":\"%s\",\"account\":\"%s\","
                + "\"token\":\"voip-back-ground\",\"platform\":\"ios\",\"device\":\"d1\",\"silent\":false,"
                + "\"app\":\"com.example.sylk\"}";
        receive(token.formatted("t1", "alice@example.com"));
        receive(add("t2", "alice@example.com"));
        receive(token.formatted("t3", "alice@example.com"));
        receive("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"t4\",\"account\":\"alice@example.com\"}");
        receive("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"t5\",\"account\":\"bob@example.com\"}");
        assertEquals(List.of(error("t1", "Unknown account specified for token: alice@example.com"), ack("t2"), ack("t3"),
                error("t4", "Account not authenticated"), error("t5", "Unknown account specified: bob@example.com")),
                transport.sent);
        assertEquals(new org.sylkserver.webrtc.messaging.DeviceToken("alice@example.com", "com.example.sylk", "d1", "ios",
                "voip", "back-ground", false, null), connection.accounts().get("alice@example.com").push());
    }

    /** Issue 11 part 3: one connection cannot add accounts (and the registrations behind them) without end. */
    @Test
    void accountsBeyondMaxAccountsPerConnectionAreRefused() {
        int limit = ClientLimits.DEFAULTS.maxAccountsPerConnection();
        for (int i = 0; i < limit; i++) {
            receive(add("t" + i, "user" + i + "@example.com"));
        }
        receive(add("over", "one-more@example.com"));
        assertEquals(ack("t" + (limit - 1)), transport.sent.get(limit - 1));
        assertEquals(error("over", "Too many accounts on this connection (max_accounts_per_connection " + limit + ")"),
                transport.sent.get(limit));
    }

    /** spec §4.3: AOR properties are validated as SIP URIs. */
    @Test
    void anAccountThatIsNoAddressOfRecordIsASchemaError_spec_4_3() {
        receive(add("t1", "alice"));
        receive(add("t2", "sip:@example.com"));
        assertEquals(List.of(
                error("t1", "Invalid value for 'account' property: 'alice' (expected: SIP address of record)"),
                error("t2", "Invalid value for 'account' property: 'sip:@example.com' (expected: SIP address of record)")),
                transport.sent);
    }

    @Test
    void unknownAccountsAreNamedInTheError_spec_4_4() {
        receive("{\"sylkrtc\":\"account-register\",\"transaction\":\"t1\",\"account\":\"bob@example.com\"}");
        receive("{\"sylkrtc\":\"account-unregister\",\"transaction\":\"t2\",\"account\":\"bob@example.com\"}");
        receive("{\"sylkrtc\":\"account-remove\",\"transaction\":\"t3\",\"account\":\"bob@example.com\"}");
        assertEquals(List.of(error("t1", "Unknown account specified for register: bob@example.com"),
                error("t2", "Unknown account specified for unregister: bob@example.com"),
                error("t3", "Unknown account specified for remove: bob@example.com")), transport.sent);
    }

    /**
     * spec §4.5.2 example: the ack, then registration-state events as the registrar answers (the registering event is
     * queued behind the ack on the connection's executor); the AOR without its scheme.
     */
    @Test
    void registeringReportsEachStateOnce_spec_4_5_2() {
        receive(add("t1", "sips:alice@example.com"));
        receive("{\"sylkrtc\":\"account-register\",\"transaction\":\"t2\",\"account\":\"sip:alice@example.com\"}");
        registrations.get(0).response(200, "OK", null, 600);
        assertEquals(List.of(ack("t1"), ack("t2"),
                "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"registration-state\","
                        + "\"state\":\"registering\"}",
                "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"registration-state\","
                        + "\"state\":\"registered\"}"), transport.sent);
        assertEquals(List.of(600), registersSent);
    }

    @Test
    void aFailedRegistrationCarriesTheSipReason_spec_4_5_2() {
        receive(add("t1", "alice@example.com"));
        receive("{\"sylkrtc\":\"account-register\",\"transaction\":\"t2\",\"account\":\"alice@example.com\"}");
        registrations.get(0).response(403, "Forbidden", null, -1);
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"registration-state\","
                + "\"state\":\"failed\",\"reason\":\"403 Forbidden\"}", transport.sent.get(3));
    }

    /** Removing a registered account, or closing the connection, removes the SIP binding (Expires: 0). */
    @Test
    void removingOrClosingUnregisters_rfc3261_s10_2_2() {
        receive(add("t1", "alice@example.com"));
        receive(add("t2", "carol@example.com"));
        receive("{\"sylkrtc\":\"account-register\",\"transaction\":\"t3\",\"account\":\"alice@example.com\"}");
        receive("{\"sylkrtc\":\"account-register\",\"transaction\":\"t4\",\"account\":\"carol@example.com\"}");
        registrations.forEach(registration -> registration.response(200, "OK", null, 600));
        receive("{\"sylkrtc\":\"account-remove\",\"transaction\":\"t5\",\"account\":\"alice@example.com\"}");
        assertEquals(List.of(600, 600, 0), registersSent);
        connection.onClose(1000, "bye");
        assertEquals(List.of(600, 600, 0, 0), registersSent);
    }

    /**
     * spec §4.12 with issue 15's limits: a connection has one IMAP login at a time. Registering one account again and
     * again while its login runs starts no other (its outcome serves the latest register); other accounts' registers
     * wait their turn, and an account removed meanwhile is never logged in. Without this, one client filled the
     * shared pool (max_imap_logins) and everyone else's logins failed as unavailable.
     */
    @Test
    void aConnectionHasOneImapLoginAtATime_spec_4_12() {
        List<String> logins = new ArrayList<>();
        List<CompletableFuture<ImapLogin.Outcome>> outcomes =
                new ArrayList<>();
        ExternalAuth imap = ExternalAuth.imap(
                Map.of("example.com", new ExternalAuth.ImapServer("imap", 993)),
                (server, user, password) -> {
                    logins.add(user);
                    outcomes.add(new CompletableFuture<>());
                    return outcomes.get(outcomes.size() - 1);
                });
        SylkRtcConnectionTest.RecordingTransport sent = new SylkRtcConnectionTest.RecordingTransport();
        SylkRtcConnection client = new SylkRtcConnection("192.0.2.1:40001", sent, Runnable::run,
                RequestCatalogue.SYLKRTC_2, new Gateway(config, registrar, Gateway.notStarted().calls(),
                new IncomingCalls(timer, IncomingCalls.RING_TIMEOUT), Gateway.notStarted().media(),
                Gateway.notStarted().rooms(), null, null, imap));
        for (String user : List.of("alice", "bob", "carol")) {
            client.onText(add("a-" + user, user + "@example.com"), true);
        }
        for (int i = 0; i < 5; i++) {
            client.onText("{\"sylkrtc\":\"account-register\",\"transaction\":\"r" + i
                    + "\",\"account\":\"alice@example.com\"}", true);
        }
        client.onText("{\"sylkrtc\":\"account-register\",\"transaction\":\"rb\",\"account\":\"bob@example.com\"}",
                true);
        client.onText("{\"sylkrtc\":\"account-register\",\"transaction\":\"rc\",\"account\":\"carol@example.com\"}",
                true);
        client.onText("{\"sylkrtc\":\"account-remove\",\"transaction\":\"xb\",\"account\":\"bob@example.com\"}",
                true);
        assertEquals(List.of("alice"), logins, "one login runs; five registers of alice start no other");

        outcomes.get(0).complete(ImapLogin.Outcome.ACCEPTED);
        assertEquals(List.of("alice", "carol"), logins, "then carol's; bob was removed while waiting");
        outcomes.get(1).complete(ImapLogin.Outcome.REFUSED);
        assertEquals(2, logins.size());
        List<String> states = sent.sent.stream().filter(json -> json.contains("registration-state")).toList();
        assertEquals(1, states.stream().filter(json -> json.contains("alice") && json.contains("\"registered\""))
                .count(), states.toString());
        assertEquals(1, states.stream().filter(json -> json.contains("carol") && json.contains("\"failed\""))
                .count(), states.toString());
        assertEquals(0, states.stream().filter(json -> json.contains("bob") && !json.contains("registering")).count(),
                states.toString());
    }
}
