package org.sylkserver.media.dtmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The telephone-event payload (RFC 4733 §2.3) and the DTMF event codes (RFC 4733 §3.2). */
class TelephoneEventTest {

    private static ByteBuffer bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return ByteBuffer.wrap(b);
    }

    @Test
    void rfc4733Section2_3_fieldsReadFromTheirBits() {
        // event 1, E=1, R=0, volume 10, duration 1600 (200 ms at 8 kHz)
        assertEquals(List.of(new TelephoneEvent(1, true, false, 10, 1600)), TelephoneEvent.parse(bytes(0x01, 0x8a,
                0x06, 0x40)));
        // event 255, E=0, R=1, volume 63, duration 65535
        assertEquals(List.of(new TelephoneEvent(255, false, true, 63, 65535)), TelephoneEvent.parse(bytes(0xff,
                0x7f, 0xff, 0xff)));
    }

    @Test
    void rfc4733Section2_3_serializedByteForByte() {
        assertArrayEquals(new byte[] {0x0b, (byte) 0x8a, 0x03, 0x20},
                new TelephoneEvent(11, true, false, 10, 800).toBytes());
        TelephoneEvent event = new TelephoneEvent(200, false, true, 37, 12345);
        assertEquals(List.of(event), TelephoneEvent.parse(ByteBuffer.wrap(event.toBytes())));
    }

    @Test
    void parsingLeavesThePositionAndReadsFromIt() {
        ByteBuffer buffer = bytes(0xaa, 0xbb, 0x05, 0x0a, 0x01, 0x90);
        buffer.position(2);
        assertEquals(List.of(new TelephoneEvent(5, false, false, 10, 400)), TelephoneEvent.parse(buffer));
        assertEquals(2, buffer.position());
    }

    @Test
    void rfc4733Section2_5_1_5_packedEventsEachFourBytes() {
        assertEquals(List.of(new TelephoneEvent(1, true, false, 10, 800), new TelephoneEvent(2, false, false, 10,
                160)), TelephoneEvent.parse(bytes(0x01, 0x8a, 0x03, 0x20, 0x02, 0x0a, 0x00, 0xa0)));
    }

    @Test
    void rfc4733Section2_3_lengthMustBeANonZeroMultipleOfFour() {
        for (int length : new int[] {0, 3, 5, 7}) {
            MalformedTelephoneEventException e = assertThrows(MalformedTelephoneEventException.class,
                    () -> TelephoneEvent.parse(ByteBuffer.allocate(length)));
            assertTrue(e.getMessage().contains(length + " bytes"), e.getMessage());
            assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());
        }
    }

    @Test
    void fieldRangesChecked() {
        assertThrows(IllegalArgumentException.class, () -> new TelephoneEvent(256, false, false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TelephoneEvent(-1, false, false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TelephoneEvent(1, false, false, 64, 0));
        assertThrows(IllegalArgumentException.class, () -> new TelephoneEvent(1, false, false, 0, 65536));
    }

    @Test
    void rfc4733Section3_2_dtmfCodes() {
        String keys = "0123456789*#ABCD!";
        for (int code = 0; code < keys.length(); code++) {
            assertEquals(Optional.of(keys.charAt(code)), TelephoneEvent.digitOf(code));
            assertEquals(code, TelephoneEvent.codeOf(keys.charAt(code)));
        }
        assertEquals(TelephoneEvent.FLASH, TelephoneEvent.codeOf('!'));
        assertEquals(12, TelephoneEvent.codeOf('a'));
        assertEquals(Optional.of('#'), new TelephoneEvent(11, false, false, 0, 0).digit());
    }

    @Test
    void rfc4733Section3_2_otherCodesAreNotDtmf() {
        assertEquals(Optional.empty(), TelephoneEvent.digitOf(17));
        assertEquals(Optional.empty(), TelephoneEvent.digitOf(32)); // a modem/fax tone code of RFC 4734
        assertEquals(Optional.empty(), new TelephoneEvent(255, false, false, 0, 0).digit());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TelephoneEvent.codeOf('x'));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }
}
