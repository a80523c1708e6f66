package org.sylkserver.media.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VideoTrack} and {@link AudioTrack}: RTP in, files out, timed by RTP time; lost video waits for a keyframe.
 */
class TracksTest {

    private static final Recorder.Limits LIMITS = new Recorder.Limits(100, 8, 1 << 16, 1 << 20, Duration.ofHours(1));

    @TempDir
    Path dir;

    private final AtomicInteger keyframeRequests = new AtomicInteger();

    /** A VP8 payload: descriptor (S when {@code start}) and a one-byte payload header (P clear on keyframes). */
    private static byte[] vp8(boolean start, boolean keyframe, int body) {
        return new byte[]{(byte) (start ? 0x10 : 0x00), (byte) (keyframe ? 0x00 : 0x01), (byte) body};
    }

    private static RtpPayload rtp(int sequence, long timestamp, boolean marker, byte[] payload) {
        return new RtpPayload(7, sequence, timestamp, marker, payload, System.currentTimeMillis());
    }

    /**
     * RFC 7741 §4.1/§4.2: a frame spanning packets is one IVF frame; a frame with a lost packet is dropped and so is
     * what follows until a keyframe, which is requested; IVF timestamps are the RTP timestamps (90 kHz) from the start.
     */
    @Test
    void framesSpanningPacketsAndLossWaitsForAKeyframe_rfc7741_4_1() throws Exception {
        VideoTrack track = new VideoTrack(dir, "alice", new VideoDepacketizer.Vp8(), keyframeRequests::incrementAndGet,
                LIMITS);
        long base = 4_294_960_000L; // the timestamps wrap during the test
        track.add(rtp(100, base, false, vp8(true, false, 1))); // interframe first: dropped, no file yet
        track.add(rtp(101, base, true, vp8(false, false, 2)));
        track.add(rtp(102, base + 3000, false, vp8(true, true, 3))); // keyframe in three packets
        track.add(rtp(104, base + 3000, true, vp8(false, false, 5)));
        track.add(rtp(103, base + 3000, false, vp8(false, false, 4))); // reordered
        track.add(rtp(105, base + 6000, true, vp8(true, false, 6)));
        // 106 is lost: the frame at +9000 loses its first packet
        track.add(rtp(107, base + 9000, true, vp8(false, false, 8)));
        for (int i = 0; i < 8; i++) { // interframes after the loss: dropped
            track.add(rtp(108 + i, base + 12000 + 3000L * i, true, vp8(true, false, 9)));
        }
        track.add(rtp(116, base + 36000, true, vp8(true, true, 10))); // the requested keyframe
        track.finish();
        assertTrue(keyframeRequests.get() >= 1, "a keyframe is asked for after the loss");
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        assertTrue(file.getFileName().toString().matches("alice-\\d{8}T\\d{6}\\.\\d{3}Z\\.ivf"), file.toString());
        ByteBuffer ivf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("DKIF", new String(ivf.array(), 0, 4, StandardCharsets.US_ASCII));
        assertEquals("VP80", new String(ivf.array(), 8, 4, StandardCharsets.US_ASCII));
        assertEquals(90000, ivf.getInt(16), "time base: the RTP clock");
        assertEquals(1, ivf.getInt(20));
        List<long[]> frames = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        for (int at = 32; at < ivf.limit(); ) {
            int size = ivf.getInt(at);
            frames.add(new long[]{ivf.getLong(at + 4), size});
            byte[] bytes = new byte[size];
            ivf.get(at + 12, bytes);
            data.add(bytes);
            at += 12 + size;
        }
        assertEquals(3, frames.size(), "the keyframe, its interframe, the new keyframe");
        assertEquals(0, frames.get(0)[0]);
        assertEquals(3000, frames.get(1)[0]);
        assertEquals(33000, frames.get(2)[0], "RTP time across the wrap");
        assertEquals(List.of(0, 3, 1, 4, 1, 5), toList(data.get(0)), "three packets' payloads in sequence order");
        assertEquals(33000 + 33000 / 2, ivf.getInt(24), "length: to the end of the last frame");
    }

    /**
     * RFC 6184 §5.8: an access unit whose first packet is the middle of a fragmented IDR slice (its start lost before
     * the stream was seen) is no keyframe to start a file with; the next whole one is.
     */
    @Test
    void anH264AccessUnitMustBeginWithAWholeNalUnit_rfc6184_5_8() throws Exception {
        VideoTrack track = new VideoTrack(dir, "frank", new VideoDepacketizer.H264(), keyframeRequests::incrementAndGet,
                LIMITS);
        track.add(rtp(10, 0, false, new byte[]{0x7c, 0x05, 0x01})); // FU-A continuation of an IDR
        track.add(rtp(11, 0, true, new byte[]{0x7c, 0x45, 0x02})); // and its end
        track.add(rtp(12, 3000, true, new byte[]{0x65, 0x03})); // a whole IDR slice
        track.finish();
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        byte[] ivf = Files.readAllBytes(file);
        assertEquals(32 + 12 + 6, ivf.length, "one access unit: start code, NAL header, slice byte");
        assertEquals(0x65, ivf[32 + 12 + 4]);
    }

    /** recording_max_frame_size: a frame that grows past it is dropped, and the file waits for a keyframe. */
    @Test
    void anOversizedFrameIsDropped() throws Exception {
        VideoTrack track = new VideoTrack(dir, "erin", new VideoDepacketizer.Vp8(), keyframeRequests::incrementAndGet,
                new Recorder.Limits(100, 8, 5, 1 << 20, Duration.ofHours(1)));
        track.add(rtp(1, 0, false, vp8(true, true, 1)));
        track.add(rtp(2, 0, false, vp8(false, false, 2)));
        track.add(rtp(3, 0, true, vp8(false, false, 3))); // six bytes: over the limit of five
        track.add(rtp(4, 3000, true, vp8(true, true, 4)));
        track.finish();
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        byte[] ivf = Files.readAllBytes(file);
        assertEquals(32 + 12 + 2, ivf.length, "only the second keyframe");
    }

    private static List<Integer> toList(byte[] bytes) {
        List<Integer> list = new ArrayList<>();
        for (byte b : bytes) {
            list.add((int) b);
        }
        return list;
    }

    /**
     * RFC 7587 §4.1, RFC 7845 §4: the granule positions are RTP time; a gap of lost packets is filled with packets that
     * decoders conceal (RFC 6716 §3.2.1), so the file lasts what the stream did.
     */
    @Test
    void audioGapsAreFilledToKeepRtpTime_rfc7845_4() throws Exception {
        AudioTrack track = new AudioTrack(dir, "bob", 1, List.of(), LIMITS);
        byte[] opus20ms = {(byte) (1 << 3), 0x55};
        track.add(rtp(1, 1000, false, opus20ms));
        track.add(rtp(2, 1960, false, opus20ms));
        track.add(rtp(6, 1960 + 4 * 960, false, opus20ms)); // 3, 4, 5 lost
        for (int i = 7; i < 20; i++) {
            track.add(rtp(i, 1000 + (i - 1) * 960L, false, opus20ms));
        }
        track.finish();
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        List<OggOpusWriterTest.Page> pages = OggOpusWriterTest.read(Files.readAllBytes(file));
        OggOpusWriterTest.Page last = pages.get(pages.size() - 1);
        assertEquals(19 * 960, last.granule(), "19 packets' time, three of them concealed");
        long concealed = last.packets().stream().filter(p -> p.length == 1).count();
        assertEquals(3, concealed);
    }

    /** recording_max_duration: the file is complete at the limit, and nothing more is written. */
    @Test
    void aFileEndsAtItsDurationLimit() throws Exception {
        AudioTrack track = new AudioTrack(dir, "carol", 1, List.of(),
                new Recorder.Limits(100, 8, 1 << 16, 1 << 20, Duration.ofSeconds(1)));
        for (int i = 0; i < 100; i++) {
            track.add(rtp(i, i * 960L, false, new byte[]{(byte) (1 << 3), 0x55}));
        }
        track.finish();
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        List<OggOpusWriterTest.Page> pages = OggOpusWriterTest.read(Files.readAllBytes(file));
        assertEquals(48000, pages.get(pages.size() - 1).granule());
        assertEquals(0x04, pages.get(pages.size() - 1).flags());
    }
}
