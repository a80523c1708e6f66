package org.sylkserver.media.mixer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** Packets waiting for the mixing thread; more than this (a flood) and the oldest are dropped. */
    private static final int MAX_QUEUED = 64;

    /** Lost frames concealed in a row at most: 60 ms, after which G.711 Appendix I's concealment is silent too. */
    static final int MAX_CONCEALED_FRAMES = 3;

    /** A received packet; {@code payload} null for another payload type, which only takes a sequence number. */
    private record Packet(RtpHeader header, byte[] payload, long arrivalNanos, int audioLevel) {
    }

    private final AudioMixer mixer;
    private final String id;
    private final int payloadType;
    private final Supplier<AudioCodec> codecs;
    private final Output output;
    private final ConcurrentLinkedQueue<Packet> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final ConcurrentLinkedQueue<Prompt> newPrompts = new ConcurrentLinkedQueue<>();
    private volatile boolean onHold;
    private volatile boolean isolated;
    private volatile boolean left;
    private volatile int level = AudioLevel.SILENCE;
    private volatile long dropped;

    // mixing-thread state
    private final AudioCodec decoder;
    private final String codecKey;
    private final int frameSamples;
    private final int timestampIncrement;
    private final JitterBuffer jitter;
    /** To 48 kHz (null at 48 kHz), made when the member first talks: most joiners of a short call never do. */
    private Resampler upsampler;
    private final List<Prompt> prompts = new ArrayList<>();
    private AudioCodec encoder;
    private Resampler downsampler;
    private short[] decoded;
    /** Conceals lost frames when the decoder has none of its own; fed every decoded frame. */
    private final LossConcealment concealment;
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
    /** The rendition's frame this tick's samples are, else null (computed for this member alone). */
    private Renditions.Frame followed;
    /** RFC 6464 levels stated by the sender, by sequence number modulo their size (-1: none). */
    private final int[] statedLevels = new int[128];
    private final int[] statedSequences = new int[128];
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
        this.jitter = new JitterBuffer(decoder.rtpClockRate());
        this.concealment = new LossConcealment(decoder.sampleRate());
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
     * stateless codec (unheard, its frames not decoded yet), of the last frame before.
     */
    public int level() {
        return level;
    }

    /** Packets dropped because the mixer fell behind or the sender flooded. */
    public long dropped() {
        return dropped;
    }

    /** Whether the member only talks ({@link AudioMixer#joinTalker}): nothing is mixed or encoded for it. */
    public boolean deaf() {
        return output == null;
    }

    /** Whether the member is on hold. */
    public boolean onHold() {
        return onHold;
    }

    /** Takes one received RTP packet (any thread; normally the RTP receiving thread). */
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
        // another payload type (telephone events, comfort noise) is queued too, for its sequence number only
        queue.add(new Packet(header, header.payloadType() == payloadType ? payload : null, arrivalNanos, audioLevel));
        if (queued.incrementAndGet() > MAX_QUEUED && queue.poll() != null) {
            queued.decrementAndGet();
            dropped++;
        }
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

    /** Takes in queued packets, decodes this tick's frame, measures it; returns whether the member is talking. */
    boolean receive(long nowNanos) {
        Packet packet;
        while ((packet = queue.poll()) != null) {
            queued.decrementAndGet();
            if (!onHold && packet.payload() == null) {
                jitter.skip(packet.header());
            } else if (!onHold) {
                jitter.offer(packet.header(), packet.payload(), packet.arrivalNanos());
                int slot = packet.header().sequence() & (statedLevels.length - 1);
                statedLevels[slot] = packet.audioLevel();
                statedSequences[slot] = packet.header().sequence();
            }
        }
        Prompt prompt;
        while ((prompt = newPrompts.poll()) != null) {
            prompts.add(prompt);
        }
        boolean alone = isolated;
        if (onHold) {
            decodeDeferred();
            decoded = null;
            level = AudioLevel.SILENCE;
            hangover = 0;
            marker = true;
            return false;
        }
        PlayoutFrame frame = jitter.poll(nowNanos).orElse(null);
        if (alone && decoder.stateless() && frame != null && frame.payload() != null) {
            defer(frame);
            decoded = null;
            return false;
        }
        if (alone && deferredCount > 0 && frame != PlayoutFrame.LOST) {
            deferSilence();
            decoded = null;
            return false;
        }
        decodeDeferred();
        take(frame, frame != null && frame.payload() != null ? statedLevel(frame.header().sequence()) : -1);
        return hangover > 0 && !alone;
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
            concealment.decoded(decoded);
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
            concealment.reset();
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
            return concealment.conceal(frameSamples);
        }
        concealment.decoded(pcm);
        return pcm;
    }

    /** The RFC 6464 level the sender stated for packet {@code sequence}, -1 when it did not. */
    private int statedLevel(int sequence) {
        int slot = sequence & (statedLevels.length - 1);
        return statedSequences[slot] == sequence ? statedLevels[slot] : -1;
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
        if (followed != null && encoder.stateless()) {
            return followed.encoded(encoder); // encoded once for every member on the rendition with this codec
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
     */
    private short[] fromRendition(int[] silence) {
        Prompt prompt = prompts.size() == 1 ? prompts.get(0) : null;
        boolean continuous = individualTick == mixer.ticks() - 1;
        if (rendition != null && (prompt != rendered || !continuous || prompt.finished())) {
            leaveRendition();
        }
        if (rendition == null) {
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
        }
        Renditions.Frame frame = rendition.frame(renditionFrame);
        if (frame == null) {
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
        if (!prompt.skip(AudioMixer.FRAME)) {
            prompts.remove(prompt); // as mixing it would have: its callback has run
        }
        individualTick = mixer.ticks();
        renditionFrame++;
        followed = frame;
        return frame.samples();
    }

    /** Off the rendition: the limiter and downsampler take the states its last frame left them in. */
    private void leaveRendition() {
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
