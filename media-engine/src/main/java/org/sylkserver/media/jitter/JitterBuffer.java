package org.sylkserver.media.jitter;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import org.sylkserver.media.RtpHeader;

/**
 * Adaptive playout buffer for the audio RTP stream of one conference participant, read once per 20 ms tick of the
 * mixer clock.
 *
 * <p><b>Playout.</b> Packets are kept by extended sequence number (RFC 3550 Appendix A.1, so the 16-bit number may
 * wrap) and played one per {@link #poll} in sequence order; each packet is expected to carry one 20 ms frame, the
 * mixer's frame (the SDP offers {@code a=ptime:20}). Playout starts once the first packet has waited the target
 * delay. At each tick:
 * <ul>
 *   <li>the packet whose turn it is is returned;</li>
 *   <li>if it is absent but later ones are here, it is declared lost, a {@link PlayoutFrame#LOST} is returned in
 *       its place and it will be dropped as late should it still arrive;</li>
 *   <li>if the buffer is empty (underrun: the network is slower than the delay, or the sender is silent), a
 *       {@link PlayoutFrame#MISSING} is returned and the turn stays with that packet, which adds one frame of
 *       delay rather than counting silence as loss.</li>
 * </ul>
 *
 * <p><b>Delay.</b> The target delay is four times the interarrival jitter estimate of RFC 3550 §6.4.1 / §A.8
 * (a mean deviation, so four times it covers nearly all arrivals), kept between the minimum and maximum delay. The
 * buffer grows quickly: while the delay is a frame or more below the target it plays a {@code MISSING} instead of
 * advancing, one frame per tick. It shrinks slowly: while the delay is a frame or more above the target, it drops
 * one frame at most once a second, so a burst of jitter is not followed by late packets the moment it ends. A new
 * talk spurt (marker bit, RFC 3550 §5.1 and RFC 3551 §4.1, or a timestamp that advanced more than its sequence
 * number implies, i.e. the sender left out silence) is held until it has waited the target delay, which re-anchors
 * the delay at no audible cost. A new SSRC or a confirmed sequence jump (RFC 3550 §A.1) is a new source: the buffer
 * is emptied and playout restarts as for the first packet.
 *
 * <p><b>Threading.</b> Not thread-safe and deliberately lock-free: one thread owns an instance, normally the thread
 * that runs the mixer clock. The thread that receives RTP hands packets to that thread (e.g. through a queue) rather
 * than calling {@link #offer} itself. Times are {@link System#nanoTime()} values supplied by the caller.
 */
public final class JitterBuffer {

    /** The mixer tick, and the audio carried by one packet. */
    public static final Duration FRAME = Duration.ofMillis(20);

    /** Default lower bound of the delay: one frame. */
    public static final Duration DEFAULT_MIN_DELAY = FRAME;

    /** Default upper bound of the delay: beyond this, conversation suffers more than from loss. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(200);

    private static final long FRAME_NANOS = FRAME.toNanos();
    /** Target delay in units of the jitter estimate (a mean deviation). */
    private static final int JITTER_MULTIPLE = 4;
    /** Shrinking removes at most one frame per second. */
    private static final int SHRINK_INTERVAL_TICKS = 50;
    /** RFC 3550 §A.1: largest forward jump and backward step still treated as the same sequence. */
    private static final int MAX_DROPOUT = 3000;
    private static final int MAX_MISORDER = 100;
    /** Sequence numbers remembered for duplicate detection; must exceed {@link #MAX_MISORDER}. */
    private static final int HISTORY = 1024;
    /**
     * Slots of the ring at first: the maximum delay and a reordering of {@link #MAX_MISORDER} fit; a stream whose
     * buffered numbers span more (a long loss burst) doubles it.
     */
    private static final int INITIAL_SLOTS = 128;
    /**
     * Most slots of the ring: a whole cycle of sequence numbers, 21 minutes of audio. Only a sender that keeps
     * jumping ahead by nearly {@link #MAX_DROPOUT} gets there; its packets beyond are discarded (still remembered as
     * received) rather than the ring growing without bound.
     */
    private static final int MAX_SLOTS = 1 << 16;
    /** A sequence number that carried another payload type: passed over, never played; told apart by identity. */
    private static final PlayoutFrame SKIPPED = new PlayoutFrame(null, null);

    private final int clockRate;
    private final long frameSamples;
    private final long minDelayNanos;
    private final long maxDelayNanos;

    // The buffered packets, a ring indexed by extended sequence number modulo its size (a power of two): every
    // number buffered lies between low() and highest, fewer apart than the ring's size, so no two share a slot.
    private PlayoutFrame[] frames = new PlayoutFrame[INITIAL_SLOTS];
    private long[] arrivals = new long[INITIAL_SLOTS];
    private boolean[] talkSpurts = new boolean[INITIAL_SLOTS];
    private int buffered;
    /** Lowest number buffered since the last restart, the start of playout; meaningful while cursor < 0. */
    private long lowest;
    /** Highest number buffered since the buffer was last empty. */
    private long highest;
    /**
     * The extended numbers of the last {@link #HISTORY} received, each in its slot; 0 is none (extended numbers start
     * above it). Made at the first packet: a member that leaves before its audio is taken in never needs it. A restart
     * does not clear it: the new source's numbers start above every number of the old one ({@link #restart}).
     */
    private long[] received;

    // Current source (RFC 3550 §A.1 sequence state), valid once a first packet was seen.
    private boolean haveSource;
    private long ssrc;
    private long maxSeq;
    private long maxSeqTimestamp;
    private int badSeq = -1;

    // RFC 3550 §A.8 estimator, in timestamp units.
    private boolean haveTransit;
    private long lastArrivalNanos;
    private long lastTimestamp;
    private double jitter;

    // Playout state; cursor < 0 until playout starts.
    private long cursor = -1;
    private long firstArrivalNanos;
    private long delayNanos;
    private int ticksSinceAdjust;

    private long receivedCount;
    private long lostCount;
    private long lateCount;
    private long duplicateCount;
    private long discardedCount;

    /** A buffer with the default delay bounds ({@link #DEFAULT_MIN_DELAY} to {@link #DEFAULT_MAX_DELAY}). */
    public JitterBuffer(int clockRate) {
        this(clockRate, DEFAULT_MIN_DELAY, DEFAULT_MAX_DELAY);
    }

    /**
     * @param clockRate RTP clock rate of the stream's payload type in Hz (e.g. 8000 for PCMU and G.722, 48000 for
     *                  Opus), the unit of its timestamps
     * @param minDelay  smallest playout delay, at least zero
     * @param maxDelay  largest playout delay, at least {@code minDelay}
     * @throws IllegalArgumentException if the clock rate does not give a whole number of samples per 20 ms frame or
     *                                  the delay bounds are out of order
     */
    public JitterBuffer(int clockRate, Duration minDelay, Duration maxDelay) {
        Objects.requireNonNull(minDelay, "minDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (clockRate <= 0 || clockRate % 50 != 0) {
            throw new IllegalArgumentException("RTP clock rate must be a positive multiple of 50 Hz (whole samples"
                    + " per 20 ms frame), got " + clockRate);
        }
        if (minDelay.isNegative() || maxDelay.compareTo(minDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= minDelay <= maxDelay, got " + minDelay + " and " + maxDelay);
        }
        this.clockRate = clockRate;
        this.frameSamples = clockRate / 50;
        this.minDelayNanos = minDelay.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
    }

    /**
     * Takes in one received RTP packet. Duplicates and packets whose turn has passed are dropped and counted.
     *
     * @param header       the packet's header
     * @param payload      its payload; kept, not copied, so the caller must not reuse the array
     * @param arrivalNanos when it arrived, on the {@link System#nanoTime()} clock
     */
    public void offer(RtpHeader header, byte[] payload, long arrivalNanos) {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(payload, "payload");
        receivedCount++;
        if (!haveSource || header.ssrc() != ssrc) {
            restart(header, arrivalNanos);
        }
        int delta = (short) (header.sequence() - (int) (maxSeq & 0xffff));
        if (delta > MAX_DROPOUT || delta < -MAX_MISORDER) {
            // RFC 3550 §A.1: a jump is believed only when the next packet follows it; a lone one is a stray.
            if (header.sequence() != badSeq) {
                badSeq = (header.sequence() + 1) & 0xffff;
                discardedCount++;
                return;
            }
            restart(header, arrivalNanos);
            delta = 0;
        }
        badSeq = -1;
        long extendedSeq = maxSeq + delta;
        updateJitter(header.timestamp(), arrivalNanos);

        if (received[(int) (extendedSeq % HISTORY)] == extendedSeq) {
            duplicateCount++;
            return;
        }
        received[(int) (extendedSeq % HISTORY)] = extendedSeq;
        if (cursor >= 0 && extendedSeq < cursor) {
            lateCount++;
            return;
        }
        boolean talkSpurt = header.marker();
        if (delta > 0) {
            int timestampAdvance = (int) (header.timestamp() - maxSeqTimestamp);
            talkSpurt |= timestampAdvance >= (delta + 1) * frameSamples;
            maxSeq = extendedSeq;
            maxSeqTimestamp = header.timestamp();
        }
        store(extendedSeq, new PlayoutFrame(header, payload), arrivalNanos, talkSpurt);
    }

    /**
     * Takes note of a packet of the same stream that carries no audio for this buffer: another payload type in the
     * same sequence space, such as RFC 4733 telephone events sent next to the audio (RFC 4733 §2.1 and RFC 3550 §5.1:
     * one SSRC, one sequence-number space) or comfort noise. Its sequence number is passed over without playing
     * anything in its place: it is not a lost frame, and it took no playout time. Counting it as loss would put the
     * buffer one frame behind the sender per such packet, and once that exceeded the maximum delay, dropping frames
     * to catch up and inserting frames to keep the target delay would alternate for good, silencing every other
     * frame.
     *
     * @param header the packet's header; packets of another source, or too far from the current sequence, are
     *               ignored
     */
    public void skip(RtpHeader header) {
        Objects.requireNonNull(header, "header");
        if (!haveSource || header.ssrc() != ssrc) {
            return;
        }
        int delta = (short) (header.sequence() - (int) (maxSeq & 0xffff));
        if (delta > MAX_DROPOUT || delta < -MAX_MISORDER) {
            return;
        }
        long extendedSeq = maxSeq + delta;
        if ((cursor >= 0 && extendedSeq < cursor) || slotOf(extendedSeq) >= 0) {
            return;
        }
        received[(int) (extendedSeq % HISTORY)] = extendedSeq;
        store(extendedSeq, SKIPPED, 0, false);
    }

    /**
     * Gives what plays at this tick; call once per 20 ms mixer tick.
     *
     * @param nowNanos the tick's time, on the {@link System#nanoTime()} clock
     * @return the packet due, {@link PlayoutFrame#MISSING} to conceal, or empty when there is nothing to play
     *         (before playout starts, and while a new talk spurt waits out its delay after silence)
     */
    public Optional<PlayoutFrame> poll(long nowNanos) {
        long target = targetDelayNanos();
        if (cursor < 0) {
            if (buffered == 0 || nowNanos - firstArrivalNanos < target) {
                return Optional.empty();
            }
            cursor = lowest;
            delayNanos = nowNanos - firstArrivalNanos;
            ticksSinceAdjust = 0;
        }
        ticksSinceAdjust++;
        passSkipped();
        int due = slotOf(cursor);
        if (due < 0) {
            if (buffered == 0) {
                delayNanos += FRAME_NANOS;
                return Optional.of(PlayoutFrame.MISSING);
            }
            lostCount++;
            cursor++;
            return Optional.of(PlayoutFrame.LOST);
        }
        if (talkSpurts[due]) {
            if (nowNanos - arrivals[due] < target) {
                return Optional.empty();
            }
            delayNanos = nowNanos - arrivals[due];
        }
        // the audio queued behind the due frame is delay too: after a burst of arrivals (a sender or a thread that
        // stalled) it exceeds what was counted, and growing on the count alone while dropping on the queue would
        // alternate for good, concealing every other frame
        long queued = (maxSeq - cursor) * FRAME_NANOS;
        long delay = Math.max(delayNanos, queued);
        if (delay + FRAME_NANOS <= target) {
            delayNanos += FRAME_NANOS;
            ticksSinceAdjust = 0;
            return Optional.of(PlayoutFrame.MISSING);
        }
        int next = slotOf(cursor + 1);
        boolean shrink = delay - FRAME_NANOS >= target && ticksSinceAdjust >= SHRINK_INTERVAL_TICKS;
        boolean overfull = queued > maxDelayNanos;
        if ((shrink || overfull) && next >= 0 && frames[next] != SKIPPED && !talkSpurts[next]) {
            remove(cursor++);
            discardedCount++;
            delayNanos = delay - FRAME_NANOS;
            ticksSinceAdjust = 0;
            due = next;
        }
        PlayoutFrame frame = frames[due];
        remove(cursor++);
        passSkipped();
        return Optional.of(frame);
    }

    /** Moves the cursor past sequence numbers that carried no audio ({@link #skip}). */
    private void passSkipped() {
        for (int slot = slotOf(cursor); slot >= 0 && frames[slot] == SKIPPED; slot = slotOf(cursor)) {
            remove(cursor++);
        }
    }

    /** Where the packet numbered {@code extendedSeq} is in the ring, or -1 if it is not buffered. */
    private int slotOf(long extendedSeq) {
        if (buffered == 0 || extendedSeq < low() || extendedSeq > highest) {
            return -1;
        }
        int slot = (int) (extendedSeq & (frames.length - 1));
        return frames[slot] == null ? -1 : slot;
    }

    /** No number below this one is buffered: the cursor once playout started, the lowest number before. */
    private long low() {
        return cursor >= 0 ? cursor : lowest;
    }

    /** Buffers a packet, replacing one of the same number. */
    private void store(long extendedSeq, PlayoutFrame frame, long arrivalNanos, boolean talkSpurt) {
        long from = buffered == 0 && cursor < 0 ? extendedSeq : Math.min(low(), extendedSeq);
        long to = buffered == 0 ? extendedSeq : Math.max(highest, extendedSeq);
        if (to - from >= frames.length) {
            if (to - from >= MAX_SLOTS) {
                discardedCount++;
                return;
            }
            resize(Long.highestOneBit(to - from) << 1);
        }
        if (cursor < 0) {
            lowest = from;
        }
        highest = to;
        int slot = (int) (extendedSeq & (frames.length - 1));
        if (frames[slot] == null) {
            buffered++;
        }
        frames[slot] = frame;
        arrivals[slot] = arrivalNanos;
        talkSpurts[slot] = talkSpurt;
    }

    /** Moves the buffered packets to a ring of {@code slots} slots, more than they span. */
    private void resize(long slots) {
        PlayoutFrame[] oldFrames = frames;
        long[] oldArrivals = arrivals;
        boolean[] oldTalkSpurts = talkSpurts;
        frames = new PlayoutFrame[(int) slots];
        arrivals = new long[(int) slots];
        talkSpurts = new boolean[(int) slots];
        if (buffered == 0) {
            return;
        }
        for (long seq = low(); seq <= highest; seq++) {
            int from = (int) (seq & (oldFrames.length - 1));
            int to = (int) (seq & (slots - 1));
            frames[to] = oldFrames[from];
            arrivals[to] = oldArrivals[from];
            talkSpurts[to] = oldTalkSpurts[from];
        }
    }

    /** Takes the packet numbered {@code extendedSeq}, which is buffered, out of the ring. */
    private void remove(long extendedSeq) {
        frames[(int) (extendedSeq & (frames.length - 1))] = null;
        buffered--;
    }

    /** Counters and estimates as of now. */
    JitterStats stats() {
        return new JitterStats(receivedCount, lostCount, lateCount, duplicateCount, discardedCount,
                cursor < 0 ? 0 : delayNanos / 1e6, targetDelayNanos() / 1e6, jitter * 1000.0 / clockRate);
    }

    /** RFC 3550 §A.8: J += (|D(i-1,i)| - J) / 16, D being the difference of relative transit times. */
    private void updateJitter(long timestamp, long arrivalNanos) {
        if (haveTransit) {
            double arrivalAdvance = (arrivalNanos - lastArrivalNanos) * (double) clockRate / 1e9;
            double d = arrivalAdvance - (int) (timestamp - lastTimestamp);
            jitter += (Math.abs(d) - jitter) / 16;
        }
        haveTransit = true;
        lastArrivalNanos = arrivalNanos;
        lastTimestamp = timestamp;
    }

    private long targetDelayNanos() {
        long fromJitter = (long) (JITTER_MULTIPLE * jitter * 1e9 / clockRate);
        return Math.max(minDelayNanos, Math.min(maxDelayNanos, fromJitter));
    }

    /**
     * A new source (first packet, new SSRC, confirmed sequence jump): what is buffered belongs to the old one.
     * The jitter estimate is kept, as the network path to this participant is the same.
     */
    private void restart(RtpHeader header, long arrivalNanos) {
        discardedCount += buffered;
        buffered = 0;
        Arrays.fill(frames, null);
        if (received == null) {
            received = new long[HISTORY];
        }
        haveSource = true;
        ssrc = header.ssrc();
        // Extended numbers start at least one cycle above every number of the old source (all at most maxSeq), so
        // that packets reordered across the start stay above them and the history needs no clearing: numbers of the
        // old source in it never equal the new one's (issue 12: two 8 KiB fills per conference join were 5 % of the
        // mixer's time).
        maxSeq = (((maxSeq >>> 16) + 2) << 16) + header.sequence();
        maxSeqTimestamp = header.timestamp();
        badSeq = -1;
        haveTransit = false;
        cursor = -1;
        firstArrivalNanos = arrivalNanos;
    }
}
