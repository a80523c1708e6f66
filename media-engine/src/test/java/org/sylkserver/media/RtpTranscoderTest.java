package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.G711;
import org.sylkserver.media.codec.SineWave;
import org.sylkserver.media.codec.ToneDetector;
import org.sylkserver.media.rtcp.ReportBlock;
import org.sylkserver.media.rtcp.RtcpCompound;
import org.sylkserver.media.rtcp.RtcpPackets;

/**
 * A relay's transcoding of one direction of a call between parties with no common codec (spec §5.7): the audio
 * keeps its frequency, level and cleanliness through PCMU → Opus → PCMU; the re-encoded stream is ours (RFC 3550
 * §5.1) with the receiver's packet time; gaps, late packets, RFC 4733 events and bad payloads are handled as the
 * class says.
 */
class RtpTranscoderTest {

    private static final RtpTranscoder.Format PCMU = new RtpTranscoder.Format("PCMU", 8000, 0, 101, 0);
    private static final RtpTranscoder.Format OPUS = new RtpTranscoder.Format("opus", 48000, 111, 110, 0);
    private static final RtpTranscoder.Format PCMA = new RtpTranscoder.Format("PCMA", 8000, 8, -1, 0);
    /** The codec work on the test's own thread, so that the output is there when {@link #feed} returns. */
    private static final Executor DIRECT = Runnable::run;

    /** An RTP packet (RFC 3550 §5.1) with the given fields. */
    private static ByteBuffer rtp(int payloadType, boolean marker, int sequence, long timestamp, long ssrc,
                                  byte[] payload) {
        ByteBuffer packet = ByteBuffer.allocate(12 + payload.length);
        packet.put((byte) 0x80).put((byte) ((marker ? 0x80 : 0) | payloadType)).putShort((short) sequence)
                .putInt((int) timestamp).putInt((int) ssrc).put(payload);
        return packet.flip();
    }

    private static void feed(RtpTranscoder transcoder, ByteBuffer packet) {
        transcoder.rtp(RtpHeader.parse(packet), packet);
    }

    private static byte[] payloadOf(ByteBuffer packet) {
        RtpHeader header = RtpHeader.parse(packet);
        byte[] payload = new byte[header.payloadLength()];
        packet.get(packet.position() + header.headerLength(), payload);
        return payload;
    }

    /** A tone in 20 ms PCMU packets, timestamps from 1000 and sequence numbers from 5, SSRC 77. */
    private static List<ByteBuffer> pcmuTone(double frequency, double seconds, double amplitude) {
        List<ByteBuffer> packets = new ArrayList<>();
        short[][] frames = SineWave.frames(SineWave.tone(frequency, 8000, seconds, amplitude), 160);
        for (int n = 0; n < frames.length; n++) {
            packets.add(rtp(0, n == 0, 5 + n, 1000 + 160L * n, 77, G711.PCMU.encode(frames[n])));
        }
        return packets;
    }

    private static short[] concat(List<short[]> parts) {
        short[] all = new short[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (short[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /**
     * PCMU in, Opus out, and back to PCMU through a second transcoder (the other party's direction as a stand-in):
     * the 1 kHz tone arrives at its frequency (Goertzel), its level within 1 dB, and clean (SINAD, i.e. noise and
     * distortion together, at least 30 dB below the tone: about 3 % THD+N); the Opus stream in the middle is a
     * stream of ours: one SSRC, sequence numbers one apart, timestamps 960 apart at 48 kHz (RFC 7587 §4.1).
     */
    @Test
    void aToneKeepsFrequencyLevelAndCleanlinessThroughPcmuToOpusAndBack() {
        double amplitude = 0.3;
        List<ByteBuffer> opus = new ArrayList<>();
        List<ByteBuffer> back = new ArrayList<>();
        try (RtpTranscoder toOpus = new RtpTranscoder(PCMU, OPUS, DIRECT, opus::add);
             RtpTranscoder toPcmu = new RtpTranscoder(OPUS, PCMU, DIRECT, back::add)) {
            for (ByteBuffer packet : pcmuTone(1000, 2.0, amplitude)) {
                feed(toOpus, packet);
            }
            assertEquals(100, opus.size(), "one Opus packet per 20 ms");
            RtpHeader first = RtpHeader.parse(opus.get(0));
            assertTrue(first.marker(), "the stream starts a talkspurt (RFC 3551 §4.1)");
            for (int i = 1; i < opus.size(); i++) {
                RtpHeader h = RtpHeader.parse(opus.get(i));
                assertEquals(111, h.payloadType());
                assertEquals(first.ssrc(), h.ssrc());
                assertEquals(first.sequence() + i & 0xffff, h.sequence());
                assertEquals(first.timestamp() + 960L * i & 0xffffffffL, h.timestamp());
                assertFalse(h.marker());
            }
            assertTrue(first.ssrc() != 77, "our own SSRC, not the input's");
            for (ByteBuffer packet : opus) {
                feed(toPcmu, packet);
            }
        }
        assertEquals(100, back.size());
        List<short[]> decoded = new ArrayList<>();
        for (ByteBuffer packet : back) {
            assertEquals(0, RtpHeader.parse(packet).payloadType());
            decoded.add(G711.PCMU.decode(payloadOf(packet)));
        }
        // skip the codecs' and resamplers' start (200 ms); 1.6 s = 1600 whole cycles of 1 kHz at 8 kHz
        short[] settled = Arrays.copyOfRange(concat(decoded), 1600, 1600 + 12800);
        short[] reference = SineWave.tone(1000, 8000, 1.6, amplitude);
        assertEquals(1000, ToneDetector.dominantFrequency(settled, 8000), 2, "frequency (Goertzel)");
        double level = ToneDetector.levelDb(settled, 8000, 1000);
        assertEquals(ToneDetector.levelDb(reference, 8000, 1000), level, 1.0, "level within 1 dB");
        double sinad = ToneDetector.tonesSinadDb(settled, 8000, 1000);
        assertTrue(sinad > 30, "SINAD " + sinad + " dB");
    }

    /**
     * RFC 3550 §6.4.1: the report blocks of the Opus receiver's RTCP (which reaches the other direction's transcoder)
     * on our Opus stream's SSRC set the loss the Opus encoder plans for, so that its in-band FEC follows the loss
     * (RFC 6716 §2.1.7): a fraction lost of 64/256 is 25 %. Blocks on another SSRC, and a broken RTCP packet, change
     * nothing.
     */
    @Test
    void theReceiversReportedLossReachesTheEncoder_rfc3550_6_4_1() {
        List<ByteBuffer> opus = new ArrayList<>();
        List<ByteBuffer> tone = pcmuTone(440, 0.3, 0.3);
        try (RtpTranscoder toOpus = new RtpTranscoder(PCMU, OPUS, DIRECT, opus::add);
             RtpTranscoder toPcmu = new RtpTranscoder(OPUS, PCMU, DIRECT, packet -> { })) {
            toPcmu.reportsFor(toOpus);
            feed(toOpus, tone.get(0));
            long ssrc = opus.get(0).getInt(8) & 0xffffffffL;
            toPcmu.rtcp(RtcpPackets.compound(99, 0, 0, 0, 0, new ReportBlock(ssrc ^ 1, 128, 9, 100, 0, 0, 0), "rx",
                    false));
            toPcmu.rtcp(ByteBuffer.wrap(new byte[] {(byte) 0x81, (byte) RtcpCompound.RR, 0, 7, 1}));
            feed(toOpus, tone.get(1));
            assertEquals(-1, toOpus.expectedLoss(), "no report on our stream yet");
            toPcmu.rtcp(RtcpPackets.compound(99, 0, 0, 0, 0, new ReportBlock(ssrc, 64, 3, 100, 0, 0, 0), "rx",
                    false));
            feed(toOpus, tone.get(2));
            assertEquals(25, toOpus.expectedLoss());
            assertEquals(3, opus.size(), "the stream goes on");
        }
    }

    /**
     * The Opus packets themselves carry the tone at 48 kHz (decoded by an Opus decoder of their own), so the PCMU
     * round trip above does not hide a broken middle.
     */
    @Test
    void theOpusStreamDecodesToTheTone() {
        List<ByteBuffer> opus = new ArrayList<>();
        try (RtpTranscoder toOpus = new RtpTranscoder(PCMU, OPUS, DIRECT, opus::add);
             AudioCodec decoder = AudioCodecs.create("opus", 48000).orElseThrow()) {
            for (ByteBuffer packet : pcmuTone(440, 1.0, 0.3)) {
                feed(toOpus, packet);
            }
            List<short[]> decoded = new ArrayList<>();
            for (ByteBuffer packet : opus) {
                decoded.add(decoder.decode(payloadOf(packet)));
            }
            short[] settled = Arrays.copyOfRange(concat(decoded), 9600, 9600 + 24000); // 0.5 s: 220 cycles
            assertEquals(440, ToneDetector.dominantFrequency(settled, 48000), 2);
            assertEquals(ToneDetector.levelDb(SineWave.tone(440, 48000, 0.5, 0.3), 48000, 440),
                    ToneDetector.levelDb(settled, 48000, 440), 1.0);
            assertTrue(ToneDetector.tonesSinadDb(settled, 48000, 440) > 30);
        }
    }

    /**
     * Packetization is the receiver's (its {@code a=ptime}, RFC 4566 §6), not the sender's: 20 ms PCMU becomes 40 ms
     * G.722 packets (320 bytes, 320 ticks of its 8 kHz clock, RFC 3551 §4.5.2); a ptime Opus has no frame for (30 ms,
     * RFC 6716 §2.1.4) falls back to 20 ms.
     */
    @Test
    void thePacketTimeIsTheReceivers() {
        List<ByteBuffer> g722 = new ArrayList<>();
        try (RtpTranscoder transcoder = new RtpTranscoder(PCMU, new RtpTranscoder.Format("G722", 8000, 9, -1, 40),
                DIRECT, g722::add)) {
            for (ByteBuffer packet : pcmuTone(1000, 1.0, 0.3)) {
                feed(transcoder, packet);
            }
        }
        assertEquals(25, g722.size());
        assertEquals(320, RtpHeader.parse(g722.get(0)).payloadLength());
        assertEquals(320, RtpHeader.parse(g722.get(1)).timestamp() - RtpHeader.parse(g722.get(0)).timestamp());
        assertEquals(20, RtpTranscoder.packetTime(new RtpTranscoder.Format("opus", 48000, 111, -1, 30)));
        assertEquals(60, RtpTranscoder.packetTime(new RtpTranscoder.Format("opus", 48000, 111, -1, 60)));
        assertEquals(30, RtpTranscoder.packetTime(new RtpTranscoder.Format("PCMA", 8000, 8, -1, 30)));
        assertEquals(20, RtpTranscoder.packetTime(new RtpTranscoder.Format("PCMA", 8000, 8, -1, 25)));
    }

    /**
     * Timing carries over (RFC 3550 §5.1): 100 ms of silence the sender left out (its sequence numbers go on without
     * a gap, RFC 3551 §4.1) leaves the same gap in
     * our timestamps, with our sequence numbers still one apart and the packet after the gap marked (RFC 3551 §4.1);
     * a late and a repeated packet are dropped; a new input SSRC keeps our stream going.
     */
    @Test
    void gapsLatePacketsAndANewSourceKeepOurTimeline() {
        List<ByteBuffer> out = new ArrayList<>();
        List<ByteBuffer> in = pcmuTone(1000, 0.6, 0.3);
        try (RtpTranscoder transcoder = new RtpTranscoder(PCMU, PCMA, DIRECT, out::add)) {
            for (int n = 0; n < in.size(); n++) {
                if (n >= 10 && n < 15) {
                    continue; // silence left out: the sequence numbers go on without a gap (RFC 3551 §4.1)
                }
                feed(transcoder, n < 15 ? in.get(n).duplicate()
                        : rtp(0, n == 15, 5 + n - 5, 1000 + 160L * n, 77, payloadOf(in.get(n))));
                if (n == 20) {
                    feed(transcoder, in.get(12).duplicate()); // late
                    feed(transcoder, in.get(20).duplicate()); // repeated
                }
            }
            assertEquals(25, out.size());
            long base = RtpHeader.parse(out.get(0)).timestamp();
            int seq = RtpHeader.parse(out.get(0)).sequence();
            for (int i = 0; i < out.size(); i++) {
                RtpHeader h = RtpHeader.parse(out.get(i));
                int n = i < 10 ? i : i + 5;
                assertEquals(base + 160L * n & 0xffffffffL, h.timestamp(), "packet " + i);
                assertEquals(seq + i & 0xffff, h.sequence());
                assertEquals(i == 0 || i == 10, h.marker(), "marker on packet " + i);
            }
            feed(transcoder, rtp(0, true, 900, 555_555, 78, new byte[160]));
            RtpHeader next = RtpHeader.parse(out.get(out.size() - 1));
            assertEquals(RtpHeader.parse(out.get(0)).ssrc(), next.ssrc(), "our SSRC stays");
            assertEquals(base + 160L * 30 & 0xffffffffL, next.timestamp(), "our timeline goes on");
            assertTrue(next.marker());
        }
    }

    /**
     * RFC 4733 §2.5: an event's packets (start marked, growing duration, end repeated) keep one timestamp; passed to
     * a party with telephone-event at 48 kHz they are renumbered, placed at our timeline's position for the event's
     * start and their durations scaled to the 48 kHz clock (RFC 4733 §2.1: the codec's clock); to a party without
     * telephone-event they are dropped.
     */
    @Test
    void telephoneEventsArePassedOnOurClockOrDropped() {
        List<ByteBuffer> opus = new ArrayList<>();
        List<ByteBuffer> pcma = new ArrayList<>();
        List<ByteBuffer> tone = pcmuTone(1000, 0.2, 0.3);
        int[] durations = {160, 320, 480, 480};
        try (RtpTranscoder toOpus = new RtpTranscoder(PCMU, OPUS, DIRECT, opus::add);
             RtpTranscoder toPcma = new RtpTranscoder(PCMU, PCMA, DIRECT, pcma::add)) {
            for (ByteBuffer packet : tone) {
                feed(toOpus, packet.duplicate());
                feed(toPcma, packet.duplicate());
            }
            long eventStart = 1000 + 160L * tone.size(); // where the next audio would start
            for (int i = 0; i < durations.length; i++) {
                byte[] event = {5, (byte) (i >= 2 ? 0x8a : 0x0a), (byte) (durations[i] >> 8), (byte) durations[i]};
                ByteBuffer packet = rtp(101, i == 0, 15 + i, eventStart, 77, event);
                feed(toOpus, packet.duplicate());
                feed(toPcma, packet.duplicate());
            }
        }
        assertEquals(10, pcma.size(), "events dropped for a party without telephone-event");
        assertEquals(14, opus.size());
        RtpHeader lastAudio = RtpHeader.parse(opus.get(9));
        for (int i = 0; i < 4; i++) {
            ByteBuffer packet = opus.get(10 + i);
            RtpHeader h = RtpHeader.parse(packet);
            assertEquals(110, h.payloadType());
            assertEquals(i == 0, h.marker());
            assertEquals(lastAudio.ssrc(), h.ssrc());
            assertEquals(lastAudio.sequence() + 1 + i & 0xffff, h.sequence());
            assertEquals(lastAudio.timestamp() + 960 & 0xffffffffL, h.timestamp(), "the event's start on our clock");
            byte[] payload = payloadOf(packet);
            assertEquals(5, payload[0]);
            assertEquals(durations[i] * 6, (payload[2] & 0xff) << 8 | payload[3] & 0xff, "duration at 48 kHz");
        }
    }

    /** Bad input costs its packet only: undecodable Opus is counted and dropped, other payload types dropped. */
    @Test
    void badPayloadsAreDroppedAndCounted() {
        List<ByteBuffer> out = new ArrayList<>();
        Random random = new Random(4);
        try (RtpTranscoder transcoder = new RtpTranscoder(OPUS, PCMU, DIRECT, out::add)) {
            byte[] garbage = new byte[200];
            for (int n = 0; n < 50; n++) {
                random.nextBytes(garbage);
                garbage[0] = (byte) 0xff; // TOC code 3 with an impossible frame count: rejected by libopus
                garbage[1] = (byte) 0xff;
                feed(transcoder, rtp(111, false, n, 960L * n, 9, garbage));
            }
            feed(transcoder, rtp(13, false, 60, 960L * 60, 9, new byte[1])); // comfort noise: not ours to pass
            assertTrue(transcoder.undecodable() >= 1, "undecodable " + transcoder.undecodable());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new RtpTranscoder(new RtpTranscoder.Format("G729", 8000, 18, -1, 0), PCMU, DIRECT, out::add));
    }

    /** PCMU packets of a 440 Hz tone (a period of no whole number of samples) with those at {@code lost} left out. */
    private static List<ByteBuffer> withLoss(List<ByteBuffer> packets, int... lost) {
        List<ByteBuffer> kept = new ArrayList<>(packets);
        for (int i = lost.length - 1; i >= 0; i--) {
            kept.remove(lost[i]);
        }
        return kept;
    }

    /** The G.711 output decoded, one packet after the other. */
    private static short[] decoded(List<ByteBuffer> packets, G711 law) {
        List<short[]> decoded = new ArrayList<>();
        for (ByteBuffer packet : packets) {
            decoded.add(law.decode(payloadOf(packet)));
        }
        return concat(decoded);
    }

    private static short[] packetAt(short[] signal, int index) {
        return Arrays.copyOfRange(signal, 160 * index, 160 * (index + 1));
    }

    /**
     * Packet loss concealment for G.711 (G.711 Appendix I style): one lost 20 ms packet of a 440 Hz tone (sequence
     * numbers show the loss, RFC 3550 §5.1) is filled with the tone, within 2 dB of its level and with its
     * frequency, at least 20 dB SINAD, instead of silence; the packet after it is as clean as the rest.
     */
    @Test
    void aLostG711PacketIsConcealedWithTheTone() {
        List<ByteBuffer> out = new ArrayList<>();
        try (RtpTranscoder transcoder = new RtpTranscoder(PCMU, PCMA, DIRECT, out::add)) {
            for (ByteBuffer packet : withLoss(pcmuTone(440, 1.0, 0.3), 25)) {
                feed(transcoder, packet);
            }
        }
        assertEquals(50, out.size(), "the lost packet's time is sent, concealed");
        short[] decoded = decoded(out, G711.PCMA);
        double reference = ToneDetector.levelDb(packetAt(decoded, 20), 8000, 440);
        short[] concealed = packetAt(decoded, 25);
        assertEquals(reference, ToneDetector.levelDb(concealed, 8000, 440), 2.0, "the concealed level");
        double sinad = ToneDetector.tonesSinadDb(concealed, 8000, 440);
        assertTrue(sinad > 20, "concealed SINAD " + sinad + " dB");
        short[] after = Arrays.copyOfRange(decoded, 160 * 25 + 80, 160 * 27);
        assertTrue(ToneDetector.tonesSinadDb(after, 8000, 440) > 20, "the join back to the real signal");
    }

    /**
     * A longer G.711 loss fades (G.711 Appendix I: a fifth per 10 ms after the first 10 ms) and is silence from
     * {@value RtpTranscoder#MAX_CONCEALED_MS} ms on: 100 ms lost gives three concealed packets, each quieter than the
     * last, then 40 ms with no packet (the next real one marked, RFC 3551 §4.1).
     */
    @Test
    void aLongLossFadesAndEndsInSilence() {
        List<ByteBuffer> out = new ArrayList<>();
        try (RtpTranscoder transcoder = new RtpTranscoder(PCMU, PCMA, DIRECT, out::add)) {
            for (ByteBuffer packet : withLoss(pcmuTone(440, 1.0, 0.3), 20, 21, 22, 23, 24)) {
                feed(transcoder, packet);
            }
        }
        assertEquals(48, out.size(), "three of the five lost packets concealed");
        short[] decoded = decoded(out, G711.PCMA);
        double reference = ToneDetector.levelDb(packetAt(decoded, 10), 8000, 440);
        double first = ToneDetector.levelDb(packetAt(decoded, 20), 8000, 440);
        double second = ToneDetector.levelDb(packetAt(decoded, 21), 8000, 440);
        double third = ToneDetector.levelDb(packetAt(decoded, 22), 8000, 440);
        assertEquals(reference, first, 3.0, "the first 20 ms nearly whole");
        assertTrue(second < first - 2 && third < second - 3, "fading: " + first + ", " + second + ", " + third);
        RtpHeader lastConcealed = RtpHeader.parse(out.get(22));
        RtpHeader next = RtpHeader.parse(out.get(23));
        assertEquals(lastConcealed.timestamp() + 3 * 160 & 0xffffffffL, next.timestamp(), "40 ms of silence");
        assertTrue(next.marker());
    }

    /**
     * Opus's own concealment (RFC 6716 §4.4) for a lost Opus packet, PCMU out: the lost 20 ms is filled with the tone
     * (its frequency, faded a little) rather than with silence. (Our encoder sends no FEC, so none is used here; FEC
     * is {@code OpusConcealmentTest}'s.)
     */
    @Test
    void aLostOpusPacketIsConcealedByTheOpusDecoder() {
        List<ByteBuffer> opus = new ArrayList<>();
        List<ByteBuffer> out = new ArrayList<>();
        try (RtpTranscoder toOpus = new RtpTranscoder(PCMU, OPUS, DIRECT, opus::add);
             RtpTranscoder toPcmu = new RtpTranscoder(OPUS, PCMU, DIRECT, out::add)) {
            for (ByteBuffer packet : pcmuTone(440, 1.0, 0.3)) {
                feed(toOpus, packet);
            }
            for (ByteBuffer packet : withLoss(opus, 25)) {
                feed(toPcmu, packet);
            }
        }
        assertEquals(50, out.size(), "the lost packet's time is sent, concealed");
        short[] decoded = decoded(out, G711.PCMU);
        double reference = ToneDetector.levelDb(packetAt(decoded, 20), 8000, 440);
        short[] concealed = packetAt(decoded, 25);
        double level = ToneDetector.levelDb(concealed, 8000, 440);
        // libopus fades its concealment of a hybrid-mode frame: about 7 dB down here, against silence without it
        assertTrue(level > reference - 9 && level < reference + 1, "concealed " + level + " dB, tone " + reference);
        assertEquals(440, ToneDetector.dominantFrequency(concealed, 8000), 20, "the concealed frequency");
    }
}
