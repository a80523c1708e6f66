package org.sylkserver.media.mixer;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.LossConcealment;
import org.sylkserver.media.codec.Resampler;
import org.sylkserver.media.jitter.JitterBuffer;
import org.sylkserver.media.jitter.PlayoutFrame;

/**
 * One participant's audio in an {@link AudioMixer}: its jitter buffer, decoder and resamplers, its level, and
 * where its mix goes.
 */
public final class Member {

    /** Where a member's encoded frames go, e.g. {@code (payload, ts, marker) -> endpoint.send(pt, payload, ts, marker)}. */
    @FunctionalInterface
    public interface Output {
        /**
         * @param payload            one encoded 20 ms frame (may be shared with other members: do not modify)
         * @param timestampIncrement RTP clock ticks since the previous frame
         * @param marker             first packet after joining or resuming
         */
        void send(byte[] payload, int timestampIncrement, boolean marker) throws IOException;
    }

    /**
     * What isolated members hear of a prompt played to them alone, rendered once for every room (the largest cost of
     * a join otherwise). 4,096 frames are 80 s of distinct prompt audio, about 6 MiB at 8 kHz.
     */
    private static final Renditions RENDITIONS = new Renditions(4096);

    /** Packets a tick takes in at most; of more (a flood), the oldest are dropped. */
    static final int MAX_QUEUED = 64;

    /**
     * Slots of the ring the receiving thread hands packets over in: room for the packets of several ticks (an isolated
     * member's wait, {@link #MAX_WAITING_TICKS}) and a flood of one tick; a packet that finds it full (a flood of over
     * 192 packets in one tick, or the mixing thread stalled for 5 s) is dropped.
     */
    private static final int RING = 256;

    /**
     * Ticks an isolated member's packets wait at most before the mixer takes them in: it catches up with them also
     * when more than {@link #MAX_QUEUED} wait, and whenever it is connected or held.
     */
    private static final int MAX_WAITING_TICKS = 128;

    private static final VarHandle WRITTEN;
    private static final VarHandle TAKEN;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WRITTEN = lookup.findVarHandle(Member.class, "written", long.class);
            TAKEN = lookup.findVarHandle(Member.class, "taken", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** RFC 6464 levels kept by sequence number (a power of two). */
    private static final int STATED_LEVELS = 128;

    /** Lost frames concealed in a row at most: 60 ms, after which G.711 Appendix I's concealment is silent too. */
    static final int MAX_CONCEALED_FRAMES = 3;

    private final AudioMixer mixer;
    private final String id;
    private final int payloadType;
    private final Supplier<AudioCodec> codecs;
    private final Output output;
    private final ConcurrentLinkedQueue<Prompt> newPrompts = new ConcurrentLinkedQueue<>();
    /** Set after a prompt is put in {@link #newPrompts}: a tick looks at the queue only then. */
    private volatile boolean promptsPosted;
    private volatile boolean onHold;
    private volatile boolean isolated;
    private volatile boolean left;
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
    /** Packets a tick dropped because more than {@value #MAX_QUEUED} came since the last (mixing thread). */
    private volatile long cut;

    // mixing-thread state
    private final AudioCodec decoder;
    private final String codecKey;
    private final int frameSamples;
    private final int timestampIncrement;
    /**
     * Made when first used, as {@link #concealment} and {@link #statedLevels} are: a joiner that hangs up during its
     * welcome uses none of them ({@link #waits}), and what a member keeps for its whole call the collector copies while
     * it lives (issue 12).
     */
    private JitterBuffer jitter;
    /** To 48 kHz (null at 48 kHz), made when the member first talks: most joiners of a short call never do. */
    private Resampler upsampler;
    private final List<Prompt> prompts = new ArrayList<>();
    private AudioCodec encoder;
    /** The encoder's {@link AudioCodec#stateless()} and encoding name, kept with the member's other fields. */
    private boolean encoderStateless;
    private String encoderName;
    private Resampler downsampler;
    private short[] decoded;
    /** Conceals lost frames when the decoder has none of its own; fed every decoded frame. */
    private LossConcealment concealment;
    /** Lost frames concealed in a row; from {@value #MAX_CONCEALED_FRAMES} on, a lost frame is silence. */
    private int concealedInARow;
    /** This tick's frame at 48 kHz, its individual mix and that mix limited: made on first use (lazily). */
    private short[] upsampled;
    private int[] own;
    private short[] ownFrame;
    private final Limiter limiter = new Limiter();
    /** The tick of the last individual frame: a member that heard the shared room mix since takes over its limiter. */
    private long individualTick = -1;
    private int hangover;
    /** The rendition of its only prompt the member is following while isolated, else null. */
    private Renditions.Rendition rendition;
    /** The prompt {@link #rendition} renders. */
    private Prompt rendered;
    /** The next frame of {@link #rendition}. */
    private int renditionFrame;
    /**
     * The frames of {@link #rendition} after which {@link #rendered} ends: what {@link Prompt#skipsBeforeEnd} said
     * when the member started to follow it.
     */
    private int renditionEnd;
    /**
     * Frames followed whose move of {@link #rendered} is still to be made ({@link #moveRenderedOn}): the prompt is moved
     * on when it ends or is stopped, when the member leaves the rendition, or before a frame is mixed from it.
     */
    private int movesOwed;
    /** Whether {@link #prompts} may have changed since {@link #fromRendition} last looked at it. */
    private boolean promptsChanged;
    /** The rendition's frame this tick's samples are, else null (computed for this member alone). */
    private Renditions.Frame followed;
    /** RFC 6464 levels stated by the sender, by sequence number modulo their size (-1: none). */
    private int[] statedLevels;
    private int[] statedSequences;
    private boolean marker = true;
    private boolean released;
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

    Member(AudioMixer mixer, String id, int payloadType, Supplier<AudioCodec> codecs, Output output) {
        this.mixer = mixer;
        this.id = Objects.requireNonNull(id, "id");
        this.payloadType = payloadType;
        this.codecs = Objects.requireNonNull(codecs, "codecs");
        this.output = output;
        this.decoder = newCodec();
        this.codecKey = decoder.encodingName().toLowerCase() + "/" + decoder.rtpClockRate();
        this.frameSamples = decoder.sampleRate() / 50;
        this.timestampIncrement = decoder.rtpClockRate() / 50;
        this.waitedTicks = decoder.stateless() ? new long[2 * MAX_WAITING_TICKS] : null;
    }

    /** The renditions every member shares (for tests: how many frames they hold). */
    static Renditions renditions() {
        return RENDITIONS;
    }

    AudioCodec newCodec() {
        return Objects.requireNonNull(codecs.get(), "codec factory returned null");
    }

    /** The identifier given at {@link AudioMixer#join}. */
    public String id() {
        return id;
    }

    /**
     * The level of the member's last frame in RFC 6464 units (0 loudest, 127 silence); while it is isolated with a
     * stateless codec (unheard, its frames not decoded yet, its packets perhaps not taken in), of a frame before.
     */
    public int level() {
        return level;
    }

    /** Packets dropped because the mixer fell behind or the sender flooded. */
    public long dropped() {
        return overflowed + cut;
    }

    /** Packets received and not yet taken in by the mixing thread (for tests). */
    int waiting() {
        return (int) (written - taken);
    }

    /** Whether the member only talks ({@link AudioMixer#joinTalker}): nothing is mixed or encoded for it. */
    public boolean deaf() {
        return output == null;
    }

    /** Whether the member is on hold. */
    public boolean onHold() {
        return onHold;
    }

    /** Takes one received RTP packet (one thread at a time: the RTP receiving thread). */
    public void offer(RtpHeader header, byte[] payload, long arrivalNanos) {
        offer(header, payload, arrivalNanos, -1);
    }

    /**
     * Takes one received RTP packet with the level its sender measured (RFC 6464, 0 to 127), or -1 when it did
     * not say: a stated level is used instead of measuring the decoded frame.
     */
    public void offer(RtpHeader header, byte[] payload, long arrivalNanos, int audioLevel) {
        if (left) {
            return;
        }
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

    /** Puts the member on hold (excluded from the mix both ways) or takes it off. */
    public void hold(boolean hold) {
        onHold = hold;
    }

    /**
     * Isolates the member (it hears only its own prompts and is not heard) or connects it to the room: a joiner
     * hears its welcome prompts alone before it is connected (spec §3.3).
     */
    public void isolate(boolean isolate) {
        isolated = isolate;
    }

    /** Whether the member is isolated from the room. */
    public boolean isolated() {
        return isolated;
    }

    /** Plays {@code prompt} to this member only, over what it hears of the room. */
    public void play(Prompt prompt) {
        newPrompts.add(Objects.requireNonNull(prompt, "prompt"));
        promptsPosted = true;
    }

    /** Leaves the mixer; its codecs are freed by the mixing thread at its next tick. */
    public void leave() {
        left = true;
    }

    /** Whether it has {@link #leave left} (or is leaving at the next tick). */
    public boolean hasLeft() {
        return left;
    }

    String codecKey() {
        return codecKey;
    }

    /** If the member left: frees its codecs and removes it. Mixing thread. */
    boolean closeIfLeft() {
        if (!left) {
            return false;
        }
        if (!released) {
            released = true;
            decoder.close();
            if (encoder != null) {
                encoder.close();
            }
            prompts.forEach(Prompt::stop);
            prompts.forEach(p -> p.addTo(new int[0]));
            mixer.remove(this);
        }
        return true;
    }

    /** Takes in received packets, decodes this tick's frame, measures it; returns whether the member is talking. */
    boolean receive(long nowNanos) {
        if (promptsPosted) {
            // cleared before the queue is emptied: a prompt put in meanwhile sets it again, for the next tick
            promptsPosted = false;
            Prompt prompt;
            while ((prompt = newPrompts.poll()) != null) {
                prompts.add(prompt);
                promptsChanged = true;
            }
        }
        boolean alone = isolated;
        boolean held = onHold;
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
            marker = true;
            return false;
        }
        playOut(jitter().poll(nowNanos).orElse(null), alone);
        return hangover > 0 && !alone;
    }

    /**
     * Whether this tick of an isolated member (not on hold) leaves its packets in the ring, noting the tick's time and
     * how far the ring was written, so that {@link #catchUp} gives the jitter buffer, the deferred frames, the level
     * and the hangover what this tick would have: the same packets in the same order, polled at the same time. Nobody
     * hears an isolated member, and a joiner that hangs up during its welcome is never caught up (issue 12: taking a
     * joiner's packets in tick by tick was most of what was left of its receiving on the mixing thread). Only with a
     * stateless codec, whose frames are deferred anyway ({@link #defer}); at most {@value #MAX_WAITING_TICKS} ticks
     * and {@value #MAX_QUEUED} packets wait, so the ring has room for a flood's tick.
     */
    private boolean waits(long nowNanos, long upTo) {
        if (waitedTicks == null || waitedCount == MAX_WAITING_TICKS || upTo - taken > MAX_QUEUED) {
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
     * than {@value #MAX_QUEUED}, the oldest are dropped; on hold, all are.
     */
    private void takeIn(long upTo, boolean held) {
        long from = taken;
        if (upTo - from > MAX_QUEUED) {
            cut += upTo - from - MAX_QUEUED;
        }
        for (long n = from; n < upTo; n++) {
            int slot = 2 * ((int) n & (RING - 1));
            RtpHeader header = (RtpHeader) packets[slot];
            byte[] payload = (byte[]) packets[slot + 1];
            packets[slot] = null;
            packets[slot + 1] = null;
            if (held || upTo - n > MAX_QUEUED) {
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
        } else if (frame == PlayoutFrame.LOST && concealedInARow < MAX_CONCEALED_FRAMES) {
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

    /** Whether its own mixing buffers (and 48 kHz upsampler) were made: only once it is mixed alone or talks. */
    boolean mixesAlone() {
        return own != null || upsampled != null;
    }

    boolean hasPrompts() {
        return !prompts.isEmpty();
    }

    /** The room mix minus this member's own signal (if it is talking) plus its own prompts, encoded. */
    byte[] individualFrame(int[] roomMix, boolean speaker) {
        if (encoder == null) {
            encoder = newCodec();
            encoderStateless = encoder.stateless();
            encoderName = encoder.encodingName();
            downsampler = encoder.sampleRate() == AudioMixer.RATE ? null
                    : new Resampler(AudioMixer.RATE, encoder.sampleRate());
        }
        followed = null;
        short[] samples = isolated ? fromRendition(roomMix) : null;
        if (samples == null) {
            if (rendition != null) {
                leaveRendition();
            }
            samples = mixed(roomMix, speaker);
        }
        if (followed != null && encoderStateless) {
            // encoded once for every member on the rendition with this codec
            return followed.encoded(encoderName, encoder);
        }
        mixer.encoded();
        return encoder.encode(samples);
    }

    /** The room mix minus this member's own signal plus its own prompts, limited, at the codec's rate. */
    private short[] mixed(int[] roomMix, boolean speaker) {
        if (own == null) {
            own = new int[AudioMixer.FRAME];
            ownFrame = new short[AudioMixer.FRAME];
        }
        System.arraycopy(roomMix, 0, own, 0, own.length);
        if (speaker) {
            for (int i = 0; i < own.length; i++) {
                own[i] -= upsampled[i];
            }
        }
        prompts.removeIf(p -> !p.addTo(own));
        if (individualTick != mixer.ticks() - 1) {
            limiter.follow(mixer.roomLimiter());
        }
        individualTick = mixer.ticks();
        limiter.process(own, ownFrame);
        return downsampler == null ? ownFrame : downsampler.process(ownFrame);
    }

    /**
     * This frame of an isolated member (it hears its prompts over {@code silence}) from the rendition of its only
     * prompt, when it has heard that prompt alone from its start, one frame after another; null when it must be
     * mixed. A frame of the rendition nobody reached yet is mixed here, from the rendition's states, and kept.
     *
     * <p>While it follows the rendition its prompt is not moved on frame by frame: the frames are counted
     * ({@link #movesOwed}) and the prompt is moved on by as many frames at once when it is needed, at the latest on
     * the frame it ends with, so that it ends (and its callback runs) at the same tick as before. Moving each
     * joiner's prompt at every tick read its data from memory for nothing (issue 12: a fifth of the mixer's samples).
     */
    private short[] fromRendition(int[] silence) {
        boolean continuous = individualTick == mixer.ticks() - 1;
        if (rendition != null && (!continuous || rendered.finished() || (promptsChanged && onlyPrompt() != rendered))) {
            leaveRendition();
        }
        promptsChanged = false;
        if (rendition == null) {
            Prompt prompt = onlyPrompt();
            // the limiter it would continue from (its own, or the room's after a gap) at unity, the downsampler at
            // rest: what it hears then depends on the prompt alone
            Limiter from = continuous ? limiter : mixer.roomLimiter();
            if (prompt == null || !prompt.unplayed() || !from.atUnity()
                    || (downsampler != null && !downsampler.atRest())) {
                return null;
            }
            rendition = RENDITIONS.of(prompt, encoder.sampleRate());
            rendered = prompt;
            renditionFrame = 0;
            renditionEnd = prompt.skipsBeforeEnd(AudioMixer.FRAME);
            movesOwed = 0;
        }
        Renditions.Frame frame = rendition.frame(renditionFrame);
        if (frame == null) {
            moveRenderedOn();
            restoreRendition();
            short[] samples = mixed(silence, false);
            if (rendition.add(renditionFrame, new Renditions.Frame(samples.clone(), limiter.state(),
                    downsampler == null ? null : downsampler.state()))) {
                followed = rendition.frame(renditionFrame);
                renditionFrame++;
            } else {
                rendition = null; // not kept (the renditions are full): its own states are current, carry on
                rendered = null;
            }
            return samples;
        }
        movesOwed++;
        individualTick = mixer.ticks();
        renditionFrame++;
        if (renditionFrame >= renditionEnd) {
            moveRenderedOn(); // its last frame: the prompt ends now, as if it had been moved on at every frame
        }
        followed = frame;
        return frame.samples();
    }

    /** The member's prompt when it has exactly one, else null. */
    private Prompt onlyPrompt() {
        return prompts.size() == 1 ? prompts.get(0) : null;
    }

    /**
     * Moves {@link #rendered} on by the frames followed since it was last moved, as {@link Prompt#skip} at each would
     * have; a prompt stopped meanwhile runs its callback and goes, as the first of those skips would have done then.
     */
    private void moveRenderedOn() {
        for (; movesOwed > 0; movesOwed--) {
            if (!rendered.skip(AudioMixer.FRAME)) {
                prompts.remove(rendered); // as mixing it would have: its callback has run
                promptsChanged = true;
                movesOwed = 0;
                return;
            }
        }
    }

    /** Off the rendition: its prompt moved on, the limiter and downsampler take the states its last frame left. */
    private void leaveRendition() {
        moveRenderedOn();
        restoreRendition();
        rendition = null;
        rendered = null;
    }

    private void restoreRendition() {
        if (renditionFrame == 0) {
            return; // nothing followed yet: its own states are where the rendition started
        }
        Renditions.Frame last = rendition.frame(renditionFrame - 1);
        limiter.restore(last.limiter());
        if (downsampler != null) {
            downsampler.restore(last.downsampler());
        }
    }

    void send(byte[] payload) throws IOException {
        boolean first = marker;
        marker = false;
        output.send(payload, timestampIncrement, first);
    }

    @Override
    public String toString() {
        return id + " (" + codecKey + ", level " + level + (onHold ? ", on hold" : "") + ")";
    }
}
