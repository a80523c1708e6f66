package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 "Bad input and failure": a message is acknowledged only once it is durably stored. The assembled server
 * runs as its own process and is killed with SIGKILL ({@link Process#destroyForcibly()} of the server's JVM) while
 * 10,000 messages flow to and from alice: 5,000 {@code account-message} requests from her two sylkRTC devices (the
 * acknowledgement is the {@code ack}, spec §4.8.1) and 5,000 SIP MESSAGEs from bob's phone, sipp, that the proxy
 * forks to the gateway (the acknowledgement is the 200, spec §4.8.2). Restarted on the same {@code var/} directory,
 * every acknowledged message is in alice's journal, as a sync from a new device gives it (spec §4.8.4), exactly once;
 * MESSAGEs that sipp retransmits across the restart and messages her devices send again are not stored twice.
 */
class MessageDurabilityIT {

    private static final String ACCOUNT = "alice@example.com";
    private static final int PER_DEVICE = 2_500;
    private static final int SIP_MESSAGES = 5_000;
    /** sylkRTC requests a device has in flight: under {@code max_pending_requests} (100), as a well-behaved client. */
    private static final int WINDOW = 50;
    /**
     * The server is killed once its devices have this many acknowledgements, or {@link #KILL_AFTER} into the flow,
     * whichever comes first: midway through both flows (bob's phone sends for 12.5 s). On a loaded machine the first
     * acknowledgements may come late: the kill then waits for at least {@link #KILL_AFTER_AT_LEAST} of them (a kill
     * before any would prove nothing), for at most {@link #KILL_AT_THE_LATEST}.
     */
    private static final int KILL_AFTER_ACKS = 2_000;
    private static final Duration KILL_AFTER = Duration.ofSeconds(5);
    private static final int KILL_AFTER_AT_LEAST = 100;
    private static final Duration KILL_AT_THE_LATEST = Duration.ofSeconds(30);
    private static final Pattern ACK = Pattern.compile("^\\{\"sylkrtc\":\"(ack|error)\",\"transaction\":\"([^\"]+)\"");
    private static final Pattern MESSAGE_ID = Pattern.compile("\"message_id\":\"([^\"]+)\"");

    @TempDir
    Path work;

    private int sipPort;
    private int webPort;
    private Path config;
    private Path log;

    /** bob's phone: one CPIM MESSAGE for alice per call, forked to the gateway; each 200 is logged as acknowledged. */
    private static String bobSends() {
        return """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="bob">
                  <send retrans="500"><![CDATA[

                MESSAGE sip:alice@example.com SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bob" <sip:bob@example.com>;tag=[call_number]
                To: <sip:alice@example.com>
                Call-ID: [call_id]
                CSeq: 1 MESSAGE
                Max-Forwards: 70
                X-Sylk-App: webrtcgateway
                Content-Type: message/cpim
                Content-Length: [len]

                %s]]></send>
                  <recv response="200" timeout="15000"/>
                  <nop><action><log message="acked sip-[call_number]"/></action></nop>
                </scenario>
                """.formatted(MessagingIT.cpim("sip-[call_number]", "text/plain", "Hello Alice [call_number]"));
    }

    @Test
    void everyAcknowledgedMessageSurvivesKill9() throws Exception {
        sipPort = Sipp.freePort();
        webPort = Sipp.freePort();
        int proxyPort = Sipp.freePort();
        config = Files.createDirectories(work.resolve("config"));
        Files.writeString(config.resolve("webrtcgateway.ini"), "[General]\noutbound_sip_proxy = 127.0.0.1:" + proxyPort
                + ";transport=udp\nsip_domains = example.com\n");
        log = work.resolve("server.log");
        // the proxy of example.com answers the gateway's REGISTERs and alice's MESSAGEs, before and after the kill
        Sipp.Running proxy = Sipp.scenario(work.resolve("proxy"), MessagingIT.proxy()).waitingForRequests()
                .localPort(proxyPort).calls(3 * SIP_MESSAGES).timeoutSeconds(300).withoutMessageTrace().start();
        Process server = start();
        try {
            SylkRtcClient phone = device("p");
            SylkRtcClient laptop = device("l");
            Sipp.Running bob = Sipp.scenario(work.resolve("bob"), bobSends()).serverPort(sipPort).rate(400)
                    .calls(SIP_MESSAGES).timeoutSeconds(55).withoutMessageTrace().start();
            AtomicInteger acks = new AtomicInteger();
            Sender phoneSends = new Sender(phone, "p", acks);
            Sender laptopSends = new Sender(laptop, "l", acks);
            phoneSends.start();
            laptopSends.start();
            long flowing = System.nanoTime();
            long deadline = flowing + KILL_AFTER.toNanos();
            long latest = flowing + KILL_AT_THE_LATEST.toNanos();
            while (acks.get() < KILL_AFTER_ACKS
                    && (System.nanoTime() < deadline || acks.get() < KILL_AFTER_AT_LEAST)
                    && System.nanoTime() < latest) {
                Thread.sleep(1);
            }
            long killed = System.nanoTime();
            server.destroyForcibly();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the server's JVM is gone");
            assertEquals(137, server.exitValue(), "killed by SIGKILL");
            phoneSends.join(30_000);
            laptopSends.join(30_000);
            Set<String> ackedByServer = new HashSet<>(phoneSends.acked);
            ackedByServer.addAll(laptopSends.acked);
            assertTrue(ackedByServer.size() > 0 && ackedByServer.size() < 2 * PER_DEVICE,
                    "killed midway: " + ackedByServer.size() + " of " + 2 * PER_DEVICE + " account-messages acknowledged");

            // restarted on the same var/ while bob's phone goes on sending and retransmitting
            server = start();
            long restarted = System.nanoTime();
            SylkRtcClient tablet = device("t");
            // what a device does after a reconnection: it sends again what was not acknowledged
            List<String> unacknowledged = new ArrayList<>();
            for (Sender sender : List.of(phoneSends, laptopSends)) {
                for (int i = 0; i < PER_DEVICE; i++) {
                    if (!sender.acked.contains(sender.id(i))) {
                        unacknowledged.add(sender.id(i));
                    }
                }
            }
            Sender resends = new Sender(tablet, "t", new AtomicInteger(), unacknowledged);
            resends.run();
            assertEquals(unacknowledged.size(), resends.acked.size(), "every message sent again is acknowledged");

            Sipp.Result sent = bob.await();
            Set<String> ackedBySip = new HashSet<>();
            Matcher logged = Pattern.compile("acked (sip-\\d+)").matcher(sent.log());
            while (logged.find()) {
                ackedBySip.add(logged.group(1));
            }
            assertTrue(ackedBySip.size() > 100 && ackedBySip.size() <= SIP_MESSAGES,
                    ackedBySip.size() + " MESSAGEs acknowledged\n" + sent.errors());

            long syncStart = System.nanoTime();
            List<String> journal = sync(tablet);
            System.out.printf("killed %d ms into the flow, after %d acknowledged account-messages; restarted in %d ms;"
                    + " %d sent again;"
                    + " %d of %d MESSAGEs acknowledged; journal of %d entries synced in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(killed - flowing), ackedByServer.size(),
                    TimeUnit.NANOSECONDS.toMillis(restarted - killed), unacknowledged.size(), ackedBySip.size(),
                    SIP_MESSAGES, journal.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - syncStart));
            Map<String, Integer> counts = new HashMap<>();
            journal.forEach(id -> counts.merge(id, 1, Integer::sum));
            List<String> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            assertEquals(0, twice.size(), () -> twice.size() + " journal entries stored twice: " + first(twice));
            List<String> lost = new ArrayList<>();
            for (Sender sender : List.of(phoneSends, laptopSends)) {
                for (int i = 0; i < PER_DEVICE; i++) {
                    if (!counts.containsKey(sender.id(i))) {
                        lost.add(sender.id(i));
                    }
                }
            }
            ackedBySip.stream().filter(id -> !counts.containsKey(id)).forEach(lost::add);
            assertEquals(0, lost.size(), () -> lost.size() + " acknowledged messages missing after the restart: " + first(lost));
            tablet.close();
        } finally {
            server.destroyForcibly();
            proxy.process().destroy();
        }
        assertFalse(Files.readString(log, StandardCharsets.UTF_8).contains("SEVERE"),
                () -> "server log:\n" + tail(log));
    }

    private Process start() throws Exception {
        return ServerProcess.start(log, "--config-dir", config.toString(), "--var-dir", work.resolve("var").toString(),
                "--set", "Server.log_level=warning", "--set", "SIP.local_ip=127.0.0.1",
                "--set", "SIP.local_udp_port=" + sipPort, "--set", "SIP.local_tcp_port=" + sipPort,
                "--set", "SIP.local_tls_port=" + Sipp.freePort(), "--set", "WebServer.local_ip=127.0.0.1",
                "--set", "WebServer.local_port=" + webPort);
    }

    /** One of alice's devices, her account added and registered (messaging needs that, spec §4.4 Auth). */
    private SylkRtcClient device(String name) throws Exception {
        SylkRtcClient client = SylkRtcClient.connect(URI.create("ws://127.0.0.1:" + webPort + "/webrtcgateway/ws"),
                "sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"" + name + "a\",\"account\":\"" + ACCOUNT + "\","
                + "\"password\":\"" + SylkRtcCallIT.md5("alice:example.com:secret") + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "a"), client.next());
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"" + name + "r\",\"account\":\"" + ACCOUNT + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "r"), client.next());
        client.expect("\"state\":\"registered\"");
        return client;
    }

    /** alice's whole journal, synced 5,000 entries at a time (the default window, spec §4.8.4), in storage order. */
    private static List<String> sync(SylkRtcClient client) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int page = 0; ; page++) {
            String after = ids.isEmpty() ? "" : ",\"message_id\":\"" + ids.get(ids.size() - 1) + "\"";
            client.send("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"sync" + page + "\",\"account\":\""
                    + ACCOUNT + "\"" + after + "}");
            client.expect(SylkRtcCallIT.ack("sync" + page));
            String event = client.expect("\"event\":\"sync-conversations\"");
            Matcher id = MESSAGE_ID.matcher(event);
            int found = 0;
            while (id.find()) {
                ids.add(id.group(1));
                found++;
            }
            if (found == 0) {
                return ids;
            }
        }
    }

    /**
     * A device sending {@code account-message}s (transaction = message id), at most {@link #WINDOW} unanswered at a
     * time, until all are answered or the connection is gone; {@link #acked} are those the server acknowledged.
     */
    private static final class Sender extends Thread {
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        private final SylkRtcClient client;
        private final String device;
        private final AtomicInteger allAcks;
        private final List<String> ids;

        Sender(SylkRtcClient client, String device, AtomicInteger allAcks) {
            this(client, device, allAcks, null);
        }

        Sender(SylkRtcClient client, String device, AtomicInteger allAcks, List<String> ids) {
            super("sender-" + device);
            this.client = client;
            this.device = device;
            this.allAcks = allAcks;
            this.ids = ids;
        }

        String id(int i) {
            return ids != null ? ids.get(i) : "rtc-" + device + "-" + i;
        }

        @Override
        public void run() {
            int total = ids != null ? ids.size() : PER_DEVICE;
            int sent = 0;
            int answered = 0;
            boolean closed = false;
            try {
                while (answered < total) {
                    while (!closed && sent < total && sent - answered < WINDOW) {
                        try {
                            client.send("{\"sylkrtc\":\"account-message\",\"transaction\":\"" + id(sent)
                                    + "\",\"account\":\"" + ACCOUNT + "\",\"uri\":\"bob@example.com\",\"message_id\":\""
                                    + id(sent) + "\",\"content\":\"Hello Bob " + sent + "\",\"content_type\":\"text/plain\","
                                    + "\"timestamp\":\"2026-01-01T10:00:00.000Z\"}");
                            sent++;
                        } catch (RuntimeException e) {
                            closed = true;
                        }
                    }
                    String frame = client.next(Duration.ofMillis(200));
                    if (frame == null) {
                        if (closed || !client.closes.isEmpty() || client.socket.isInputClosed()) {
                            return;
                        }
                        continue;
                    }
                    Matcher answer = ACK.matcher(frame);
                    if (answer.find()) {
                        answered++;
                        if (answer.group(1).equals("ack")) {
                            acked.add(answer.group(2));
                            allAcks.incrementAndGet();
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String first(List<String> ids) {
        return ids.subList(0, Math.min(20, ids.size())) + (ids.size() > 20 ? "..." : "");
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 20_000));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
