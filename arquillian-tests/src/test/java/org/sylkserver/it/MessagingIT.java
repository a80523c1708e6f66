package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messaging for Sylk clients (spec §4.8, §4.9) end to end: sylkRTC WebSocket clients as alice's devices, sipp as the
 * proxy/registrar of example.com (the outbound proxy: it takes the gateway's REGISTERs and MESSAGEs) and as bob's
 * phone sending MESSAGEs that the proxy forks to the gateway ({@code X-Sylk-App: webrtcgateway}, spec §2.3).
 */
@ExtendWith(ArquillianExtension.class)
class MessagingIT {

    private static final int PROXY_PORT = Sipp.freePortUnchecked();
    private static final int PUSH_PORT = Sipp.freePortUnchecked();

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PROXY_PORT
                + ";transport=udp\nsip_domains = example.com\nmax_message_body_size = 2048\n"
                + "sylk_push_url = http://127.0.0.1:" + PUSH_PORT + "/push\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    /**
     * The proxy of example.com: each of its calls (sipp's unit: one Call-ID) answers one REGISTER with 200 (the
     * binding for 600 s) or one MESSAGE with 200.
     */
    static String proxy() {
        return Scenarios.registrarOrMessage("""
                  <send><![CDATA[

                SIP/2.0 200 OK
                [last_Via:]
                [last_From:]
                [last_To:];tag=[pid]proxy[call_number]
                [last_Call-ID:]
                [last_CSeq:]
                Content-Length: 0

                  ]]></send>
                """);
    }

    /** bob's phone: one MESSAGE for alice as the proxy forks it to the gateway, expecting {@code status}. */
    static String bobSends(String contentType, String body, int status) {
        return sends("\"Bob\" <sip:bob@example.com>", "alice@example.com", contentType, body, status);
    }

    /** A SIP device's MESSAGE from {@code from} to {@code to}, forked to the gateway, expecting {@code status}. */
    private static String sends(String from, String to, String contentType, String body, int status) {
        return """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="bob">
                  <send retrans="500"><![CDATA[

                MESSAGE sip:%2$s SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: %1$s;tag=[call_number]
                To: <sip:%2$s>
                Call-ID: [call_id]
                CSeq: 1 MESSAGE
                Max-Forwards: 70
                X-Sylk-App: webrtcgateway
                Content-Type: %3$s
                Content-Length: [len]

                %4$s]]></send>
                  <recv response="%5$d"/>
                </scenario>
                """.formatted(from, to, contentType, body, status);
    }

    static String cpim(String id, String contentType, String content) {
        return String.join("\n", "From: \"Bob\" <sip:bob@example.com>", "To: <sip:alice@example.com>",
                "DateTime: 2026-01-01T10:00:00Z", "NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: " + id,
                "imdn.Disposition-Notification: positive-delivery, display", "", "Content-Type: " + contentType, "",
                content);
    }

    static SylkRtcClient alice(String name) throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"" + name + "a\",\"account\":\"alice@example.com\","
                + "\"password\":\"" + SylkRtcCallIT.md5("alice:example.com:secret") + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "a"), client.next());
        return client;
    }

    static void register(SylkRtcClient client, String name) throws Exception {
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"" + name + "r\",\"account\":\"alice@example.com\"}");
        assertEquals(SylkRtcCallIT.ack(name + "r"), client.next());
        expect(client, "\"state\":\"registering\"");
        expect(client, "\"state\":\"registered\"");
    }

    /** The frames up to the first containing every one of {@code parts}; fails after 10 s without it. */
    static String expect(SylkRtcClient client, String... parts) throws Exception {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String frame = client.next(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (frame == null) {
                break;
            }
            seen.add(frame);
            if (List.of(parts).stream().allMatch(frame::contains)) {
                return frame;
            }
        }
        throw new AssertionError("no frame with " + List.of(parts) + " among " + seen);
    }

    /**
     * spec §4.4 Auth, §4.8.1-4.8.4: before registering alice may not send; registered on two devices, one sends (the
     * other gets the sync event, both the accepted disposition), bob's MESSAGE reaches both, bob's IMDN marks alice's
     * message delivered, alice's IMDN goes to bob, a third device syncs the whole journal, and alice's SIP phone gets a
     * history API token that opens her journal over HTTP; bob's message is pushed to the phone's device token (§4.11).
     */
    @Test
    void sendReceiveNotifyAndSync_spec_4_8() throws Exception {
        // three REGISTERs, alice's two messages and her IMDN, the gateway's API token reply
        Sipp.Running proxy = Sipp.scenario(work.resolve("proxy"), proxy()).waitingForRequests().localPort(PROXY_PORT)
                .calls(7).timeoutSeconds(50).start();
        // sylk-push stand-in (spec §4.11)
        BlockingQueue<String> pushes = new LinkedBlockingQueue<>();
        HttpServer pushServer = HttpServer.create(new InetSocketAddress("127.0.0.1", PUSH_PORT), 0);
        pushServer.createContext("/push", exchange -> {
            pushes.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        pushServer.start();
        SylkRtcClient phone = alice("p");
        phone.send("{\"sylkrtc\":\"account-devicetoken\",\"transaction\":\"pt\",\"account\":\"alice@example.com\","
                + "\"token\":\"voip-bg\",\"platform\":\"ios\",\"device\":\"phone-1\",\"silent\":false,"
                + "\"app\":\"com.example.sylk\"}");
        assertEquals(SylkRtcCallIT.ack("pt"), phone.next());
        phone.send("{\"sylkrtc\":\"account-message\",\"transaction\":\"early\",\"account\":\"alice@example.com\","
                + "\"uri\":\"bob@example.com\",\"message_id\":\"m0\",\"content\":\"hi\",\"content_type\":\"text/plain\","
                + "\"timestamp\":\"2026-01-01T09:59:00.000Z\"}");
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"early\",\"error\":\"Account not authenticated\"}",
                phone.next());
        register(phone, "p");
        SylkRtcClient laptop = alice("l");
        register(laptop, "l");

        // alice sends from her phone (spec §4.8.1)
        phone.send("{\"sylkrtc\":\"account-message\",\"transaction\":\"t1\",\"account\":\"alice@example.com\","
                + "\"uri\":\"bob@example.com\",\"message_id\":\"m1\",\"content\":\"Hello Bob\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2026-01-01T10:00:00.000Z\"}");
        assertEquals(SylkRtcCallIT.ack("t1"), phone.next());
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"sync\",\"type\":\"message\","
                + "\"action\":\"add\",\"content\":{\"transaction\":\"t1\",\"sylkrtc\":\"account-message\","
                + "\"account\":\"alice@example.com\",\"uri\":\"bob@example.com\",\"message_id\":\"m1\",\"content\":\"Hello Bob\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2026-01-01T10:00:00.000Z\"}}", laptop.next());
        String accepted = "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"disposition-notification\","
                + "\"message_id\":\"m1\",\"message_timestamp\":\"2026-01-01T10:00:00+00:00\",\"state\":\"accepted\","
                + "\"code\":200,\"reason\":\"OK\"}";
        assertEquals(accepted, phone.next(Duration.ofSeconds(10)));
        assertEquals(accepted, laptop.next(Duration.ofSeconds(10)));

        // bob writes back: the proxy forks his MESSAGE to the gateway (spec §4.8.2)
        Sipp.Result hello = Sipp.scenario(work.resolve("bob1"),
                bobSends("message/cpim", cpim("b1", "text/plain", "Hello Alice"), 200)).run();
        assertEquals(0, hello.exitCode(), hello::toString);
        String message = "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"message\","
                + "\"sender\":{\"uri\":\"bob@example.com\",\"display_name\":\"Bob\"},\"timestamp\":\"2026-01-01T10:00:00+00:00\","
                + "\"disposition_notification\":[\"positive-delivery\",\"display\"],\"message_id\":\"b1\","
                + "\"content_type\":\"text/plain\",\"content\":\"Hello Alice\"}";
        assertEquals(message, phone.next());
        assertEquals(message, laptop.next());
        String push = pushes.poll(5, TimeUnit.SECONDS);
        assertTrue(push != null && push.startsWith("{\"platform\":\"ios\",\"app-id\":\"com.example.sylk\",\"token\":\"bg\","
                + "\"device-id\":\"phone-1\",\"silent\":0,") && push.endsWith("\"event\":\"message\",\"from\":\"bob@example.com\","
                + "\"from-display-name\":\"Bob\",\"media-type\":\"sms\",\"to\":\"alice@example.com\",\"badge\":1,"
                + "\"content-type\":\"text/plain\",\"content\":\"Hello Alice\"}"), String.valueOf(push));

        // bob's phone reports m1 delivered (spec §4.8.3)
        Sipp.Result delivered = Sipp.scenario(work.resolve("bob2"), bobSends("message/cpim", cpim("b2",
                "message/imdn+xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">"
                        + "<message-id>m1</message-id><datetime>2026-01-01T10:00:00Z</datetime>"
                        + "<delivery-notification><status><delivered/></status></delivery-notification></imdn>"), 200)).run();
        assertEquals(0, delivered.exitCode(), delivered::toString);
        String deliveredEvent = "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"disposition-notification\","
                + "\"message_id\":\"m1\",\"message_timestamp\":\"2026-01-01T10:00:00+00:00\",\"state\":\"delivered\","
                + "\"code\":200,\"reason\":\"\"}";
        assertEquals(deliveredEvent, phone.next());
        assertEquals(deliveredEvent, laptop.next());

        // is-composing is neither stored nor delivered (spec §4.9)
        Sipp.Result composing = Sipp.scenario(work.resolve("bob3"), bobSends("application/im-iscomposing+xml",
                "<?xml version=\"1.0\"?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state></isComposing>",
                200)).run();
        assertEquals(0, composing.exitCode(), composing::toString);

        // alice's laptop says she read bob's message: an IMDN to bob (spec §4.8.3)
        laptop.send("{\"sylkrtc\":\"account-disposition-notification\",\"transaction\":\"t2\",\"account\":\"alice@example.com\","
                + "\"uri\":\"bob@example.com\",\"message_id\":\"b1\",\"state\":\"displayed\",\"timestamp\":\"2026-01-01T10:00:05.000Z\"}");
        assertEquals(SylkRtcCallIT.ack("t2"), laptop.next());

        // a new device syncs everything (spec §4.8.4)
        SylkRtcClient tablet = alice("t");
        register(tablet, "t");
        tablet.send("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"t3\",\"account\":\"alice@example.com\"}");
        assertEquals(SylkRtcCallIT.ack("t3"), tablet.next());
        String sync = tablet.next();
        assertTrue(sync.startsWith("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"sync-conversations\","
                + "\"messages\":[{\"contact\":\"bob@example.com\",\"timestamp\":\"2026-01-01T10:00:00+00:00\",\"disposition\":[\"display\"],"
                + "\"message_id\":\"m1\",\"content_type\":\"text/plain\",\"content\":\"Hello Bob\",\"direction\":\"outgoing\","
                + "\"state\":\"delivered\"},{\"contact\":\"bob@example.com\",\"timestamp\":\"2026-01-01T10:00:00+00:00\","
                + "\"disposition\":[],\"message_id\":\"b1\",\"content_type\":\"text/plain\",\"content\":\"Hello Alice\","
                + "\"direction\":\"incoming\",\"state\":\"received\"},{\"contact\":\"bob@example.com\""), sync);
        assertTrue(sync.contains("\"message_id\":\"b2\",\"content_type\":\"message/imdn\""), sync);
        assertTrue(!sync.contains("iscomposing") && !sync.contains("m0"), sync);
        // only after what it syncs: nothing new since bob's IMDN entry
        tablet.send("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"t4\",\"account\":\"alice@example.com\","
                + "\"message_id\":\"b2\"}");
        assertEquals(SylkRtcCallIT.ack("t4"), tablet.next());
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"sync-conversations\","
                + "\"messages\":[]}", tablet.next());

        // alice's SIP phone asks for a history API token: the gateway sends it to her AOR (spec §4.9)
        Sipp.Result tokenRequest = Sipp.scenario(work.resolve("token"), sends("<sip:alice@example.com>", "alice@example.com",
                "application/sylk-api-token", "{}", 200)).run();
        assertEquals(0, tokenRequest.exitCode(), tokenRequest::toString);

        phone.send("{\"sylkrtc\":\"account-message\",\"transaction\":\"t5\",\"account\":\"alice@example.com\","
                + "\"uri\":\"bob@example.com\",\"message_id\":\"m2\",\"content\":\"Bye\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2026-01-01T10:01:00.000Z\"}");
        assertEquals(SylkRtcCallIT.ack("t5"), phone.next());
        Sipp.Result result = proxy.await();
        assertEquals(0, result.exitCode(), result::toString);
        String sent = result.messages();
        assertTrue(sent.contains("Content-Type: message/cpim"), sent);
        assertTrue(sent.contains("imdn.Message-ID: m1"), sent);
        assertTrue(sent.contains("imdn.Disposition-Notification: positive-delivery, display"), sent);
        assertTrue(sent.contains("From: \"Alice\" <sip:alice@example.com>") || sent.contains("From: <sip:alice@example.com>"), sent);
        assertTrue(sent.contains("<message-id>b1</message-id>") && sent.contains("<displayed/>"), sent);
        assertTrue(sent.contains(";pn-app=com.example.sylk") && sent.contains(";pn-tok=voip-bg"), sent);
        assertEquals(null, pushes.poll(), "is-composing and IMDNs are not pushed");
        pushServer.stop(0);

        // the history API with that token (spec §4.13); 401 without it
        Matcher token = Pattern.compile("\\{\"token\":\"([A-Za-z0-9_-]+)\",\"url\":\"(http://[^\"]+)\"\\}").matcher(sent);
        assertTrue(token.find(), sent);
        assertTrue(token.group(2).endsWith("/webrtcgateway/messages/history/alice@example.com"), token.group(2));
        HttpClient http = HttpClient.newHttpClient();
        URI history = URI.create("http://127.0.0.1:18088/webrtcgateway/messages/history/alice@example.com/b1");
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(history).header("Authorization", "Apikey " + token.group(1))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().startsWith("{\"account\":\"alice@example.com\",\"messages\":[{\"contact\":\"bob@example.com\""),
                page.body());
        assertTrue(page.body().contains("\"message_id\":\"m2\"") && !page.body().contains("\"message_id\":\"b1\""), page.body());
        assertEquals(401, http.send(HttpRequest.newBuilder(history).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(401, http.send(HttpRequest.newBuilder(history).header("Authorization", "Apikey guessed").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        phone.close();
        laptop.close();
        tablet.close();
    }

    /**
     * RFC 3261 §17.1.2.2: a MESSAGE that gets no final response ends with Timer F (64*T1, 32 s), and the container
     * hands the gateway a 408 (JSR 289 §11.1.4), so the stored message fails with it (spec §4.8.1 step 5) on every
     * device of the account: no timer of our own is needed. The proxy takes the REGISTER and then stays silent.
     */
    @Test
    void aMessageWithoutFinalResponseFailsWith408_rfc3261_17_1_2_2() throws Exception {
        Sipp.Running proxy = Sipp.scenario(work.resolve("silent"), Scenarios.registrarOrMessage(
                "  <pause milliseconds=\"36000\"/>\n")).waitingForRequests().localPort(PROXY_PORT).calls(2)
                .timeoutSeconds(55).start();
        // carol: alice's journal is another test's
        SylkRtcClient phone = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", phone.next());
        phone.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"xa\",\"account\":\"carol@example.com\","
                + "\"password\":\"" + SylkRtcCallIT.md5("carol:example.com:secret") + "\"}");
        assertEquals(SylkRtcCallIT.ack("xa"), phone.next());
        phone.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"xr\",\"account\":\"carol@example.com\"}");
        assertEquals(SylkRtcCallIT.ack("xr"), phone.next());
        expect(phone, "\"state\":\"registered\"");
        long sent = System.nanoTime();
        phone.send("{\"sylkrtc\":\"account-message\",\"transaction\":\"x1\",\"account\":\"carol@example.com\","
                + "\"uri\":\"bob@example.com\",\"message_id\":\"lost1\",\"content\":\"Anyone?\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2026-01-01T11:00:00.000Z\"}");
        assertEquals(SylkRtcCallIT.ack("x1"), phone.next());
        String failed = phone.next(Duration.ofSeconds(45));
        long waited = Duration.ofNanos(System.nanoTime() - sent).toSeconds();
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"carol@example.com\",\"event\":\"disposition-notification\","
                + "\"message_id\":\"lost1\",\"message_timestamp\":\"2026-01-01T11:00:00+00:00\",\"state\":\"failed\","
                + "\"code\":408,\"reason\":\"Request timeout\"}", failed);
        assertTrue(waited >= 30 && waited <= 40, "failed after " + waited + " s");
        phone.send("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"x2\",\"account\":\"carol@example.com\"}");
        assertEquals(SylkRtcCallIT.ack("x2"), phone.next());
        String sync = phone.next();
        assertTrue(sync.contains("\"message_id\":\"lost1\",\"content_type\":\"text/plain\",\"content\":\"Anyone?\","
                + "\"direction\":\"outgoing\",\"state\":\"failed\""), sync);
        proxy.await();
        phone.close();
    }

    /**
     * spec §4.8.2: bad MESSAGEs get 400 (unparsable CPIM, IMDN, empty body), an oversized one 413
     * ({@code max_message_body_size}), and nothing else happens.
     */
    @Test
    void badMessagesAreRefused_spec_4_8_2() throws Exception {
        Sipp.Result badCpim = Sipp.scenario(work.resolve("cpim"), bobSends("message/cpim",
                "From bob\nno header block end", 400)).run();
        assertEquals(0, badCpim.exitCode(), badCpim::toString);
        Sipp.Result badImdn = Sipp.scenario(work.resolve("imdn"), bobSends("message/cpim",
                cpim("x1", "message/imdn+xml", "<imdn"), 400)).run();
        assertEquals(0, badImdn.exitCode(), badImdn::toString);
        Sipp.Result big = Sipp.scenario(work.resolve("big"), bobSends("text/plain", "x".repeat(3000), 413)).run();
        assertEquals(0, big.exitCode(), big::toString);
    }
}
