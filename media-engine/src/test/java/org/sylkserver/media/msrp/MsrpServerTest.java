package org.sylkserver.media.msrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.Headers;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpMessage;
import org.sylkserver.protocols.msrp.MsrpParser;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpResponse;
import org.sylkserver.protocols.msrp.MsrpUri;

/** RFC 4975 over a real TCP connection: delivery by session-id, responses, 481, 400 and lost framing. */
class MsrpServerTest {

    private MsrpServer server;

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private static String send(String tid, MsrpUri to, String body) {
        return "MSRP " + tid + " SEND\r\nTo-Path: " + to + "\r\nFrom-Path: msrp://127.0.0.1:9/client;tcp\r\n"
                + "Message-ID: m-" + tid + "\r\nByte-Range: 1-" + body.length() + "/" + body.length()
                + "\r\nContent-Type: text/plain\r\n\r\n" + body + "\r\n-------" + tid + "$\r\n";
    }

    /** Reads messages from a client socket. */
    private static MsrpMessage next(MsrpParser parser, InputStream in) throws Exception {
        byte[] buffer = new byte[4096];
        while (true) {
            MsrpMessage message = parser.next();
            if (message != null) {
                return message;
            }
            int n = in.read(buffer);
            if (n < 0) {
                return null;
            }
            parser.feed(buffer, 0, n);
        }
    }

    @Test
    void aSendReachesItsSessionAndIsAnswered_rfc4975_s7_2() throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0);
        BlockingQueue<MsrpRequest> received = new LinkedBlockingQueue<>();
        MsrpUri session = server.open((request, connection) -> {
            received.add(request);
            return 200;
        });
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            client.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            // split in two writes, in the middle of the end-line
            String message = send("tid001", session, "Hello, room!");
            out.write(message.substring(0, message.length() - 5).getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(50);
            out.write(message.substring(message.length() - 5).getBytes(StandardCharsets.UTF_8));
            out.flush();
            MsrpRequest request = received.poll(5, TimeUnit.SECONDS);
            assertArrayEquals("Hello, room!".getBytes(StandardCharsets.UTF_8), request.body());
            MsrpResponse response = assertInstanceOf(MsrpResponse.class, next(new MsrpParser(), client.getInputStream()));
            assertEquals("tid001", response.transactionId());
            assertEquals(200, response.code());
            assertEquals("msrp://127.0.0.1:9/client;tcp", response.toPath().get(0).toString(),
                    "the response goes back along the From-Path");
            assertEquals(session.sessionId(), response.fromPath().get(0).sessionId());
        }
    }

    @Test
    void unknownSessionsGet481AndMalformedMessages400WithoutClosing_rfc4975_s7_3() throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0);
        MsrpUri session = server.open((request, connection) -> 200);
        MsrpUri gone = MsrpUri.of(false, "127.0.0.1", server.port(), "nosuchsession", "tcp");
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            client.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            MsrpParser parser = new MsrpParser();
            out.write(send("tid001", gone, "x").getBytes(StandardCharsets.UTF_8));
            assertEquals(481, ((MsrpResponse) next(parser, client.getInputStream())).code());
            // framed but invalid: no From-Path
            out.write(("MSRP tid002 SEND\r\nTo-Path: " + session + "\r\nMessage-ID: m0000001\r\n-------tid002$\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            // the answer to a message without paths cannot carry any: read it as text
            String bad = new String(client.getInputStream().readNBytes(
                    "MSRP tid002 400 Bad Request\r\n-------tid002$\r\n".length()), StandardCharsets.UTF_8);
            assertEquals("MSRP tid002 400 Bad Request\r\n-------tid002$\r\n", bad);
            out.write(send("tid003", session, "still here").getBytes(StandardCharsets.UTF_8));
            assertEquals(200, ((MsrpResponse) next(parser, client.getInputStream())).code(), "the connection survives");
        }
    }

    @Test
    void garbageClosesOnlyThatConnection() throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0);
        MsrpUri session = server.open((request, connection) -> 200);
        try (Socket good = new Socket(InetAddress.getLoopbackAddress(), server.port());
             Socket bad = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            good.setSoTimeout(5000);
            bad.setSoTimeout(5000);
            bad.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals(-1, bad.getInputStream().read(), "framing lost: the connection is closed");
            good.getOutputStream().write(send("tid001", session, "hi").getBytes(StandardCharsets.UTF_8));
            assertEquals(200, ((MsrpResponse) next(new MsrpParser(), good.getInputStream())).code());
        }
    }

    @Test
    void sessionsCanSendBackOnTheConnectionAndReportsAreNotAnswered() throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0);
        MsrpUri[] self = new MsrpUri[1];
        self[0] = server.open((request, connection) -> {
            if (request.method().equals(MsrpRequest.SEND)) {
                try {
                    connection.send(new MsrpRequest("echo1", MsrpRequest.SEND, request.fromPath(), List.of(self[0]),
                            List.of(new MsrpHeader("Message-ID", "echo0001"), new MsrpHeader("Byte-Range", "1-4/4"),
                                    new MsrpHeader("Content-Type", "text/plain")),
                            "pong".getBytes(StandardCharsets.UTF_8), Continuation.COMPLETE));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return 200;
        });
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            client.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            out.write(("MSRP rep001 REPORT\r\nTo-Path: " + self[0] + "\r\nFrom-Path: msrp://127.0.0.1:9/client;tcp\r\n"
                    + "Message-ID: rep0001\r\nByte-Range: 1-2/2\r\nStatus: 000 200 OK\r\n-------rep001$\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(send("tid001", self[0], "ping").getBytes(StandardCharsets.UTF_8));
            MsrpParser parser = new MsrpParser();
            MsrpRequest pong = assertInstanceOf(MsrpRequest.class, next(parser, client.getInputStream()),
                    "the REPORT got no response; the session's own SEND comes first");
            assertArrayEquals("pong".getBytes(StandardCharsets.UTF_8), pong.body());
            MsrpResponse ok = (MsrpResponse) next(parser, client.getInputStream());
            assertEquals("tid001", ok.transactionId());
            assertTrue(ok.code() == 200);
        }
    }

    /** RFC 4975 §14.2: msrps URIs over TLS with the server's certificate. */
    @Test
    void overTls_rfc4975_s14(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass",
                "secret1", "-keypass", "secret1", "-alias", "msrp", "-keyalg", "EC", "-dname", "CN=127.0.0.1",
                "-validity", "1").redirectErrorStream(true).start();
        assertEquals(0, keytool.waitFor(), new String(keytool.getInputStream().readAllBytes()));
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(store)) {
            keys.load(in, "secret1".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory managers = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        managers.init(keys, "secret1".toCharArray());
        javax.net.ssl.SSLContext serverTls = javax.net.ssl.SSLContext.getInstance("TLS");
        serverTls.init(managers.getKeyManagers(), null, null);
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0, serverTls);
        BlockingQueue<MsrpConnection> connections = new LinkedBlockingQueue<>();
        MsrpUri session = server.open((request, connection) -> {
            connections.add(connection);
            return 200;
        });
        assertEquals("msrps", session.scheme());
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        trust.init(keys);
        javax.net.ssl.SSLContext clientTls = javax.net.ssl.SSLContext.getInstance("TLS");
        clientTls.init(null, trust.getTrustManagers(), null);
        try (Socket client = clientTls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port())) {
            client.setSoTimeout(5000);
            client.getOutputStream().write(send("tls0001", session, "secret chat").getBytes(StandardCharsets.UTF_8));
            assertEquals(200, ((MsrpResponse) next(new MsrpParser(), client.getInputStream())).code());
            // the session ends: the server closes the connection while its reader is blocked in a read
            long start = System.nanoTime();
            connections.poll(5, TimeUnit.SECONDS).close();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "close does not wait for the reader");
            assertEquals(null, next(new MsrpParser(), client.getInputStream()), "the client sees the end");
        }
    }

    /** trace_msrp: what arrives and what is sent is handed to the tracer as on the wire. */
    @Test
    void tracesShowBothDirections() throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0);
        BlockingQueue<String> trace = new LinkedBlockingQueue<>();
        server.trace((heading, bytes) -> trace.add(heading + "\n" + new String(bytes, StandardCharsets.UTF_8)));
        MsrpUri session = server.open((request, connection) -> 200);
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            client.setSoTimeout(5000);
            client.getOutputStream().write(send("trc0001", session, "traced").getBytes(StandardCharsets.UTF_8));
            next(new MsrpParser(), client.getInputStream());
            String in = trace.poll(5, TimeUnit.SECONDS);
            String out = trace.poll(5, TimeUnit.SECONDS);
            assertTrue(in.startsWith("INCOMING from /127.0.0.1:") && in.contains("MSRP trc0001 SEND"), in);
            assertTrue(out.startsWith("OUTGOING to /127.0.0.1:") && out.contains("MSRP trc0001 200 OK"), out);
        }
    }

    /** A session that passes every SEND with a body on to every other connection bound to it, as a room does. */
    private static MsrpUri relaying(MsrpServer server, List<MsrpConnection> members) throws Exception {
        MsrpUri member = MsrpUri.parse("msrp://127.0.0.1:9/member;tcp");
        MsrpUri[] self = new MsrpUri[1];
        self[0] = server.open((request, connection) -> {
            if (!members.contains(connection)) {
                members.add(connection);
            }
            if (request.hasBody() && request.body().length > 0) {
                for (MsrpConnection other : members) {
                    if (other != connection && other.isOpen()) {
                        try {
                            other.send(new MsrpRequest(MsrpServer.randomId(8), MsrpRequest.SEND,
                                    List.of(member), List.of(self[0]),
                                    List.of(new MsrpHeader(Headers.MESSAGE_ID, MsrpServer.randomId(8)),
                                            new MsrpHeader(Headers.BYTE_RANGE, "1-" + request.body().length + "/"
                                                    + request.body().length),
                                            new MsrpHeader("Content-Type", "text/plain")),
                                    request.body(), Continuation.COMPLETE));
                        } catch (java.io.IOException gone) {
                            // that member's connection is closed; the others go on
                        }
                    }
                }
            }
            return 200;
        });
        return self[0];
    }

    /**
     * Issue 11: a peer that connects and never reads must not hold up the others. One member sends 16 MiB of chat
     * at full rate through a relaying session to a reader and to a stalled peer (small receive buffer, never
     * reads); the reader gets every message with bounded latency, and the stalled peer's connection is closed once
     * a write to it has been blocked for the write timeout.
     */
    @Test
    void aStalledReaderDoesNotHoldUpTheOthers() throws Exception {
        // a queue that holds the whole run, so that only the write timeout tells the stalled peer from a healthy
        // reader that a busy machine slows down
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0, null, new MsrpServer.Limits(1000, 50,
                java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(30), java.time.Duration.ZERO,
                32 * 1024 * 1024, java.time.Duration.ofSeconds(2)));
        List<MsrpConnection> members = new java.util.concurrent.CopyOnWriteArrayList<>();
        MsrpUri room = relaying(server, members);
        int count = 4000;
        String padding = "x".repeat(4096);
        try (Socket stalled = new Socket(); Socket reader = new Socket(InetAddress.getLoopbackAddress(), server.port());
             Socket sender = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
            stalled.getOutputStream().write(send("stall001", room, "").getBytes(StandardCharsets.UTF_8));
            while (members.isEmpty()) {
                Thread.sleep(10);
            }
            reader.setSoTimeout(20_000);
            reader.getOutputStream().write(send("read0001", room, "").getBytes(StandardCharsets.UTF_8));
            MsrpParser readerParser = new MsrpParser();
            assertEquals(200, ((MsrpResponse) next(readerParser, reader.getInputStream())).code());
            while (members.size() < 2) {
                Thread.sleep(10);
            }
            Thread drainSender = new Thread(() -> {
                try {
                    sender.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (java.io.IOException ignored) {
                    // closed at the end
                }
            });
            drainSender.start();
            long started = System.nanoTime();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = new java.io.BufferedOutputStream(sender.getOutputStream());
                    for (int i = 0; i < count; i++) {
                        out.write(send(String.format("snd%05d", i), room, System.nanoTime() + " " + padding)
                                .getBytes(StandardCharsets.UTF_8));
                        if (i % 16 == 15) {
                            out.flush();
                        }
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            long worst = 0;
            long[] latencies = new long[count];
            for (int i = 0; i < count; i++) {
                MsrpRequest received = assertInstanceOf(MsrpRequest.class, next(readerParser, reader.getInputStream()),
                        "message " + i + " of " + count);
                String body = new String(received.body(), StandardCharsets.UTF_8);
                latencies[i] = System.nanoTime() - Long.parseLong(body.substring(0, body.indexOf(' ')));
                worst = Math.max(worst, latencies[i]);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            java.util.Arrays.sort(latencies);
            System.out.printf("stalled reader present: %d messages of 4 KiB to the healthy reader in %.2f s "
                            + "(%.0f msg/s), latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", count, seconds,
                    count / seconds, latencies[count / 2] / 1e6, latencies[count * 99 / 100] / 1e6, worst / 1e6);
            assertTrue(worst < TimeUnit.SECONDS.toNanos(5), "worst latency " + worst / 1e6 + " ms");
            stalled.setSoTimeout(5000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (members.get(0).isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(!members.get(0).isOpen(), "the stalled peer's connection is closed");
            assertTrue(members.get(1).isOpen(), "the reader's is not");
        }
    }

    /**
     * Issue 11: a flood of connections that never bind a session meets the per-address and total caps, and the
     * idle ones are closed after bind_timeout, while a chat from elsewhere goes on.
     */
    @Test
    void idleConnectionsMeetTheCapsAndAreClosedWhileAChatGoesOn() throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0, null, new MsrpServer.Limits(12, 10,
                java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(1), java.time.Duration.ZERO,
                1024 * 1024, java.time.Duration.ofSeconds(30)));
        MsrpUri session = server.open((request, connection) -> 200);
        List<Socket> flood = new java.util.ArrayList<>();
        try (Socket chat = new Socket(InetAddress.getLoopbackAddress(), server.port(),
                InetAddress.getByName("127.0.0.2"), 0)) {
            chat.setSoTimeout(5000);
            MsrpParser chatParser = new MsrpParser();
            chat.getOutputStream().write(send("chat0001", session, "hello").getBytes(StandardCharsets.UTF_8));
            assertEquals(200, ((MsrpResponse) next(chatParser, chat.getInputStream())).code());
            for (int i = 0; i < 12; i++) {
                Socket idle = new Socket(InetAddress.getLoopbackAddress(), server.port());
                idle.setSoTimeout(5000);
                flood.add(idle);
            }
            Socket other = new Socket(InetAddress.getLoopbackAddress(), server.port(), InetAddress.getByName("127.0.0.3"), 0);
            other.setSoTimeout(5000);
            flood.add(other);
            Socket overTotal = new Socket(InetAddress.getLoopbackAddress(), server.port(),
                    InetAddress.getByName("127.0.0.3"), 0);
            overTotal.setSoTimeout(5000);
            flood.add(overTotal);
            // 10 from 127.0.0.1 are taken and 2 closed at once; 127.0.0.3's first is the 12th, its second too many
            for (int i = 10; i < 12; i++) {
                assertClosed(flood.get(i), "over the per-address cap");
            }
            assertClosed(overTotal, "over the total cap");
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                assertClosed(flood.get(i), "idle past bind_timeout");
            }
            assertClosed(other, "idle past bind_timeout");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4));
            chat.getOutputStream().write(send("chat0002", session, "still here").getBytes(StandardCharsets.UTF_8));
            assertEquals(200, ((MsrpResponse) next(chatParser, chat.getInputStream())).code(), "the chat goes on");
            Socket later = new Socket(InetAddress.getLoopbackAddress(), server.port());
            later.setSoTimeout(5000);
            flood.add(later);
            later.getOutputStream().write(send("late0001", session, "room again").getBytes(StandardCharsets.UTF_8));
            assertEquals(200, ((MsrpResponse) next(new MsrpParser(), later.getInputStream())).code(),
                    "once the idle ones are gone, connections are taken again");
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
    }

    private static void assertClosed(Socket socket, String why) throws Exception {
        try {
            assertEquals(-1, socket.getInputStream().read(), why);
        } catch (java.net.SocketException reset) {
            // closed with a reset: closed too
        }
    }

    /**
     * Issue 11: the active side's connect (RFC 6135) to a peer that accepts the TCP connection but never answers the
     * TLS handshake fails after handshake_timeout instead of holding its thread for good.
     */
    @Test
    void aConnectToAPeerThatStallsTheTlsHandshakeTimesOut() throws Exception {
        server = new MsrpServer(InetAddress.getLoopbackAddress(), 0, null, new MsrpServer.Limits(1000, 50,
                java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(30), java.time.Duration.ZERO,
                1024 * 1024, java.time.Duration.ofSeconds(30)));
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            java.io.IOException failed = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> server.connect(MsrpUri.parse("msrps://127.0.0.1:" + silent.getLocalPort() + "/s;tcp")));
            long took = System.nanoTime() - start;
            assertTrue(took < TimeUnit.SECONDS.toNanos(5), "gave up after " + took / 1e6 + " ms");
            assertTrue(failed.getMessage().contains("cannot connect"), failed.getMessage());
        }
    }
}
