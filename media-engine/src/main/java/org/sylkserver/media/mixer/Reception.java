package org.sylkserver.media.mixer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.LossConcealment;
import org.sylkserver.media.codec.Resampler;
import org.sylkserver.media.jitter.JitterBuffer;
import org.sylkserver.media.jitter.PlayoutFrame;

/**
 * What a {@link Member} receives: the ring its packets are handed over in, its jitter buffer, decoder and loss
 * concealment, its level and speech hangover, and what an isolated member leaves undone until it is heard. The
 * receiving thread calls {@link #offer}; everything else runs on the mixing thread.
 */
final class Reception {

    /**
     * Slots of the ring the receiving thread hands packets over in: room for the packets of several ticks (an isolated
     * member's wait, {@link #MAX_WAITING_TICKS}) and a flood of one tick; a packet that finds it full (a flood of over
     * 192 packets in one tick, or the mixing thread stalled for 5 s) is dropped.
     */
    private static final int RING = 256;

    /**
     * Ticks an isolated member's packets wait at most before the mixer takes them in: it catches up with them also
     * when more than {@link Member#MAX_QUEUED} wait, and whenever it is connected or held.
     */
    private static final int MAX_WAITING_TICKS = 128;

    private static final VarHandle WRITTEN;
    private static final VarHandle TAKEN;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WRITTEN = lookup.findVarHandle(Reception.class, "written", long.class);
            TAKEN = lookup.findVarHandle(Reception.class, "taken", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** RFC 6464 levels kept by sequence number (a power of two). */
    private static final int STATED_LEVELS = 128;

    private final int payloadType;
    private volatile int level = AudioLevel.SILENCE;

    // The packets handed over, a ring with one writer (the receiving thread) and one reader (the mixing thread): the
    // packet numbered n (counted from 0) is in slot n modulo RING; a null payload is another payload type, which only
    // takes a sequence number. No allocation, lock or atomic update per packet (issue 12). A slot's fields lie side by
    // side, in two arrays instead of one per field: fewer places in memory to reach per packet, on either thread.
    /** Slot k's header at 2k, its payload at 2k + 1. */
    private final Object[] packets = new Object[2 * RING];
    /** Slot k's arrival at 2k, its stated level (-1: none) at 2k + 1. */
    private final long[] stamps = new long[2 * RING];
    /** Packets written into the ring (receiving thread; released once the slot is written). */
    private volatile long written;
    /** Packets taken out of the ring (mixing thread; released once the slot is emptied). */
    private volatile long taken;
    /** The receiving thread's last reading of {@link #taken}: read again only when the ring looks full. */
    private long takenSeen;
    /** Packets dropped because they found the ring full (receiving thread). */
    private volatile long overflowed;
    /** Packets a tick dropped because more than {@value Member#MAX_QUEUED} came since the last (mixing thread). */
    private volatile long cut;

    // mixing-thread state
    private final AudioCodec decoder;
    private final int frameSamples;
    /**
     * Made when first used, as {@link #concealment} and {@link #statedLevels} are: a joiner that hangs up during its
     * welcome uses none of them ({@link #waits}), and what a member keeps for its whole call the collector copies while
     * it lives (issue 12).
     */
    private JitterBuffer jitter;
    /** To 48 kHz (null at 48 kHz), made when the member first talks: most joiners of a short call never do. */
    private Resampler upsampler;
    private short[] decoded;
    /** Conceals lost frames when the decoder has none of its own; fed every decoded frame. */
    private LossConcealment concealment;
    /** Lost frames concealed in a row; from {@value Member#MAX_CONCEALED_FRAMES} on, a lost frame is silence. */
    private int concealedInARow;
    /** This tick's frame at 48 kHz, made when the member first talks. */
    private short[] upsampled;
    private int hangover;
    /** RFC 6464 levels stated by the sender, by sequence number modulo their size (-1: none). */
    private int[] statedLevels;
    private int[] statedSequences;
    /** Frames taken while isolated and not yet decoded ({@link #defer}), by their count modulo the size. */
    private final PlayoutFrame[] deferred = new PlayoutFrame[AudioMixer.HANGOVER_FRAMES];
    private final int[] deferredLevels = new int[AudioMixer.HANGOVER_FRAMES];
    /**
     * Ticks with nothing to play after each deferred frame ({@link #deferSilence}), at most
     * {@link AudioMixer#HANGOVER_FRAMES}: after that many the hangover is over and more change nothing.
     */
    private final int[] silentTicksAfter = new int[AudioMixer.HANGOVER_FRAMES];
    /** Frames deferred since the last were decoded: more than {@link #deferred} holds through a long welcome. */
    private int deferredCount;
    /**
     * The ticks whose packets an isolated member left in the ring ({@link #waits}): the i-th one's time at 2i and how
     * many packets had been written by then at 2i + 1; null for a codec that is not stateless, whose audio is taken in
     * at every tick.
     */
    private final long[] waitedTicks;
    private int waitedCount;

    Reception(AudioCodec decoder, int payloadType) {
        this.decoder = decoder;
        this.payloadType = payloadType;
        this.frameSamples = decoder.sampleRate() / 50;
        this.waitedTicks = decoder.stateless() ? new long[2 * MAX_WAITING_TICKS] : null;
    }

    /** The decoder's encoding name and clock rate, e.g. {@code pcmu/8000}: members with the same share encodings. */
    String codecKey() {
        return decoder.encodingName().toLowerCase() + "/" + decoder.rtpClockRate();
    }

    /** See {@link Member#level()}. */
    int level() {
        return level;
    }

    /** Packets dropped because the mixer fell behind or the sender flooded. */
    long dropped() {
        return overflowed + cut;
    }

    /** Packets received and not yet taken in by the mixing thread. */
    int waiting() {
        return (int) (written - taken);
    }

    /** Frees the decoder. Mixing thread. */
    void close() {
        decoder.close();
    }

    /** Takes one received RTP packet with its sender's RFC 6464 level or -1 (receiving thread, {@link Member#offer}). */
    void offer(RtpHeader header, byte[] payload, long arrivalNanos, int audioLevel) {
        long at = written;
        if (at - takenSeen >= RING) {
            takenSeen = taken;
            if (at - takenSeen >= RING) {
                overflowed++;
                return;
            }
        }
        int slot = 2 * ((int) at & (RING - 1));
        packets[slot] = header;
        // another payload type (telephone events, comfort noise) is handed over too, for its sequence number only
        packets[slot + 1] = header.payloadType() == payloadType ? payload : null;
        stamps[slot] = arrivalNanos;
        stamps[slot + 1] = audioLevel;
        WRITTEN.setRelease(this, at + 1);
    }

    /**
     * Takes in received packets and decodes this tick's frame, measuring it; {@code alone} (isolated) and {@code held}
     * are the member's state this tick. Returns whether it is talking (its speech hangover runs). Mixing thread.
     */
    boolean receive(long nowNanos, boolean alone, boolean held) {
        long upTo = (long) WRITTEN.getAcquire(this);
        if (alone && !held && waits(nowNanos, upTo)) {
            decoded = null;
            return false;
        }
        catchUp();
        takeIn(upTo, held);
        if (held) {
            decodeDeferred();
            decoded = null;
            level = AudioLevel.SILENCE;
            hangover = 0;
            return false;
        }
        playOut(jitter().poll(nowNanos).orElse(null), alone);
        return hangover > 0;
    }

    /**
     * Whether this tick of an isolated member (not on hold) leaves its packets in the ring, noting the tick's time and
     * how far the ring was written, so that {@link #catchUp} gives the jitter buffer, the deferred frames, the level
     * and the hangover what this tick would have: the same packets in the same order, polled at the same time. Nobody
     * hears an isolated member, and a joiner that hangs up during its welcome is never caught up (issue 12: taking a
     * joiner's packets in tick by tick was most of what was left of its receiving on the mixing thread). Only with a
     * stateless codec, whose frames are deferred anyway ({@link #defer}); at most {@value #MAX_WAITING_TICKS} ticks
     * and {@value Member#MAX_QUEUED} packets wait, so the ring has room for a flood's tick.
     */
    private boolean waits(long nowNanos, long upTo) {
        if (waitedTicks == null || waitedCount == MAX_WAITING_TICKS || upTo - taken > Member.MAX_QUEUED) {
            return false;
        }
        waitedTicks[2 * waitedCount] = nowNanos;
        waitedTicks[2 * waitedCount + 1] = upTo;
        waitedCount++;
        return true;
    }

    /** Runs the ticks an isolated member's packets {@link #waits waited} through, in order, as they would have run. */
    private void catchUp() {
        for (int i = 0; i < waitedCount; i++) {
            takeIn(waitedTicks[2 * i + 1], false);
            playOut(jitter().poll(waitedTicks[2 * i]).orElse(null), true);
        }
        waitedCount = 0;
    }

    /**
     * Takes the packets written before {@code upTo} out of the ring into the jitter buffer, as one tick does: of more
     * than {@value Member#MAX_QUEUED}, the oldest are dropped; on hold, all are.
     */
    private void takeIn(long upTo, boolean held) {
        long from = taken;
        if (upTo - from > Member.MAX_QUEUED) {
            cut += upTo - from - Member.MAX_QUEUED;
        }
        for (long n = from; n < upTo; n++) {
            int slot = 2 * ((int) n & (RING - 1));
            RtpHeader header = (RtpHeader) packets[slot];
            byte[] payload = (byte[]) packets[slot + 1];
            packets[slot] = null;
            packets[slot + 1] = null;
            if (held || upTo - n > Member.MAX_QUEUED) {
                continue;
            }
            if (payload == null) {
                jitter().skip(header);
            } else {
                jitter().offer(header, payload, stamps[slot]);
                if (statedLevels == null) {
                    statedLevels = new int[STATED_LEVELS];
                    statedSequences = new int[STATED_LEVELS];
                }
                int stated = header.sequence() & (STATED_LEVELS - 1);
                statedLevels[stated] = (int) stamps[slot + 1];
                statedSequences[stated] = header.sequence();
            }
        }
        TAKEN.setRelease(this, upTo);
    }

    /** What this tick's frame ({@code null}: none) does to the member's state, isolated or not (not on hold). */
    private void playOut(PlayoutFrame frame, boolean alone) {
        if (alone && decoder.stateless() && frame != null && frame.payload() != null) {
            defer(frame);
            decoded = null;
            return;
        }
        if (alone && deferredCount > 0 && frame != PlayoutFrame.LOST) {
            deferSilence();
            decoded = null;
            return;
        }
        decodeDeferred();
        take(frame, frame != null && frame.payload() != null ? statedLevel(frame.header().sequence()) : -1);
    }

    /**
     * This tick's frame ({@code null}: none): decoded and measured (or at {@code statedLevel}, its sender's RFC 6464
     * level, when not -1), concealed when lost, else silence; the speech hangover follows its level.
     */
    private void take(PlayoutFrame frame, int statedLevel) {
        decoded = null;
        if (frame != null && frame.payload() != null) {
            try {
                decoded = decoder.decode(frame.payload());
            } catch (IllegalArgumentException malformed) {
                decoded = null;
            }
        }
        if (decoded != null && decoded.length != frameSamples) {
            // a sender with another packet time: the mixer plays 20 ms per tick, so keep at most that
            decoded = java.util.Arrays.copyOf(decoded, frameSamples);
        }
        if (decoded != null) {
            concealment().decoded(decoded);
            concealedInARow = 0;
            level = statedLevel >= 0 ? statedLevel : AudioLevel.of(decoded);
        } else if (frame == PlayoutFrame.LOST && concealedInARow < Member.MAX_CONCEALED_FRAMES) {
            decoded = concealed();
            concealedInARow++;
            level = AudioLevel.of(decoded);
        } else {
            level = AudioLevel.SILENCE;
        }
        if (level <= AudioMixer.SPEECH_LEVEL) {
            hangover = AudioMixer.HANGOVER_FRAMES;
        } else if (hangover > 0) {
            hangover--;
        }
    }

    /**
     * Keeps a received frame of an isolated member undecoded: nobody hears it, and decoding, measuring and remembering
     * a joiner's audio through its whole welcome was a third of the mixer's work for it (issue 12). Only for a
     * stateless codec, whose frames decode the same whenever they are decoded; the last
     * {@link AudioMixer#HANGOVER_FRAMES} are kept, with the level their sender stated.
     */
    private void defer(PlayoutFrame frame) {
        int slot = deferredCount % deferred.length;
        deferred[slot] = frame;
        deferredLevels[slot] = statedLevel(frame.header().sequence());
        silentTicksAfter[slot] = 0;
        deferredCount++;
    }

    /**
     * Records a tick with nothing to play (the sender paused or stopped) after deferred frames, instead of decoding
     * them at once: a joiner's audio stops at the end of its call, before its welcome is over, and decoding the last
     * frames then was most of what was left of its decoding (issue 12). Such a tick only ends the frame's level and
     * counts the hangover down; it leaves the concealment and the count of concealed frames as they were.
     */
    private void deferSilence() {
        int slot = (deferredCount - 1) % deferred.length;
        silentTicksAfter[slot] = Math.min(silentTicksAfter[slot] + 1, AudioMixer.HANGOVER_FRAMES);
    }

    /**
     * Decodes the deferred frames, oldest first, each followed by the ticks with nothing to play after it, before
     * anything uses what they leave behind: the concealment's history, the level, the speech hangover. The last
     * {@link AudioMixer#HANGOVER_FRAMES} frames decide all three: the hangover counts down over that many ticks at
     * least, the history holds less than three frames' samples, and a decoded frame ends any concealment; so older
     * frames would have left the hangover, the concealment and the count of concealed frames just as the replay
     * starts them, at rest.
     */
    private void decodeDeferred() {
        if (deferredCount == 0) {
            return;
        }
        int kept = Math.min(deferredCount, deferred.length);
        if (deferredCount > kept) {
            if (concealment != null) {
                concealment.reset(); // else as a new one
            }
            concealedInARow = 0;
            hangover = 0;
        }
        for (int i = deferredCount - kept; i < deferredCount; i++) {
            int slot = i % deferred.length;
            take(deferred[slot], deferredLevels[slot]);
            for (int silent = 0; silent < silentTicksAfter[slot]; silent++) {
                take(null, -1);
            }
            deferred[slot] = null;
        }
        deferredCount = 0;
    }

    /**
     * A lost frame's stand-in (packet loss concealment): the decoder's own (Opus, RFC 6716 §4.4), else ours on the
     * decoded signal (G.711 Appendix I style).
     */
    private short[] concealed() {
        short[] pcm = decoder.decodeLost(frameSamples, null);
        if (pcm == null || pcm.length != frameSamples) {
            return concealment().conceal(frameSamples);
        }
        concealment().decoded(pcm);
        return pcm;
    }

    /** The RFC 6464 level the sender stated for packet {@code sequence}, -1 when it did not. */
    private int statedLevel(int sequence) {
        if (statedLevels == null) {
            return -1;
        }
        int slot = sequence & (STATED_LEVELS - 1);
        return statedSequences[slot] == sequence ? statedLevels[slot] : -1;
    }

    private JitterBuffer jitter() {
        if (jitter == null) {
            jitter = new JitterBuffer(decoder.rtpClockRate());
        }
        return jitter;
    }

    private LossConcealment concealment() {
        if (concealment == null) {
            concealment = new LossConcealment(decoder.sampleRate());
        }
        return concealment;
    }

    /** This tick's frame at 48 kHz (silence when nothing was decoded). Mixing thread, speakers only. */
    short[] upsampled() {
        short[] pcm = decoded != null ? decoded : new short[frameSamples];
        if (upsampled == null) {
            upsampled = new short[AudioMixer.FRAME];
            upsampler = decoder.sampleRate() == AudioMixer.RATE ? null
                    : new Resampler(decoder.sampleRate(), AudioMixer.RATE);
        }
        short[] result = upsampler == null ? pcm : upsampler.process(pcm);
        System.arraycopy(result, 0, upsampled, 0, AudioMixer.FRAME);
        return upsampled;
    }

    /** What {@link #upsampled} last made this tick: a speaker's own signal, taken out of what it hears. */
    short[] lastUpsampled() {
        return upsampled;
    }

    /** Whether the 48 kHz buffer and upsampler were made: only once the member talks. */
    boolean upsampledMade() {
        return upsampled != null;
    }
}
