package org.sylkserver.conference.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.core.SerialExecutor;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.MsrpMessage;
import org.sylkserver.protocols.msrp.MsrpParser;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * Issue 11, "one misbehaving peer never hurts the others": a room's chat (the real {@link ChatSwitch} and
 * {@link ChatMember}s on a real {@link MsrpServer}, over loopback TCP) where one participant connects and never
 * reads while another sends at full rate: the others get every message with bounded latency, and the stalled
 * participant's connection alone is closed once its send queue is over the limit.
 */
class ChatOverMsrpTest {

    private static final int MESSAGES = 3000;
    private static final String PADDING = "x".repeat(4000);
    /**
     * Alice's messages ahead of what bob has read (~420 KB, under the 1 MiB send_queue_size): bob is a reader that
     * keeps up with the chat, so only the stalled participant may be cut off, however slowly this machine runs the
     * test's reader (unpaced, a loaded machine let bob's queue pass the limit and the server rightly closed him).
     */
    private static final int WINDOW = 100;

    private MsrpServer server;
    /** Where the room's switch lives, as a room's executor. */
    private final SerialExecutor roomExecutor = new SerialExecutor(ForkJoinPool.commonPool(),
            Logger.getLogger("room"), "room");
    private final java.util.Map<ChatMember, MsrpUri> locals = new java.util.concurrent.ConcurrentHashMap<>();

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void aStalledParticipantDoesNotHoldUpTheRoomsChat() throws Exception {
        String figures = run(true);
        System.out.println("chat with a stalled participant: " + figures);
    }

    @Test
    void theSameChatWithoutAStalledParticipant() throws Exception {
        String figures = run(false);
        System.out.println("chat without a stalled participant: " + figures);
    }

    /**
     * RFC 4975 §7.1.2: a message sent with {@code Success-Report: yes} that the room takes is reported to its sender
     * (the video-room chat bridges turn that REPORT into message-delivery, spec §4.7.4); what the room relays asks
     * for a report itself (spec §3.4).
     */
    @Test
    void aMessageAskingForAReportIsReported_rfc4975_7_1_2() throws Exception {
        try (AliceAndBob pair = aliceAndBob()) {
            ChatMember alice = pair.alice();
            ChatMember bob = pair.bob();
            Socket fromAlice = pair.fromAlice();
            Socket toBob = pair.toBob();
            String sent = new String(send(alice, "rep00001", "please report"), StandardCharsets.UTF_8)
                    .replace("Message-ID: rep00001\r\n", "Message-ID: rep00001\r\nSuccess-Report: yes\r\n");
            fromAlice.getOutputStream().write(sent.getBytes(StandardCharsets.UTF_8));
            MsrpParser aliceParser = new MsrpParser();
            MsrpRequest report = null;
            while (report == null) {
                if (next(aliceParser, fromAlice.getInputStream()) instanceof MsrpRequest request
                        && request.method().equals(MsrpRequest.REPORT)) {
                    report = request;
                }
            }
            assertEquals("rep00001", report.messageId().orElseThrow());
            assertEquals(200, report.status().orElseThrow().code());
            String length = sent.substring(sent.indexOf("Byte-Range: 1-") + 14, sent.indexOf('/', sent.indexOf("Byte-Range: 1-")));
            assertEquals("1-" + length + "/" + length, report.header("Byte-Range").orElseThrow());
            MsrpParser bobParser = new MsrpParser();
            MsrpRequest relayed = null;
            while (relayed == null) {
                if (next(bobParser, toBob.getInputStream()) instanceof MsrpRequest request && request.hasBody()
                        && new String(request.body(), StandardCharsets.UTF_8).contains("please report")) {
                    relayed = request;
                }
            }
            assertEquals("yes", relayed.successReport().orElseThrow(), "spec §3.4: relayed messages ask for reports");
        }
    }

    /**
     * RFC 7701 §6.1: Use-Nickname is a quoted-string (RFC 3261 §25.1): its escapes are undone and its inner spaces
     * kept, a bare token is taken too, and anything else is 424 Malformed nickname (RFC 7701 §9.2). The nickname is
     * the name the others see on the sender's messages (spec §3.4).
     */
    @Test
    void useNicknameIsAQuotedString_rfc7701_6_1() throws Exception {
        try (AliceAndBob pair = aliceAndBob()) {
            ChatMember alice = pair.alice();
            ChatMember bob = pair.bob();
            Socket fromAlice = pair.fromAlice();
            Socket toBob = pair.toBob();
            MsrpParser aliceParser = new MsrpParser();
            MsrpParser bobParser = new MsrpParser();
            assertEquals(424, nickname(alice, fromAlice, aliceParser, "nick0001", "\"unterminated"));
            assertEquals(424, nickname(alice, fromAlice, aliceParser, "nick0002", "two words"));
            assertEquals(200, nickname(alice, fromAlice, aliceParser, "nick0003", "ally"), "a token");
            assertEquals("ally", displayNameOfNext(alice, fromAlice, bobParser, toBob, "msg00001"));
            assertEquals(200, nickname(alice, fromAlice, aliceParser, "nick0004", "\"Alice \\\"A\\\" \\\\ B\""));
            assertEquals("Alice \"A\" \\ B", displayNameOfNext(alice, fromAlice, bobParser, toBob, "msg00002"),
                    "unescaped, inner spaces kept");
        }
    }

    /** Alice and bob in one room, each connection bound by a first SEND and read with a 10 s timeout. */
    private record AliceAndBob(ChatMember alice, ChatMember bob, Socket fromAlice, Socket toBob) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (toBob) {
                fromAlice.close();
            }
        }
    }

    private AliceAndBob aliceAndBob() throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0);
        ChatSwitch room = new ChatSwitch("room@example.com", 20, (sender, message) -> 200, roomExecutor);
        ChatMember alice = join(room, "alice@example.com");
        ChatMember bob = join(room, "bob@example.com");
        AliceAndBob pair = new AliceAndBob(alice, bob, connect(alice), connect(bob));
        pair.fromAlice().setSoTimeout(10_000);
        pair.toBob().setSoTimeout(10_000);
        pair.toBob().getOutputStream().write(send(bob, "bind0001", null));
        pair.fromAlice().getOutputStream().write(send(alice, "bind0002", null));
        return pair;
    }

    /** Sends a NICKNAME with {@code useNickname} as the header's value; the response's status. */
    private int nickname(ChatMember stream, Socket socket, MsrpParser parser, String tid, String useNickname)
            throws Exception {
        String request = "MSRP " + tid + " NICKNAME\r\nTo-Path: " + locals.get(stream) + "\r\nFrom-Path: "
                + "msrp://127.0.0.1:9/" + stream.uri().charAt(0) + "peer1;tcp\r\nUse-Nickname: " + useNickname
                + "\r\n-------" + tid + "$\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        while (true) {
            if (next(parser, socket.getInputStream()) instanceof org.sylkserver.protocols.msrp.MsrpResponse response
                    && response.transactionId().equals(tid)) {
                return response.code();
            }
        }
    }

    /** The CPIM From display name with which bob gets alice's next message. */
    private String displayNameOfNext(ChatMember alice, Socket fromAlice, MsrpParser bobParser, Socket toBob,
                                     String tid) throws Exception {
        fromAlice.getOutputStream().write(send(alice, tid, "text " + tid));
        while (true) {
            if (next(bobParser, toBob.getInputStream()) instanceof MsrpRequest request && request.hasBody()
                    && new String(request.body(), StandardCharsets.UTF_8).contains("text " + tid)) {
                return org.sylkserver.protocols.cpim.CpimMessage.parse(request.body()).from().orElseThrow()
                        .displayName();
            }
        }
    }

    private String run(boolean withStalled) throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0, null, new MsrpServer.Limits(1000, 50,
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ZERO, 1024 * 1024, Duration.ofSeconds(30)));
        ChatSwitch room = new ChatSwitch("room@example.com", 20, (sender, message) -> 200, roomExecutor);
        ChatMember alice = join(room, "alice@example.com");
        ChatMember bob = join(room, "bob@example.com");
        ChatMember mallory = join(room, "mallory@example.com");
        try (Socket stalled = new Socket(); Socket reader = connect(bob); Socket sender = connect(alice)) {
            if (withStalled) {
                stalled.setReceiveBufferSize(4096);
                stalled.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
                stalled.getOutputStream().write(send(mallory, "bind0001", null));
            } else {
                room.leave(mallory);
            }
            reader.setSoTimeout(20_000);
            MsrpParser readerParser = new MsrpParser();
            // the room's welcome and history reach bob on his first request
            reader.getOutputStream().write(send(bob, "bind0002", null));
            sender.getOutputStream().write(send(alice, "bind0003", null));
            Thread drain = new Thread(() -> {
                try {
                    sender.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException closed) {
                    // the test ends
                }
            });
            drain.start();
            Thread.sleep(200);
            AtomicInteger delivered = new AtomicInteger();
            long started = System.nanoTime();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = new BufferedOutputStream(sender.getOutputStream());
                    for (int i = 0; i < MESSAGES; i++) {
                        if (i - delivered.get() >= WINDOW) {
                            out.flush();
                            while (i - delivered.get() >= WINDOW) {
                                LockSupport.parkNanos(100_000);
                            }
                        }
                        out.write(send(alice, String.format("msg%05d", i), "t=" + System.nanoTime() + " " + PADDING));
                        if (i % 16 == 15) {
                            out.flush();
                        }
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            writer.start();
            long[] latencies = new long[MESSAGES];
            int got = 0;
            while (got < MESSAGES) {
                MsrpMessage message = next(readerParser, reader.getInputStream());
                if (!(message instanceof MsrpRequest request) || !request.hasBody()) {
                    continue;
                }
                String text = new String(request.body(), StandardCharsets.UTF_8);
                int at = text.indexOf("t=");
                if (at < 0) {
                    continue; // the room's own messages
                }
                long sent = Long.parseLong(text.substring(at + 2, text.indexOf(' ', at)));
                latencies[got++] = System.nanoTime() - sent;
                delivered.set(got);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Arrays.sort(latencies);
            assertTrue(latencies[MESSAGES - 1] < TimeUnit.SECONDS.toNanos(5),
                    "worst latency " + latencies[MESSAGES - 1] / 1e6 + " ms");
            if (withStalled) {
                assertStalledClosed(stalled);
            }
            return String.format("%d messages of 4 KB to bob in %.2f s (%.0f msg/s), latency p50 %.1f ms, "
                            + "p99 %.1f ms, max %.1f ms", MESSAGES, seconds, MESSAGES / seconds,
                    latencies[MESSAGES / 2] / 1e6, latencies[MESSAGES * 99 / 100] / 1e6,
                    latencies[MESSAGES - 1] / 1e6);
        }
    }

    /** The server closed the stalled participant's connection: reading what it queued ends in EOF or a reset. */
    private static void assertStalledClosed(Socket stalled) throws IOException {
        stalled.setSoTimeout(10_000);
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = stalled.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // what was written before the close
            }
        } catch (java.net.SocketException reset) {
            // closed with data unread: a reset
        } catch (java.net.SocketTimeoutException open) {
            assertFalse(true, "the stalled participant's connection is still open");
        }
    }

    private ChatMember join(ChatSwitch room, String uri) throws Exception {
        List<MsrpUri> path = List.of(MsrpUri.parse("msrp://127.0.0.1:9/" + uri.charAt(0) + "peer1;tcp"));
        ChatMember stream = new ChatMember(uri, uri, path);
        MsrpUri local = server.open(stream);
        locals.put(stream, local);
        stream.opened(local);
        stream.joined(room);
        roomExecutor.execute(() -> room.join(stream));
        return stream;
    }

    private Socket connect(ChatMember stream) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), server.port());
    }

    /** A SEND from the participant of {@code stream} to its session; no text: the empty SEND that binds it. */
    private byte[] send(ChatMember stream, String tid, String text) {
        String head = "MSRP " + tid + " SEND\r\nTo-Path: " + locals.get(stream) + "\r\nFrom-Path: msrp://127.0.0.1:9/"
                + stream.uri().charAt(0) + "peer1;tcp\r\nMessage-ID: " + tid + "\r\n";
        if (text == null) {
            return (head + "Byte-Range: 1-0/0\r\n-------" + tid + "$\r\n").getBytes(StandardCharsets.UTF_8);
        }
        String cpim = "From: <sip:" + stream.uri() + ">\r\nTo: <sip:room@example.com>\r\n\r\nContent-Type: "
                + "text/plain\r\n\r\n" + text;
        int length = cpim.getBytes(StandardCharsets.UTF_8).length;
        return (head + "Byte-Range: 1-" + length + "/" + length + "\r\nContent-Type: message/cpim\r\n\r\n" + cpim
                + "\r\n-------" + tid + "$\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static MsrpMessage next(MsrpParser parser, InputStream in) throws Exception {
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            MsrpMessage message = parser.next();
            if (message != null) {
                return message;
            }
            int n = in.read(buffer);
            assertTrue(n >= 0, "bob's connection closed");
            parser.feed(buffer, 0, n);
        }
    }
}
