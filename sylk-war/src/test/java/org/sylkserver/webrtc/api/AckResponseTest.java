package org.sylkserver.webrtc.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import javax.json.bind.Jsonb;
import javax.json.bind.JsonbBuilder;

import org.junit.jupiter.api.Test;

/** {@link AckResponse#toJson} writes what JSON-B's binding writes for the ack (spec §4.3). */
class AckResponseTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    @Test
    void spec_4_3_writesWhatTheBindingWrites() {
        for (String transaction : new String[] {"1", "", "2a8f3c1e-7b7d-4b55-9d2e-0c3b1a9e6f10", "\"quoted\" \\ /",
                "\u00e9\u4e2d\ud83d\ude00\n\t\u0001\u001f\u007f\u2028", null}) {
            AckResponse ack = new AckResponse(transaction);
            assertEquals(JSONB.toJson(ack), ack.toJson(), "transaction " + transaction);
        }
    }

    /** Every UTF-16 unit below U+0800 and random ones above, escaped as the binding escapes them (RFC 8259 §7). */
    @Test
    void rfc8259_s7_escapesEveryCharacterAsTheBindingDoes() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x800; c++) {
            all.append(c);
        }
        Random random = new Random(14);
        for (int i = 0; i < 2000; i++) {
            all.append((char) random.nextInt(0x10000));
        }
        AckResponse ack = new AckResponse(all.toString());
        assertEquals(JSONB.toJson(ack), ack.toJson());
    }
}
