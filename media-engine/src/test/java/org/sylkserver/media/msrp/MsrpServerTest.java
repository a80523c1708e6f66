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
        BlockingQueue<MsrpServer.Connection> connections = new LinkedBlockingQueue<>();
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
}
