package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
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

    @Test
    void plainHttpRequestsCarryTheServerHeader() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:18088/webrtcgateway/ws")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(response.headers().firstValue("Server").orElse("").startsWith("SylkServer/"), response.headers().toString());
    }
}
