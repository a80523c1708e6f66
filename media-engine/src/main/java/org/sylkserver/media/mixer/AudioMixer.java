package org.sylkserver.media.mixer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.Resampler;

/**
 * The audio of one conference room, mixed in 20 ms frames at 48 kHz by one thread at a time (the caller of
 * {@link #tick}, normally a {@link MixerClock}).
 *
 * <p><b>Each tick.</b> Every member's packets go through its jitter buffer and decoder; its level is measured at
 * its codec's rate. Members whose level is above the speech threshold (or was, less than the hangover ago) are
 * speakers; the {@link #maxSpeakers} loudest of them are resampled to 48 kHz and summed, with the prompts playing
 * to the whole room, into the room mix. A speaker hears the room mix minus its own signal (mix-minus: nobody hears
 * themselves), as does a member with a prompt of its own (plus the prompt). Everyone else hears the room mix
 * unchanged, so those listeners share one resampler and one encoder per codec configuration: the room encodes the
 * same frame once for all of them and only the RTP headers differ. Sums are taken in 32 bits and brought back to
 * 16 bits by a soft {@link Limiter} (one for the room mix, one per individual mix): a lone talker passes at its
 * level, several loud ones are held below full scale instead of clipping. An isolated member (a joiner hearing its
 * welcome) that hears one prompt alone from its start takes its frames from the prompt's shared {@link Renditions
 * rendition}, and a room where nobody talks and nothing plays skips mixing and limiting its silence: both give the
 * same samples as computing them.
 *
 * <p><b>Why only the loudest few.</b> Mixing more than a handful of simultaneous talkers adds noise, not
 * intelligibility, and each mixed talker costs a 48 kHz resampler; members beyond {@code maxSpeakers} are still
 * decoded and measured (so they take over when they are louder) but not heard. Zero means no limit.
 *
 * <p><b>On hold.</b> A member on hold neither contributes nor receives. Packet loss is concealed with silence.
 *
 * <p><b>Threads.</b> {@link #join}, {@link Member#leave}, {@link Member#hold}, {@link #play} and
 * {@link Member#play} may be called from any thread; {@link Member#offer} from the RTP receiving thread; the
 * {@link Member.Output outputs}, prompt callbacks and the active-speaker listener run on the mixing thread.
 */
public final class AudioMixer {

    /** The mixer's sample rate. */
    public static final int RATE = 48_000;

    /** Samples in one 20 ms frame at {@link #RATE}. */
    public static final int FRAME = RATE / 50;

    /** Default number of talkers mixed at once. */
    public static final int DEFAULT_MAX_SPEAKERS = 4;

    /** Frames below this level (RFC 6464 units: -dBov) are speech; quieter ones are noise or silence. */
    static final int SPEECH_LEVEL = 55;

    /** A speaker stays a speaker for this many frames after its last loud frame, so words are not chopped. */
    static final int HANGOVER_FRAMES = 15;

    /** Frames a new loudest speaker must stay loudest before it becomes the active speaker (200 ms). */
    static final int ACTIVE_SPEAKER_FRAMES = 10;

    private static final Logger log = Logger.getLogger(AudioMixer.class.getName());

    /** A silent mix, shared by every room: never written (members and encoders only read what they are given). */
    private static final int[] SILENCE = new int[FRAME];
    private static final short[] SILENT_FRAME = new short[FRAME];

    private final String name;
    private final int maxSpeakers;
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Prompt> newRoomPrompts = new ConcurrentLinkedQueue<>();
    /** Set after a prompt is put in {@link #newRoomPrompts}: a tick looks at the queue only then. */
    private volatile boolean roomPromptsPosted;
    private final List<Prompt> roomPrompts = new ArrayList<>();
    private final Map<String, SharedOutput> shared = new HashMap<>();
    /**
     * The room mix and its limited frame, made when someone first talks or a prompt plays to the room: a room whose
     * members only hear their welcome never needs them, and what a room keeps while it lives the collector copies
     * (issue 12). Until then {@link #SILENCE} and {@link #SILENT_FRAME} stand for them.
     */
    private int[] mix;
    private short[] roomFrame;
    private final Limiter roomLimiter = new Limiter();
    private volatile Consumer<Optional<Member>> activeSpeakerListener = speaker -> { };
    private volatile boolean closed;

    // mixing-thread state
    /** Whether {@link #mix} and {@link #roomFrame} hold silence from the last tick. */
    private boolean silent;
    private Member activeSpeaker;
    private Member candidate;
    private int candidateFrames;
    private long ticks;
    private long encodes;
    /** This tick's members and speakers, emptied at the start of each tick (not made anew per room and tick). */
    private final List<Member> now = new ArrayList<>();
    private final List<Member> speakers = new ArrayList<>();

    /**
     * @param name        for logs (e.g. the room URI)
     * @param maxSpeakers how many talkers are mixed at once (the loudest), 0 for all
     */
    public AudioMixer(String name, int maxSpeakers) {
        if (maxSpeakers < 0) {
            throw new IllegalArgumentException("maxSpeakers must be 0 (all) or more, got " + maxSpeakers);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.maxSpeakers = maxSpeakers;
    }

    /** A mixer that mixes the {@value #DEFAULT_MAX_SPEAKERS} loudest talkers. */
    public AudioMixer(String name) {
        this(name, DEFAULT_MAX_SPEAKERS);
    }

    /**
     * Adds a member that hears the room from the next tick on.
     *
     * @param id          for logs and the active-speaker signal
     * @param payloadType the member's negotiated audio payload type: packets of other types are ignored
     * @param codecs      makes instances of the member's negotiated codec (called up to three times: decoder, own
     *                    encoder, and the shared encoder when the member is the first with that codec)
     * @param output      where the member's encoded frames go
     */
    public Member join(String id, int payloadType, Supplier<AudioCodec> codecs, Member.Output output) {
        return add(id, payloadType, codecs, Objects.requireNonNull(output, "output"));
    }

    private Member add(String id, int payloadType, Supplier<AudioCodec> codecs, Member.Output output) {
        if (closed) {
            throw new IllegalStateException("mixer " + name + " is closed");
        }
        Member member = new Member(this, id, payloadType, codecs, output);
        members.add(member);
        return member;
    }

    /**
     * Adds a member that is heard but hears nothing: a video room's browser publisher, which gets the others' streams
     * from the SFU and contributes its voice to the mix for the room's phones and recording. No encoder is made for it.
     *
     * @param id          for logs and the active-speaker signal
     * @param payloadType the member's audio payload type: packets of other types are ignored
     * @param codecs      makes the member's decoder (called once)
     */
    public Member joinTalker(String id, int payloadType, Supplier<AudioCodec> codecs) {
        return add(id, payloadType, codecs, null);
    }

    /** Plays {@code prompt} to everyone in the room (mixed with the talkers). */
    public void play(Prompt prompt) {
        newRoomPrompts.add(Objects.requireNonNull(prompt, "prompt"));
        roomPromptsPosted = true;
    }

    /** Called on the mixing thread whenever the active speaker changes (empty: nobody). */
    public void onActiveSpeaker(Consumer<Optional<Member>> listener) {
        activeSpeakerListener = Objects.requireNonNull(listener, "listener");
    }

    /** The members now in the room. */
    public List<Member> members() {
        return List.copyOf(members);
    }

    /** Frames encoded since the mixer started: with shared encoders, far fewer than members times ticks. */
    public long encodes() {
        return encodes;
    }

    /** Ticks run so far. */
    public long ticks() {
        return ticks;
    }

    void encoded() {
        encodes++;
    }

    void remove(Member member) {
        members.remove(member);
    }

    /**
     * Mixes and sends one 20 ms frame.
     *
     * @param nowNanos the tick's time ({@link System#nanoTime()}), for the jitter buffers
     */
    public synchronized void tick(long nowNanos) {
        if (closed) {
            return;
        }
        ticks++;
        if (roomPromptsPosted) {
            roomPromptsPosted = false; // before the queue is emptied: a prompt put in meanwhile sets it again
            Prompt prompt;
            while ((prompt = newRoomPrompts.poll()) != null) {
                roomPrompts.add(prompt);
            }
        }
        now.clear();
        speakers.clear();
        for (Member member : members) {
            if (member.closeIfLeft()) {
                continue;
            }
            now.add(member);
            if (member.receive(nowNanos)) {
                speakers.add(member);
            }
        }
        if (maxSpeakers > 0 && speakers.size() > maxSpeakers) {
            speakers.sort(Comparator.comparingInt(Member::level));
            speakers.subList(maxSpeakers, speakers.size()).clear();
        }
        if (speakers.isEmpty() && roomPrompts.isEmpty() && roomLimiter.atUnity()) {
            // nobody talks and nothing plays: the mix is silence, and so is what the limiter makes of it
            if (!silent && mix != null) {
                Arrays.fill(mix, 0);
                Arrays.fill(roomFrame, (short) 0);
            }
            silent = true;
            roomLimiter.passSilence(FRAME);
        } else {
            if (mix == null) {
                mix = new int[FRAME];
                roomFrame = new short[FRAME];
            } else {
                Arrays.fill(mix, 0);
            }
            for (Member speaker : speakers) {
                short[] own = speaker.upsampled();
                for (int i = 0; i < FRAME; i++) {
                    mix[i] += own[i];
                }
            }
            roomPrompts.removeIf(p -> !p.addTo(mix));
            roomLimiter.process(mix, roomFrame);
            silent = false;
        }
        // a room whose members all hear their welcome alone has no shared output; its ticks iterate nothing (issue 12)
        if (!shared.isEmpty()) {
            for (SharedOutput output : shared.values()) {
                output.payload = null;
            }
        }
        for (Member member : now) {
            if (member.onHold() || member.deaf()) {
                continue;
            }
            boolean speaker = speakers.contains(member);
            if (member.isolated()) {
                send(member, member.individualFrame(SILENCE, false));
            } else if (speaker || member.hasPrompts()) {
                send(member, member.individualFrame(mix != null ? mix : SILENCE, speaker));
            } else {
                SharedOutput output = shared.computeIfAbsent(member.codecKey(), key -> new SharedOutput(member));
                if (output.payload == null) {
                    output.payload = output.encode(roomFrame != null ? roomFrame : SILENT_FRAME);
                }
                send(member, output.payload);
            }
        }
        updateActiveSpeaker(speakers);
        if (!shared.isEmpty()) {
            shared.values().removeIf(output -> {
                boolean unused = now.stream().noneMatch(m -> !m.deaf() && m.codecKey().equals(output.key));
                if (unused) {
                    output.encoder.close();
                }
                return unused;
            });
        }
    }

    private void send(Member member, byte[] payload) {
        try {
            member.send(payload);
        } catch (IOException | RuntimeException e) {
            log.log(Level.FINE, "mixer " + name + ": cannot send to " + member.id(), e);
        } catch (Error e) {
            // one member's encoder or endpoint failing must not cost the other members this frame
            log.log(Level.SEVERE, "mixer " + name + ": sending to " + member.id() + " failed", e);
        }
    }

    private void updateActiveSpeaker(List<Member> speakers) {
        Member loudest = null;
        for (Member speaker : speakers) {
            if (loudest == null || speaker.level() < loudest.level()) {
                loudest = speaker;
            }
        }
        if (loudest == null || loudest == activeSpeaker) {
            candidate = null;
            candidateFrames = 0;
        } else if (loudest == candidate) {
            if (++candidateFrames >= ACTIVE_SPEAKER_FRAMES) {
                activeSpeaker = loudest;
                candidate = null;
                activeSpeakerListener.accept(Optional.of(loudest));
            }
        } else {
            candidate = loudest;
            candidateFrames = 1;
        }
        if (activeSpeaker != null && !members.contains(activeSpeaker)) {
            activeSpeaker = null;
            activeSpeakerListener.accept(Optional.empty());
        }
    }

    /** The room mix's limiter, whose state a listener's own limiter takes over (mixing thread). */
    Limiter roomLimiter() {
        return roomLimiter;
    }

    /** Stops mixing and frees every codec (call from the mixing thread, or after the clock stopped). */
    public synchronized void close() {
        closed = true;
        for (Member member : members) {
            member.leave();
            member.closeIfLeft();
        }
        members.clear();
        now.clear();
        speakers.clear();
        shared.values().forEach(output -> output.encoder.close());
        shared.clear();
    }

    @Override
    public String toString() {
        return "mixer " + name + " (" + members.size() + " members)";
    }

    /** The room mix encoded once for every listener with the same codec configuration. */
    private final class SharedOutput {
        final String key;
        final AudioCodec encoder;
        final Resampler downsampler;
        /** A frame of silence at the codec's rate (never written: encoders only read). */
        private short[] silentFrame;
        byte[] payload;

        SharedOutput(Member first) {
            this.key = first.codecKey();
            this.encoder = first.newCodec();
            this.downsampler = encoder.sampleRate() == RATE ? null : new Resampler(RATE, encoder.sampleRate());
        }

        byte[] encode(short[] frame) {
            encodes++;
            if (silent && downsampler != null && downsampler.atRest()) {
                // silence through a filter with only silence in its history is silence, and leaves it at rest
                return encoder.encode(silence());
            }
            return encoder.encode(downsampler == null ? frame : downsampler.process(frame));
        }

        private short[] silence() {
            if (silentFrame == null) {
                silentFrame = new short[encoder.sampleRate() / 50];
            }
            return silentFrame;
        }
    }
}
