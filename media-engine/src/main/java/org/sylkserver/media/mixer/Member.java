package org.sylkserver.media.mixer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.Resampler;

/**
 * One participant's audio in an {@link AudioMixer}: what it receives ({@link Reception}: its packets, decoding and
 * level), its state in the room (held, isolated, left), its prompts and what it hears of them, its encoder, and where
 * its mix goes.
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
    /** Its packets, their decoding and its level. */
    private final Reception reception;

    // mixing-thread state
    private final String codecKey;
    private final int timestampIncrement;
    private final List<Prompt> prompts = new ArrayList<>();
    private AudioCodec encoder;
    /** The encoder's {@link AudioCodec#stateless()} and encoding name, kept with the member's other fields. */
    private boolean encoderStateless;
    private String encoderName;
    private Resampler downsampler;
    /** This tick's individual mix and that mix limited: made on first use (lazily). */
    private int[] own;
    private short[] ownFrame;
    private final Limiter limiter = new Limiter();
    /** The tick of the last individual frame: a member that heard the shared room mix since takes over its limiter. */
    private long individualTick = -1;
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
    private boolean marker = true;
    private boolean released;

    Member(AudioMixer mixer, String id, int payloadType, Supplier<AudioCodec> codecs, Output output) {
        this.mixer = mixer;
        this.id = Objects.requireNonNull(id, "id");
        this.payloadType = payloadType;
        this.codecs = Objects.requireNonNull(codecs, "codecs");
        this.output = output;
        AudioCodec decoder = newCodec();
        this.reception = new Reception(decoder, payloadType);
        this.codecKey = reception.codecKey();
        this.timestampIncrement = decoder.rtpClockRate() / 50;
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
        return reception.level();
    }

    /** Packets dropped because the mixer fell behind or the sender flooded. */
    public long dropped() {
        return reception.dropped();
    }

    /** Packets received and not yet taken in by the mixing thread (for tests). */
    int waiting() {
        return reception.waiting();
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
        reception.offer(header, payload, arrivalNanos, audioLevel);
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
            reception.close();
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
        if (held) {
            marker = true;
        }
        return reception.receive(nowNanos, alone, held) && !alone;
    }

    /** This tick's frame at 48 kHz (silence when nothing was decoded). Mixing thread, speakers only. */
    short[] upsampled() {
        return reception.upsampled();
    }

    /** Whether its own mixing buffers (and 48 kHz upsampler) were made: only once it is mixed alone or talks. */
    boolean mixesAlone() {
        return own != null || reception.upsampledMade();
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
            short[] upsampled = reception.lastUpsampled();
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
        return id + " (" + codecKey + ", level " + reception.level() + (onHold ? ", on hold" : "") + ")";
    }
}
