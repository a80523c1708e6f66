package org.sylkserver.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.LossConcealment;
import org.sylkserver.media.codec.Resampler;
import org.sylkserver.media.rtcp.ReportBlock;
import org.sylkserver.media.rtcp.RtcpCompound;

/**
 * One direction of an RTP audio stream re-encoded from one codec to another, for a relay whose two parties share no
 * codec (a Jingle call: spec §5.7). Each packet of the input codec is decoded, resampled to the output codec's rate
 * and queued; every full frame of the output's packet time is encoded and sent as a packet of a stream of our own:
 * our SSRC, a sequence number one higher per packet and a timestamp on the output codec's clock, all starting at
 * random values (RFC 3550 §5.1). The input's timing carries over. A gap in its timestamps with sequence numbers
 * missing is loss: up to {@value #MAX_CONCEALED_MS} ms of it is concealed (packet loss concealment: the decoder's own,
 * with Opus's in-band FEC taken from the packet after the loss, RFC 6716 §4.4 and RFC 7587 §3.3; else
 * {@link LossConcealment} on the decoded signal, as G.711 Appendix I), the rest is silence. A gap with no sequence
 * number missing is silence the sender left out (RFC 3551 §4.1): it completes the frame under way with silence and
 * advances our timestamps by the rest of the gap without sending anything, the next packet marked as the start of a
 * talkspurt. A late or repeated packet is dropped (there is no jitter buffer here: the receiving party has one); a
 * new SSRC or a jump of more than {@value #RESTART_SECONDS} s starts the input afresh.
 *
 * <p>RFC 4733 telephone events go on when both formats have a telephone-event payload type (whose clock is that of
 * the codec, RFC 4733 §2.1): the payload type renumbered, the event's timestamp placed on our timeline and its
 * durations converted to our clock; without one on either side they are dropped (the tones themselves, if the sender
 * also plays them in-band, are transcoded like any audio). Other payload types (comfort noise) and RTCP are dropped:
 * the two parties' reports describe streams the other never sees. The report blocks in the input party's RTCP describe
 * the other direction's output, though: paired ({@link #reportsFor}), their fraction lost (RFC 3550 §6.4.1) becomes
 * the loss that direction's encoder plans for (Opus in-band FEC, RFC 6716 §2.1.7).
 *
 * <p>Bad input costs a packet, never the stream: an undecodable payload is dropped and counted
 * ({@link #undecodable()}).
 *
 * <p>Threading: {@link #rtp} is called by one thread at a time (the media engine's I/O thread), which only copies the
 * packet into this stream's queue; the codec work runs on the {@code codecThreads} executor given (the engine's
 * {@link MediaEngine#codecWorkers()}), one packet at a time and in order, so a call whose codecs are slow delays
 * no other call's packets on the I/O thread. The queue holds {@value #QUEUE_LIMIT} packets: when the stream falls
 * further behind, its oldest packet is dropped (and concealed as a lost one), counted ({@link #dropped()}) and logged
 * at most once per {@value #DROP_LOG_SECONDS} s. The output is sent from the codec thread. {@link #close} may come
 * from any thread, without waiting: the codecs' native state is freed after the packet under way.
 */
public final class RtpTranscoder implements RtpRelayEndpoint.Relay, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RtpTranscoder.class.getName());

    /** A jump in the input's timestamps beyond this many seconds is a new stream, not a gap to keep. */
    static final int RESTART_SECONDS = 10;

    /** Packet time when the receiver states none (RFC 3551 §4.5: 20 ms is the usual default for audio). */
    static final int DEFAULT_PTIME = 20;

    /** The longest loss concealed; beyond, silence (G.711 Appendix I fades to silence by then too). */
    static final int MAX_CONCEALED_MS = 60;

    /** Packets waiting for the codec thread, per direction: 200 ms of 20 ms packets. */
    static final int QUEUE_LIMIT = 10;

    /** Dropped packets are logged at most this often per direction. */
    static final int DROP_LOG_SECONDS = 10;

    /**
     * One side's RTP format.
     *
     * @param encodingName   the codec's name in {@code a=rtpmap}, e.g. {@code PCMU}, {@code opus}
     * @param clockRate      its RTP clock rate in {@code a=rtpmap}
     * @param payloadType    its payload type number on this side
     * @param telephoneEvent the payload type number of {@code telephone-event} at the same clock rate, or -1
     * @param ptime          the packet time in ms this side asked for ({@code a=ptime}), 0 if none; used for output
     */
    public record Format(String encodingName, int clockRate, int payloadType, int telephoneEvent, int ptime) {
        public Format {
            Objects.requireNonNull(encodingName, "encodingName");
            if (payloadType < 0 || payloadType > 127 || telephoneEvent < -1 || telephoneEvent > 127) {
                throw new IllegalArgumentException("payload type out of range 0-127");
            }
        }
    }

    /** Where the re-encoded packets go; the buffer may be kept. */
    public interface Output {
        void send(ByteBuffer packet) throws IOException;
    }

    private final Format from;
    private final Format to;
    private final Output output;
    /** Packets waiting for the codec thread. */
    private final CodecQueue<Input> queue;

    private final AudioCodec decoder;
    private final AudioCodec encoder;
    /** Null when both codecs sample at the same rate. */
    private final Resampler resampler;
    /** Samples (at the encoder's rate) per output packet. */
    private final int frame;
    private final short[] pending;
    private int pendingLength;
    /** Concealment when the decoder has none of its own; fed every decoded frame. */
    private final LossConcealment concealment;

    private final long ssrc = ThreadLocalRandom.current().nextLong(1L << 32);
    private int sequence = ThreadLocalRandom.current().nextInt(1 << 16);
    /** Our timestamp of the first pending sample. */
    private long timestamp = ThreadLocalRandom.current().nextLong(1L << 32);
    private boolean marker = true;

    /** The input's SSRC and the timestamp its next packet should have; {@code inputSsrc} -1 before the first. */
    private long inputSsrc = -1;
    private long expected;
    /** The sequence number the input's next packet should have (RFC 3550 §5.1: one more per packet sent). */
    private int expectedSequence;
    /** The input timestamp of the last telephone event and ours for it: its later packets keep the same. */
    private long eventIn = -1;
    private long eventOut;

    private long undecodable;
    private volatile boolean closed;
    /** The other direction, whose output our input party's report blocks describe; null until paired. */
    private volatile RtpTranscoder reverse;
    /** The loss in percent our output's receiver last reported, -1 before any; what the encoder was last told. */
    private volatile int reportedLoss = -1;
    private volatile int expectedLoss = -1;

    /** A packet waiting for the codec thread: its header and a copy of its payload. */
    private record Input(RtpHeader header, byte[] payload) {
    }

    /**
     * @param codecThreads where the codec work runs, one task of this stream at a time (the engine's
     *                     {@link MediaEngine#codecWorkers()}; a caller's direct executor keeps it on the caller's thread)
     * @throws IllegalArgumentException if the media engine has no codec for either format, or cannot convert
     *                                  between their rates
     */
    public RtpTranscoder(Format from, Format to, Executor codecThreads, Output output) {
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
        Objects.requireNonNull(codecThreads, "codecThreads");
        this.output = Objects.requireNonNull(output, "output");
        AudioCodec in = AudioCodecs.create(from.encodingName(), from.clockRate()).orElseThrow(
                () -> new IllegalArgumentException("no codec " + from.encodingName() + "/" + from.clockRate()));
        AudioCodec out = AudioCodecs.create(to.encodingName(), to.clockRate()).orElse(null);
        if (out == null) {
            in.close();
            throw new IllegalArgumentException("no codec " + to.encodingName() + "/" + to.clockRate());
        }
        decoder = in;
        encoder = out;
        resampler = in.sampleRate() == out.sampleRate() ? null : new Resampler(in.sampleRate(), out.sampleRate());
        frame = out.sampleRate() * packetTime(to) / 1000;
        pending = new short[frame];
        concealment = new LossConcealment(in.sampleRate());
        queue = new CodecQueue<>(QUEUE_LIMIT, DROP_LOG_SECONDS, codecThreads,
                input -> transcode(input.header(), input.payload()), this::freeCodecs);
    }

    /**
     * The output's packet time: what the receiver asked for when it is a whole number of 10 ms up to 60 ms that the
     * codec can encode in one packet (Opus frames are 10, 20, 40 or 60 ms, RFC 6716 §2.1.4), else 20 ms.
     */
    static int packetTime(Format format) {
        int ptime = format.ptime();
        if (ptime < 10 || ptime > 60 || ptime % 10 != 0) {
            return DEFAULT_PTIME;
        }
        boolean opus = format.encodingName().toLowerCase(Locale.ROOT).equals("opus");
        return opus && (ptime == 30 || ptime == 50) ? DEFAULT_PTIME : ptime;
    }

    /** Payloads of the input codec that could not be decoded (and were dropped). */
    public synchronized long undecodable() {
        return undecodable;
    }

    /** Packets dropped because the codec thread fell {@value #QUEUE_LIMIT} packets behind. */
    public long dropped() {
        return queue.dropped();
    }

    /** On the I/O thread: queues a copy of an audio or event packet for the codec thread. */
    @Override
    public void rtp(RtpHeader header, ByteBuffer packet) {
        if (closed || header.payloadLength() == 0 || header.payloadType() != from.payloadType()
                && (header.payloadType() != from.telephoneEvent() || header.payloadLength() % 4 != 0)) {
            return;
        }
        long logDropped = queue.offer(new Input(header, payload(header, packet)));
        if (logDropped > 0) {
            LOG.warning(() -> "transcoding " + from.encodingName() + " to " + to.encodingName() + " fell behind: "
                    + logDropped + " packets dropped in the last " + DROP_LOG_SECONDS + " s at most");
        }
    }

    private synchronized void transcode(RtpHeader header, byte[] payload) {
        if (header.payloadType() == from.payloadType()) {
            audio(header, payload);
        } else {
            event(header, payload);
        }
    }

    /**
     * Pairs the two directions of a call: the report blocks of this input party's RTCP about {@code reverse}'s SSRC
     * set the loss {@code reverse}'s encoder plans for.
     */
    public void reportsFor(RtpTranscoder reverse) {
        this.reverse = reverse;
    }

    /**
     * RTCP of the input's party, on the I/O thread: not passed on (see the class comment); its report blocks on the
     * paired direction's stream are noted for that direction's encoder, which takes them before its next frame.
     */
    @Override
    public void rtcp(ByteBuffer packet) {
        RtpTranscoder described = reverse;
        if (described == null) {
            return;
        }
        for (RtcpCompound.Packet rtcp : RtcpCompound.parse(packet)) {
            for (ReportBlock block : rtcp.reports()) {
                if (block.ssrc() == described.ssrc) {
                    described.reportedLoss = block.fractionLost() * 100 / 256; // 8-bit fixed point, RFC 3550 §6.4.1
                }
            }
        }
    }

    /** The loss in percent the encoder was last told to plan for, -1 before any report. */
    int expectedLoss() {
        return expectedLoss;
    }

    private void audio(RtpHeader header, byte[] payload) {
        long gap = continuity(header);
        if (gap < 0) {
            return; // late or repeated
        }
        boolean lost = sequenced(header) > 0;
        if (gap > 0 && lost) {
            conceal(gap, payload);
        } else if (gap > 0) {
            concealment.reset();
            silence(gap * encoder.sampleRate() / from.clockRate());
        }
        expected = header.timestamp();
        short[] pcm;
        try {
            pcm = decoder.decode(payload);
        } catch (IllegalArgumentException e) {
            undecodable++;
            return;
        }
        concealment.decoded(pcm);
        expected = header.timestamp() + (long) pcm.length * from.clockRate() / decoder.sampleRate() & 0xffffffffL;
        encode(pcm);
    }

    /**
     * The number of packets missing before this one (RFC 3550 §5.1: the sequence number grows by one per packet
     * sent), 0 for the next one or an earlier one; the next expected number moves past it.
     */
    private int sequenced(RtpHeader header) {
        int missing = header.sequence() - expectedSequence & 0xffff;
        if (missing >= 0x8000) {
            return 0;
        }
        expectedSequence = header.sequence() + 1 & 0xffff;
        return missing;
    }

    /**
     * {@code gap} input clock ticks of lost audio before {@code next}: at most {@value #MAX_CONCEALED_MS} ms
     * concealed (the decoder's own concealment, with FEC from {@code next} when the loss ends there, else ours), the
     * rest silence.
     */
    private void conceal(long gap, byte[] next) {
        long samples = gap * decoder.sampleRate() / from.clockRate();
        int limit = decoder.sampleRate() * MAX_CONCEALED_MS / 1000;
        int n = (int) Math.min(samples, limit);
        short[] pcm;
        try {
            pcm = decoder.decodeLost(n, samples <= limit ? next : null);
        } catch (IllegalArgumentException e) {
            pcm = null;
        }
        if (pcm == null) {
            pcm = concealment.conceal(n);
        } else {
            concealment.decoded(pcm);
        }
        encode(pcm);
        long rest = samples - pcm.length;
        if (rest > 0) {
            concealment.reset();
            silence(rest * encoder.sampleRate() / decoder.sampleRate());
        }
    }

    /** Decoded (or concealed) audio to the encoder's rate and into frames, each full one sent. */
    private void encode(short[] pcm) {
        short[] converted = resampler == null ? pcm : resampler.process(pcm);
        int offset = 0;
        while (offset < converted.length) {
            int n = Math.min(converted.length - offset, frame - pendingLength);
            System.arraycopy(converted, offset, pending, pendingLength, n);
            pendingLength += n;
            offset += n;
            if (pendingLength == frame) {
                send();
            }
        }
    }

    /**
     * Where the packet stands against the input's timeline: 0 in sequence, the gap in input clock ticks when it comes
     * after one, -1 when late or repeated; a new SSRC or a jump of more than {@value #RESTART_SECONDS} s either way
     * starts the timeline afresh (0), the next packet marked.
     */
    private long continuity(RtpHeader header) {
        long delta = (int) (header.timestamp() - expected); // RFC 3550 §5.1: timestamps wrap modulo 2^32
        if (header.ssrc() != inputSsrc || Math.abs(delta) > (long) RESTART_SECONDS * from.clockRate()) {
            if (inputSsrc != -1) {
                flushWithSilence();
                marker = true;
            }
            inputSsrc = header.ssrc();
            expected = header.timestamp();
            expectedSequence = header.sequence();
            eventIn = -1;
            concealment.reset();
            return 0;
        }
        return delta < 0 ? -1 : delta;
    }

    /**
     * {@code samples} of silence (at the encoder's rate) in the stream: the pending frame completed and sent, then
     * our timestamps advanced by whole frames without sending them, the rest kept pending.
     */
    private void silence(long samples) {
        long left = samples;
        if (pendingLength > 0) {
            int n = (int) Math.min(left, frame - pendingLength);
            Arrays.fill(pending, pendingLength, pendingLength + n, (short) 0);
            pendingLength += n;
            left -= n;
            if (pendingLength == frame) {
                send();
            }
        }
        long frames = left / frame;
        if (frames > 0) {
            timestamp = timestamp + frames * ticks(frame) & 0xffffffffL;
            marker = true;
        }
        int rest = (int) (left - frames * frame);
        Arrays.fill(pending, pendingLength, pendingLength + rest, (short) 0);
        pendingLength += rest;
    }

    /** Completes the pending frame with silence and sends it (the input's stream ended or restarted). */
    private void flushWithSilence() {
        if (pendingLength > 0) {
            silence(frame - pendingLength);
        }
    }

    private void send() {
        int loss = reportedLoss;
        if (loss != expectedLoss) {
            encoder.expectLoss(loss);
            expectedLoss = loss;
        }
        byte[] encoded;
        try {
            encoded = encoder.encode(pending);
        } finally {
            pendingLength = 0;
        }
        emit(to.payloadType(), marker, timestamp, encoded);
        marker = false;
        timestamp = timestamp + ticks(frame) & 0xffffffffL;
    }

    /** Samples at the encoder's rate as ticks of the output's RTP clock (G.722: 16 kHz samples, 8 kHz clock). */
    private long ticks(long samples) {
        return samples * to.clockRate() / encoder.sampleRate();
    }

    /**
     * RFC 4733 §2.5: the packets of one event share its start timestamp; ours is where that start falls on our
     * timeline, and each 4-byte event block's duration (bytes 2-3) is converted to our clock, at most 0xFFFF.
     */
    private void event(RtpHeader header, byte[] payload) {
        if (inputSsrc != header.ssrc()) {
            continuity(header);
        }
        sequenced(header); // events share the audio's sequence numbers (RFC 4733 §2.1)
        if (to.telephoneEvent() < 0) {
            return;
        }
        if (header.timestamp() != eventIn) {
            long offset = (int) (header.timestamp() - expected);
            eventIn = header.timestamp();
            eventOut = timestamp + ticks(pendingLength) + offset * to.clockRate() / from.clockRate() & 0xffffffffL;
        }
        for (int i = 0; i + 4 <= payload.length; i += 4) {
            long duration = ((payload[i + 2] & 0xff) << 8 | payload[i + 3] & 0xff) * (long) to.clockRate()
                    / from.clockRate();
            int converted = (int) Math.min(0xffff, duration);
            payload[i + 2] = (byte) (converted >> 8);
            payload[i + 3] = (byte) converted;
        }
        emit(to.telephoneEvent(), header.marker(), eventOut, payload);
    }

    private static byte[] payload(RtpHeader header, ByteBuffer packet) {
        byte[] payload = new byte[header.payloadLength()];
        packet.get(packet.position() + header.headerLength(), payload);
        return payload;
    }

    /** One packet of our stream (RFC 3550 §5.1 fixed header, no CSRC, no extension, no padding). */
    private void emit(int payloadType, boolean marked, long time, byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(RtpHeader.FIXED_LENGTH + payload.length);
        out.put((byte) 0x80);
        out.put((byte) ((marked ? 0x80 : 0) | payloadType));
        out.putShort((short) sequence);
        out.putInt((int) time);
        out.putInt((int) ssrc);
        out.put(payload);
        out.flip();
        sequence = sequence + 1 & 0xffff;
        try {
            output.send(out);
        } catch (IOException e) {
            LOG.log(Level.FINE, "transcoded RTP not sent", e);
        }
    }

    /**
     * Drops the waiting packets and frees the codecs (their native state): now, or when the packet under way on the
     * codec thread is done (this does not wait for it). Packets after this are dropped. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        queue.close();
    }

    private synchronized void freeCodecs() {
        decoder.close();
        encoder.close();
    }
}
