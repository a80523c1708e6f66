package org.sylkserver.webrtc.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.sylkserver.protocols.digest.DigestChallenge;

/** The registration state machine of spec §4.5.2 / RFC 3261 §10.2, driven without a SIP stack. */
class SipRegistrationTest {

    private static final String CHALLENGE = "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"";
    private static final String HA1 = DigestChallenge.ha1("alice", "example.com", "secret");

    private record Sent(int expires, String authorization) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private boolean unreachable;
    private int closed;

    private final SipRegistration.RegisterChannel channel = new SipRegistration.RegisterChannel() {
        @Override
        public String requestUri() {
            return "sip:example.com";
        }

        @Override
        public void send(int expires, String authorization) throws IOException {
            if (unreachable) {
                throw new IOException("no route to the registrar");
            }
            sent.add(new Sent(expires, authorization));
        }

        @Override
        public void close() {
            closed++;
        }
    };

    private final SipRegistration registration = new SipRegistration("alice@example.com", HA1,
            new CredentialRealms("example.com", "proxy.example.net"), channel,
            (state, reason) -> events.add(reason == null ? state : state + ": " + reason), timer);

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /** RFC 3261 §22.2: the 401's challenge is answered once with credentials from the HA1; 200 registers. */
    @Test
    void challengeAnsweredThenRegistered_rfc3261_s22_2() {
        registration.register();
        assertEquals(new Sent(600, null), sent.get(0));
        registration.response(401, "Unauthorized", CHALLENGE, -1);
        assertEquals(2, sent.size());
        String authorization = sent.get(1).authorization();
        assertTrue(authorization.startsWith("Digest username=\"alice\", realm=\"example.com\", nonce=\"n1\""),
                authorization);
        assertTrue(authorization.contains("uri=\"sip:example.com\""), authorization);
        registration.response(200, "OK", null, 300);
        assertEquals(SipRegistration.State.REGISTERED, registration.state());
        assertEquals(List.of("registering", "registered"), events, "events only on change (spec §4.5.2)");
        assertEquals(0, closed, "refreshes and the removal go in the same SIP session (same Call-ID, §10.2)");
    }

    @Test
    void wrongCredentialsFailWithTheRegistrarsReason_spec_4_5_2() {
        registration.register();
        registration.response(401, "Unauthorized", CHALLENGE, -1);
        registration.response(401, "Unauthorized", CHALLENGE.replace("n1", "n2"), -1);
        assertEquals(2, sent.size(), "no endless retry with credentials the registrar refused");
        assertEquals(SipRegistration.State.FAILED, registration.state());
        assertEquals(1, closed, "a failed registration lets its SIP session go");
        assertEquals(List.of("registering", "failed: 401 Unauthorized"), events);
    }

    /**
     * Issue 11: credentials made from the HA1 go only to the account's realm (its domain) and the outbound proxy's; a
     * challenge from any other realm fails the registration without an Authorization (RFC 3261 §22.2 leaves the
     * choice to the UA).
     */
    @Test
    void onlyTheAccountsRealmAndTheOutboundProxyGetCredentials_rfc3261_s22_2() {
        registration.register();
        registration.response(401, "Unauthorized", CHALLENGE.replace("example.com", "attacker.example.org"), -1);
        assertEquals(List.of(new Sent(600, null)), sent);
        assertEquals(List.of("registering", "failed: 401 Unauthorized"), events);
        registration.register();
        registration.response(407, "Proxy Authentication Required", CHALLENGE.replace("example.com",
                "Proxy.Example.NET"), -1);
        assertTrue(sent.get(2).authorization().contains("realm=\"Proxy.Example.NET\""), sent.toString());
        CredentialRealms realms = new CredentialRealms("example.com", null);
        assertTrue(realms.allows("EXAMPLE.com"));
        assertFalse(realms.allows("example.com.attacker.org"));
        assertFalse(realms.allows(null));
    }

    /** RFC 2617 §3.2.1: stale=true means the credentials were right: retry with the new nonce. */
    @Test
    void aStaleNonceIsRetried_rfc2617_s3_2_1() {
        registration.register();
        registration.response(401, "Unauthorized", CHALLENGE, -1);
        registration.response(401, "Unauthorized", CHALLENGE.replace("n1", "n2") + ", stale=true", -1);
        assertEquals(3, sent.size());
        assertTrue(sent.get(2).authorization().contains("nonce=\"n2\""));
        registration.response(200, "OK", null, 600);
        assertEquals(SipRegistration.State.REGISTERED, registration.state());
    }

    @Test
    void aRefusalOtherThanAChallengeFails() {
        registration.register();
        registration.response(403, "Forbidden", null, -1);
        assertEquals(List.of("registering", "failed: 403 Forbidden"), events);
    }

    /** RFC 3261 §10.2.2: unregistering sends Expires: 0 (with credentials when challenged) and reports nothing. */
    @Test
    void unregisterRemovesTheBinding_rfc3261_s10_2_2() {
        registration.register();
        registration.response(200, "OK", null, 600);
        registration.unregister();
        assertEquals(0, sent.get(1).expires());
        registration.response(401, "Unauthorized", CHALLENGE, -1);
        assertEquals(0, sent.get(2).expires());
        assertTrue(sent.get(2).authorization() != null);
        assertEquals(0, closed, "the removal goes in the registration's SIP session");
        registration.response(200, "OK", null, -1);
        assertEquals(1, closed, "an ended registration lets its SIP session go");
        assertEquals(SipRegistration.State.ENDED, registration.state());
        assertEquals(List.of("registering", "registered"), events);
    }

    @Test
    void unregisteringWithoutABindingSendsNothing() {
        registration.unregister();
        assertEquals(SipRegistration.State.ENDED, registration.state());
        assertTrue(sent.isEmpty());
    }

    @Test
    void anUnreachableRegistrarFails() {
        unreachable = true;
        registration.register();
        assertEquals(SipRegistration.State.FAILED, registration.state());
        assertEquals("failed: 408 no route to the registrar", events.get(1));
    }

    /** RFC 3261 §10.2.4: the binding is refreshed before it expires (here 10 s after a 10 s grant: the minimum). */
    @Test
    void theBindingIsRefreshedBeforeItExpires_rfc3261_s10_2_4() throws Exception {
        registration.register();
        registration.response(200, "OK", null, 1);
        assertEquals(1, sent.size());
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (sent.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        synchronized (registration) {
            assertEquals(2, sent.size(), "refresh sent");
            assertEquals(600, sent.get(1).expires());
            assertNull(sent.get(1).authorization(), "no challenge seen yet: no credentials");
        }
    }
}
