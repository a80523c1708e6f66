package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.net.Socket;
import java.io.OutputStream;
import java.io.InputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sylkRTC WebSocket transport (spec §4.2, §4.3) of the deployed webrtcgateway archive, driven by the
 * JDK's WebSocket client.
 */
@ExtendWith(ArquillianExtension.class)
class WebSocketIT {


    @Deployment(testable = false)
    static EnterpriseArchive gateway() {
        return Archives.all();
    }

    @Test
    void handshakeWithSylkRtc2GetsTheSubprotocolAndAReadyEvent() throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("sylkRTC-2", client.socket.getSubprotocol());
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void handshakeWithoutSylkRtc2IsRefusedWith406() {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> SylkRtcClient.connect("chat"));
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
        assertEquals(406, handshake.getResponse().statusCode());
        ExecutionException none = assertThrows(ExecutionException.class, SylkRtcClient::connect);
        assertEquals(406, ((WebSocketHandshakeException) none.getCause()).getResponse().statusCode());
    }

    @Test
    void pingIsAckedAndUnknownRequestsGetAnError() throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{\"sylkrtc\":\"ping\",\"transaction\":\"5c0e6d5e-7a5e-4e0f-9a55-1d1d7c1a2b01\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"5c0e6d5e-7a5e-4e0f-9a55-1d1d7c1a2b01\"}", client.next());
        client.send("{\"sylkrtc\":\"no-such-request\",\"transaction\":\"t2\"}");
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"t2\",\"error\":\"Unknown request type: no-such-request\"}",
                client.next());
        client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void invalidJsonIsIgnoredAndTheConnectionKeepsWorking() throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{this is not json");
        client.send("{\"sylkrtc\":\"ping\"}");
        client.send("{\"sylkrtc\":\"ping\",\"transaction\":\"after\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"after\"}", client.next());
        assertNull(client.frames.poll(300, TimeUnit.MILLISECONDS), "nothing else was answered");
        client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void oversizedMessageClosesThatConnectionWith1009Only() throws Exception {
        SylkRtcClient other = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", other.next());
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{\"sylkrtc\":\"ping\",\"transaction\":\"" + "x".repeat(200_000) + "\"}");
        assertEquals(1009, client.closes.poll(5, TimeUnit.SECONDS));
        other.send("{\"sylkrtc\":\"ping\",\"transaction\":\"still-here\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"still-here\"}", other.next());
    }

    /**
     * Issue 11 part 3: a 60 KB message of nested arrays (under the 64 KiB size limit) used to overflow the server's
     * stack and wedge the connection for good; now it gets an error (max_json_depth) and the connection, and the
     * others, keep working.
     */
    @Test
    void aDeeplyNestedMessageGetsAnErrorAndTheConnectionKeepsWorking() throws Exception {
        SylkRtcClient other = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", other.next());
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        int depth = 30_000;
        client.send("{\"sylkrtc\":\"ping\",\"transaction\":\"deep\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"deep\",\"error\":\"Message nested too deeply (more than 32 levels)\"}",
                client.next());
        client.send("{\"sylkrtc\":\"ping\",\"transaction\":\"after\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"after\"}", client.next());
        other.send("{\"sylkrtc\":\"ping\",\"transaction\":\"other\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"other\"}", other.next());
        client.close();
        other.close();
    }

    /**
     * Issue 11 part 3: a client that sends requests faster than they are handled is closed with 1008 once 100
     * (max_pending_requests) wait, while another client keeps being answered.
     */
    @Test
    void aClientFloodingRequestsIsClosedWith1008AndOthersKeepWorking() throws Exception {
        SylkRtcClient other = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", other.next());
        SylkRtcClient flooder = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", flooder.next());
        // every request is answered with a padded error, so handling one costs more than reading it
        String request = "{\"sylkrtc\":\"no-such-request\",\"transaction\":\"" + "x".repeat(60_000) + "\"}";
        CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(flooder.socket);
        for (int i = 0; i < 5000; i++) {
            sending = sending.thenCompose(socket -> socket.sendText(request, true));
        }
        sending.exceptionally(closed -> null);
        assertEquals(1008, flooder.closes.poll(30, TimeUnit.SECONDS));
        other.send("{\"sylkrtc\":\"ping\",\"transaction\":\"other\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"other\"}", other.next());
        other.close();
    }

    /**
     * Issue 11 part 3: one address may hold 100 connections (max_connections_per_address); the next gets 1013 and
     * no ready-event. (Other tests of this class may still hold a connection or two, hence "at most 100".)
     */
    @Test
    void connectionsOverThePerAddressLimitAreClosedWith1013() throws Exception {
        List<SylkRtcClient> clients = new ArrayList<>();
        try {
            Integer refused = null;
            while (refused == null && clients.size() <= 100) {
                SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
                if ("{\"sylkrtc\":\"ready-event\"}".equals(client.next(java.time.Duration.ofSeconds(2)))) {
                    clients.add(client);
                } else {
                    refused = client.closes.poll(5, TimeUnit.SECONDS);
                }
            }
            assertEquals(1013, refused, "after " + clients.size() + " connections");
            assertTrue(clients.size() > 90, clients.size() + " connections before the refusal");
            clients.remove(0).close();
            SylkRtcClient again = connectWhenRoom();
            again.send("{\"sylkrtc\":\"ping\",\"transaction\":\"room-again\"}");
            assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"room-again\"}", again.next());
            clients.add(again);
        } finally {
            clients.forEach(SylkRtcClient::close);
        }
    }

    /** A connection once a closed one has been counted out (the server sees the close a moment later). */
    private static SylkRtcClient connectWhenRoom() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
            if ("{\"sylkrtc\":\"ready-event\"}".equals(client.next(java.time.Duration.ofSeconds(1)))) {
                return client;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no room for a new connection after one closed");
    }

    @Test
    void plainHttpRequestsCarryTheServerHeader() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:18088/webrtcgateway/ws")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(response.headers().firstValue("Server").orElse("").startsWith("SylkServer/"), response.headers().toString());
    }

    /**
     * Tomcat's {@code autoDeploy} is off (issue 11): an archive that appears in the running server's {@code webapps}
     * is not deployed (with it on, Tomcat's background check, every second here, deployed it within a second or
     * two), so whoever may write there cannot install code into the server without a restart.
     */
    @Test
    void anArchiveDroppedIntoTheRunningServerIsNotDeployed() throws Exception {
        Path dropped = Path.of(System.getProperty("sylk.work", "target/sylk-it"), "var/container/webapps/dropped.war");
        ShrinkWrap.create(WebArchive.class, "dropped.war").add(new StringAsset("dropped"), "index.html")
                .as(ZipExporter.class).exportTo(dropped.toFile(), true);
        try {
            Thread.sleep(5000);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:18088/dropped/index.html")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode(), response.body());
        } finally {
            Files.delete(dropped);
        }
    }

    /**
     * CVE-2020-13935 (Tomcat 7.0.93 is affected; WebSocketFrameGuard closes it): the published probe, a frame whose
     * 64-bit payload length has its most significant bit set, which RFC 6455 §5.2 forbids, gets a close frame with
     * 1002 (protocol error) at once instead of a server spinning on a negative length (its CPU stays idle); another
     * client's pings are answered all along.
     */
    @Test
    void aFrameLengthWithTheHighBitSetIsAProtocolError_cve_2020_13935() throws Exception {
        SylkRtcClient other = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", other.next());
        try (Socket probe = new Socket("127.0.0.1", SylkRtcClient.ENDPOINT.getPort())) {
            probe.setSoTimeout(5000);
            OutputStream out = probe.getOutputStream();
            out.write(("GET /webrtcgateway/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sylkRTC-2\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = probe.getInputStream();
            String handshake = readHeaders(in);
            assertTrue(handshake.startsWith("HTTP/1.1 101"), handshake);
            // binary frame, masked, length 127 = 64-bit extended length: 0xFFFFFFFFFFFFFFFF, then the mask key
            byte[] frame = {(byte) 0x82, (byte) 0xFF, -1, -1, -1, -1, -1, -1, -1, -1, 1, 2, 3, 4};
            out.write(frame);
            out.flush();
            long sent = System.nanoTime();
            int status = closeStatus(in);
            assertEquals(1002, status, "close status");
            assertTrue(System.nanoTime() - sent < 2_000_000_000L, "closed within 2 s");
        }
        // and nothing keeps spinning: the idle server uses well under a core over the next 3 s
        ProcessHandle server = ProcessHandle.of(Long.parseLong(Files.readString(
                Path.of(System.getProperty("sylk.work", "target/sylk-it"), "var/run/sylk-server.pid")).strip())).orElseThrow();
        java.time.Duration before = server.info().totalCpuDuration().orElseThrow();
        Thread.sleep(3000);
        java.time.Duration used = server.info().totalCpuDuration().orElseThrow().minus(before);
        assertTrue(used.toMillis() < 1000, "server CPU in 3 s after the probe: " + used);
        for (int i = 0; i < 5; i++) {
            other.send("{\"sylkrtc\":\"ping\",\"transaction\":\"p" + i + "\"}");
            assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"p" + i + "\"}", other.next());
        }
        other.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    private static String readHeaders(InputStream in) throws IOException {
        StringBuilder headers = new StringBuilder();
        while (!headers.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            headers.append((char) b);
        }
        return headers.toString();
    }

    /** Reads frames until a close frame (RFC 6455 §5.5.1) and returns its status code; -1 if the peer just closed. */
    private static int closeStatus(InputStream in) throws IOException {
        while (true) {
            int first = in.read();
            int second = in.read();
            if (first < 0 || second < 0) {
                return -1;
            }
            long length = second & 0x7f;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | in.read();
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if ((first & 0x0f) == 0x8) {
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
            }
        }
    }
}
