package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local_sip_messages} (spec §4.8.1 step 3, §4.9, §8.3) end to end: a server without a proxy that forks MESSAGEs
 * back to it. sipp is only the registrar of example.com (the outbound proxy takes the REGISTERs); the MESSAGEs the
 * gateway sends for alice and bob go to the server's own SIP TCP listener with {@code X-Sylk-App: webrtcgateway}, and
 * the gateway, getting them back, stores and delivers them once.
 */
@ExtendWith(ArquillianExtension.class)
class LocalSipMessagesIT {

    private static final int PROXY_PORT = Sipp.freePortUnchecked();

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PROXY_PORT
                + ";transport=udp\nsip_domains = example.com\nlocal_sip_messages = true\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    /** Fails if {@code client} gets another frame within 2 s: nothing sent twice. */
    private static void nothingMore(SylkRtcClient client, String who) throws InterruptedException {
        assertNull(client.next(Duration.ofSeconds(2)), who + " got more");
    }

    private static int count(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int found = 0;
        while (matcher.find()) {
            found++;
        }
        return found;
    }

    /**
     * spec §4.8.1 step 3: alice's message goes to the server itself and the gateway delivers it to bob's connection
     * (spec §4.8.2), once; it is accepted with the gateway's own 200 (step 5) on both of alice's devices. bob's IMDN
     * (spec §4.8.3) takes the same way back to alice. Each journal holds the message once, and the registrar never saw
     * a MESSAGE.
     */
    @Test
    void messagesGoThroughTheServerItself_spec_4_8_1() throws Exception {
        Sipp.Running registrar = Sipp.scenario(work.resolve("registrar"), Scenarios.acceptingRegistrar()).waitingForRequests()
                .localPort(PROXY_PORT).calls(3).timeoutSeconds(50).start();
        SylkRtcClient phone = SylkRtcClient.registered("alice", "p");
        SylkRtcClient laptop = SylkRtcClient.registered("alice", "l");
        SylkRtcClient bob = SylkRtcClient.registered("bob", "b");

        phone.send("{\"sylkrtc\":\"account-message\",\"transaction\":\"t1\",\"account\":\"alice@example.com\","
                + "\"uri\":\"bob@example.com\",\"message_id\":\"loop1\",\"content\":\"Hello Bob\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2026-01-01T10:00:00.000Z\"}");
        assertEquals(SylkRtcCallIT.ack("t1"), phone.next());
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"sync\",\"type\":\"message\","
                + "\"action\":\"add\",\"content\":{\"transaction\":\"t1\",\"sylkrtc\":\"account-message\","
                + "\"account\":\"alice@example.com\",\"uri\":\"bob@example.com\",\"message_id\":\"loop1\",\"content\":\"Hello Bob\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2026-01-01T10:00:00.000Z\"}}", laptop.next());
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"bob@example.com\",\"event\":\"message\","
                + "\"sender\":{\"uri\":\"alice@example.com\",\"display_name\":null},\"timestamp\":\"2026-01-01T10:00:00+00:00\","
                + "\"disposition_notification\":[\"positive-delivery\",\"display\"],\"message_id\":\"loop1\","
                + "\"content_type\":\"text/plain\",\"content\":\"Hello Bob\"}", bob.next(Duration.ofSeconds(10)));
        String accepted = "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"disposition-notification\","
                + "\"message_id\":\"loop1\",\"message_timestamp\":\"2026-01-01T10:00:00+00:00\",\"state\":\"accepted\","
                + "\"code\":200,\"reason\":\"OK\"}";
        assertEquals(accepted, phone.next(Duration.ofSeconds(10)));
        assertEquals(accepted, laptop.next(Duration.ofSeconds(10)));

        // bob's device reports it delivered: his IMDN comes back to the gateway too (spec §4.8.3)
        bob.send("{\"sylkrtc\":\"account-disposition-notification\",\"transaction\":\"b1\",\"account\":\"bob@example.com\","
                + "\"uri\":\"alice@example.com\",\"message_id\":\"loop1\",\"state\":\"delivered\","
                + "\"timestamp\":\"2026-01-01T10:00:00.000Z\"}");
        assertEquals(SylkRtcCallIT.ack("b1"), bob.next());
        String delivered = "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"disposition-notification\","
                + "\"message_id\":\"loop1\",\"message_timestamp\":\"2026-01-01T10:00:00+00:00\",\"state\":\"delivered\","
                + "\"code\":200,\"reason\":\"\"}";
        assertEquals(delivered, phone.next(Duration.ofSeconds(10)));
        assertEquals(delivered, laptop.next(Duration.ofSeconds(10)));
        nothingMore(phone, "alice's phone");
        nothingMore(laptop, "alice's laptop");
        nothingMore(bob, "bob");

        // each journal has the message once: alice's outgoing copy, delivered, and bob's incoming one (spec §4.8.4)
        phone.send("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"s1\",\"account\":\"alice@example.com\"}");
        assertEquals(SylkRtcCallIT.ack("s1"), phone.next());
        String aliceSync = phone.next();
        assertEquals(1, count(aliceSync, "\"message_id\":\"loop1\""), aliceSync);
        assertTrue(aliceSync.contains("\"message_id\":\"loop1\",\"content_type\":\"text/plain\",\"content\":\"Hello Bob\","
                + "\"direction\":\"outgoing\",\"state\":\"delivered\""), aliceSync);
        bob.send("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"s2\",\"account\":\"bob@example.com\"}");
        assertEquals(SylkRtcCallIT.ack("s2"), bob.next());
        String bobSync = bob.next();
        assertEquals(1, count(bobSync, "\"message_id\":\"loop1\""), bobSync);
        // the whole suite shares one server: bob's journal also holds other tests' messages, so look at this one's
        Matcher entry = Pattern.compile("\\{[^{}]*\"message_id\":\"loop1\"[^{}]*\\}").matcher(bobSync);
        assertTrue(entry.find(), bobSync);
        assertTrue(entry.group().contains("\"contact\":\"alice@example.com\"")
                && entry.group().contains("\"direction\":\"incoming\""), entry.group());

        Sipp.Result result = registrar.await();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(!result.messages().contains("MESSAGE sip:"), result.messages());
        phone.close();
        laptop.close();
        bob.close();
    }
}
