package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import org.sylkserver.webrtc.SylkRtcConnectionTest.RecordingTransport;

/**
 * Fuzzing target (docs/fuzzing.md): any text message a browser sends on the sylkRTC WebSocket (spec §4.3) is
 * decoded into a request (acked) or refused with an error naming what is wrong, or ignored when it cannot be
 * answered; decoding never fails with an unexpected exception (answered "Internal error" and logged as SEVERE)
 * nor with an error that escapes the connection's executor. The handlers do nothing here: they are tested on
 * their own.
 */
class SylkRtcDecodingFuzzTest {

    private static final Executor DIRECT = Runnable::run;
    private static final RequestCatalogue DECODING = RequestCatalogue.SYLKRTC_2.decodingOnly();

    @FuzzTest(maxDuration = "10m")
    void messageIsDecodedOrRefused(byte[] utf8) {
        // the container hands over a WebSocket text frame as a String decoded from UTF-8
        String text = new String(utf8, StandardCharsets.UTF_8);
        RecordingTransport transport = new RecordingTransport();
        SylkRtcConnection connection = new SylkRtcConnection("192.0.2.1:40000", transport, DIRECT, DECODING,
                Gateway.notStarted());
        connection.onText(text, true);
        // the error answer of an unexpected exception; request types and values are quoted inside other errors
        assertFalse(transport.sent.stream().anyMatch(answer -> answer.contains("\"error\":\"Internal error\"")),
                () -> "decoding failed unexpectedly: " + transport.sent);
    }

    /**
     * spec §4.14: {@code account-update-addressbook}'s {@code data} is a free-form JSON object, bound as a
     * {@code JsonObject}; decoding it is acked (session 20 bound requests from the parsed tree for a while, and Yasson
     * cannot bind a {@code JsonObject} property that way: every address-book update failed with "Internal error").
     */
    @Test
    void aRequestWithAFreeFormObjectIsDecoded_spec_4_14() {
        RecordingTransport transport = new RecordingTransport();
        SylkRtcConnection connection = new SylkRtcConnection("192.0.2.1:40000", transport, DIRECT, DECODING,
                Gateway.notStarted());
        connection.onText("{\"sylkrtc\":\"account-update-addressbook\",\"transaction\":\"u1\",\"account\":"
                + "\"alice@example.com\",\"action\":\"add\",\"type\":\"contact\",\"data\":{\"id\":\"c1\","
                + "\"attributes\":{\"favorite\":true}}}", true);
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"u1\"}"), transport.sent);
    }
}
