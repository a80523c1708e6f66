package org.sylkserver.media.recording;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;

import org.junit.jupiter.api.Test;

/** {@link VideoDepacketizer}: the codec data of VP8, VP9 and H.264 RTP payloads. */
class VideoDepacketizerTest {

    private final VideoDepacketizer.Fragment fragment = new VideoDepacketizer.Fragment();
    private final ByteArrayOutputStream frame = new ByteArrayOutputStream();

    /** RFC 7741 §4.2: X, then I with a 15-bit PictureID (M set), L and T/K octets, then the VP8 payload. */
    @Test
    void vp8DescriptorWithEveryExtension_rfc7741_4_2() {
        // X S PID=0 | I L T K | M+PictureID (2) | TL0PICIDX | TID/Y/KEYIDX | payload: keyframe tag, start code, 640x480
        byte[] payload = {(byte) 0x90, (byte) 0xf0, (byte) 0x81, 0x23, 5, 0x40,
                0x10, 0x02, 0x00, (byte) 0x9d, 0x01, 0x2a, (byte) 0x80, 0x02, (byte) 0xe0, 0x01};
        assertTrue(new VideoDepacketizer.Vp8().depacketize(payload, fragment, frame));
        assertTrue(fragment.startsFrame);
        assertTrue(fragment.keyframe, "§4.3: P bit 0 is a keyframe");
        assertEquals(640, fragment.width, "RFC 6386 §9.1");
        assertEquals(480, fragment.height);
        assertEquals(10, frame.size());
    }

    /** RFC 7741 §4.2: S=0 continues a partition; a 7-bit PictureID takes one octet; P=1 is an interframe (§4.3). */
    @Test
    void vp8ContinuationAndInterframe_rfc7741_4_3() {
        assertTrue(new VideoDepacketizer.Vp8().depacketize(new byte[]{(byte) 0x80, (byte) 0x80, 0x11, 0x33, 0x44},
                fragment, frame));
        assertFalse(fragment.startsFrame);
        assertArrayEquals(new byte[]{0x33, 0x44}, frame.toByteArray());
        assertTrue(new VideoDepacketizer.Vp8().depacketize(new byte[]{0x10, 0x01, 0x00}, fragment, frame));
        assertTrue(fragment.startsFrame);
        assertFalse(fragment.keyframe);
        assertFalse(new VideoDepacketizer.Vp8().depacketize(new byte[]{(byte) 0x90, (byte) 0x80, (byte) 0x81},
                fragment, frame), "descriptor longer than the payload");
    }

    /** RFC 9628 §4.2: flexible mode with picture ID, layer indices and two P_DIFF octets; B starts a frame. */
    @Test
    void vp9FlexibleModeDescriptor_rfc9628_4_2() {
        // I P L F B E | M+PictureID (2) | TID/U/SID/D | P_DIFF with N | P_DIFF | payload
        byte[] payload = {(byte) 0xfc, (byte) 0x80, 0x01, 0x00, 0x03, 0x04, (byte) 0xaa, (byte) 0xbb};
        assertTrue(new VideoDepacketizer.Vp9().depacketize(payload, fragment, frame));
        assertTrue(fragment.startsFrame);
        assertFalse(fragment.keyframe, "P set: inter-picture predicted");
        assertArrayEquals(new byte[]{(byte) 0xaa, (byte) 0xbb}, frame.toByteArray());
    }

    /** RFC 9628 §4.2: non-flexible mode keyframe with a scalability structure (one layer, 1280x720). */
    @Test
    void vp9KeyframeWithScalabilityStructure_rfc9628_4_2_1() {
        // I L B V | PictureID | layer indices | TL0PICIDX | SS: N_S=0 Y | 1280 720 | payload
        byte[] payload = {(byte) 0xaa, 0x05, 0x00, 0x07, 0x10, 0x05, 0x00, 0x02, (byte) 0xd0, (byte) 0x82};
        assertTrue(new VideoDepacketizer.Vp9().depacketize(payload, fragment, frame));
        assertTrue(fragment.keyframe);
        assertEquals(1280, fragment.width);
        assertEquals(720, fragment.height);
        assertArrayEquals(new byte[]{(byte) 0x82}, frame.toByteArray());
    }

    /** RFC 6184 §5.7.1 STAP-A and §5.8 FU-A become an Annex B stream; the FU's NAL header is rebuilt. */
    @Test
    void h264AggregatesAndFragments_rfc6184_5_7_5_8() {
        VideoDepacketizer h264 = new VideoDepacketizer.H264();
        // STAP-A with SPS (2 bytes) and PPS (1 byte)
        assertTrue(h264.depacketize(new byte[]{0x18, 0, 2, 0x67, 0x42, 0, 1, 0x68}, fragment, frame));
        assertFalse(fragment.keyframe);
        // FU-A of an IDR slice (nri 3): start, end
        assertTrue(h264.depacketize(new byte[]{0x7c, (byte) 0x85, 0x11}, fragment, frame));
        assertTrue(fragment.keyframe, "NAL unit type 5");
        assertTrue(fragment.startsFrame, "a FU-A with S set begins a NAL unit");
        assertTrue(h264.depacketize(new byte[]{0x7c, 0x45, 0x22}, fragment, frame));
        assertFalse(fragment.startsFrame, "a FU-A continuation cannot begin an access unit");
        assertArrayEquals(new byte[]{0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0, 0, 0, 1, 0x65, 0x11, 0x22},
                frame.toByteArray());
        assertFalse(h264.depacketize(new byte[]{0x18, 0, 9, 0x67}, fragment, frame), "STAP-A size past the end");
        assertFalse(h264.depacketize(new byte[]{0x1a, 0, 0}, fragment, frame), "MTAP16: interleaved mode only");
    }
}
