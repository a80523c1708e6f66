package org.sylkserver.media.sfu;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.mixer.AudioMixer;
import org.sylkserver.media.mixer.Member;
import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.recording.PublisherRecording;
import org.sylkserver.media.recording.Recorder;

/**
 * The audio of a video room mixed for those who cannot take one stream per publisher (issue 13): the room's SIP
 * phones and its mixed recording. Every browser publisher's Opus is decoded into the room's {@link AudioMixer} as a
 * talker that hears nothing ({@link Publisher#mixInto}); a phone is a member both ways and hears the room minus itself
 * (mix-minus); the recording is a listener that never talks, so it hears everyone. The mixer runs on a
 * {@link MixerClock} thread from construction to {@link #close()}.
 */
public final class RoomMix implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media.sfu");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** RFC 7587 §4.1: the Opus RTP clock. */
    private static final int OPUS_CLOCK = 48_000;

    private final String name;
    private final Consumer<AudioMixer> stop;
    /** Ticks the phones' voices; null for a mix ticked by someone else. */
    private final MixerClock clock;
    private final AudioMixer mixer;
    private PublisherRecording recording;
    private Member recordingMember;
    /** Whether {@link #close()} ran: nothing joins or records any more. */
    private boolean closed;

    /** A room's mix, ticked by {@code clock} until {@link #close()}. */
    public RoomMix(String name, MixerClock clock) {
        this(new AudioMixer(name), clock);
        clock.start(mixer);
    }

    /** A mix whose mixer someone else ticks (tests, on a simulated clock), without phones. */
    RoomMix(AudioMixer mixer, Consumer<AudioMixer> stop) {
        this.name = mixer.toString();
        this.mixer = mixer;
        this.stop = stop;
        this.clock = null;
    }

    private RoomMix(AudioMixer mixer, MixerClock clock) {
        this.name = mixer.toString();
        this.mixer = mixer;
        this.stop = clock::stop;
        this.clock = clock;
    }

    /** A SIP phone in the room: {@link #phone}; {@link #leave()} takes it out. */
    public static final class Phone {
        private final Member inRoom;
        private final AudioMixer voice;
        private final MixerClock clock;

        private Phone(Member inRoom, AudioMixer voice, MixerClock clock) {
            this.inRoom = inRoom;
            this.voice = voice;
            this.clock = clock;
        }

        /** The phone's member of the room mix (what it hears). */
        public Member member() {
            return inRoom;
        }

        /** Out of the mix; its voice stops. Idempotent. */
        public void leave() {
            inRoom.leave();
            clock.stop(voice);
        }
    }

    /**
     * A SIP phone joins the room (issue 13): it hears the room minus itself on {@code endpoint} in its own codec,
     * and its voice, decoded and encoded again as Opus every 20 ms on the mixer clock (a one-talker mixer of its own,
     * so any codec the phone chose comes out as what browsers take), goes to {@code voice}, the {@link Publisher#local
     * publisher} browsers attach.
     *
     * @param payloadType the phone's negotiated audio payload type
     * @param codecs      makes instances of that codec
     */
    public Phone phone(String id, RtpAudioEndpoint endpoint, int payloadType, Supplier<AudioCodec> codecs,
                       Publisher voice) {
        if (clock == null) {
            throw new IllegalStateException(name + " has no clock for phones");
        }
        Member inRoom = mixer.join(id, payloadType, codecs,
                (payload, increment, marker) -> endpoint.send(payloadType, payload, increment, marker));
        AudioMixer own = new AudioMixer(id + " voice", 1);
        Member talking = own.joinTalker(id, payloadType, codecs);
        own.join(id + " to browsers", -1, RoomMix::opus, voice::sendAudio);
        endpoint.receive((header, payload, arrival, level) -> {
            inRoom.offer(header, payload, arrival, level);
            talking.offer(header, payload, arrival, level);
        });
        clock.start(own);
        return new Phone(inRoom, own, clock);
    }

    /** A publisher's voice: Opus packets of {@code payloadType}, heard by the room's listeners, hearing nothing. */
    Member talker(String id, int payloadType) {
        return mixer.joinTalker(id, payloadType, RoomMix::opus);
    }

    /**
     * A member that talks and listens (a SIP phone): it hears the room minus itself, encoded with its own codec.
     *
     * @param codecs makes instances of the member's negotiated codec (see {@link AudioMixer#join})
     */
    public Member listener(String id, int payloadType, Supplier<AudioCodec> codecs, Member.Output output) {
        return mixer.join(id, payloadType, codecs, output);
    }

    /**
     * Records the mix from now on (issue 13: the room's mixed audio track) as an Ogg Opus file in {@code directory}
     * named {@code <baseName>-<start time>.opus}, until {@link #close()}; a second call does nothing.
     */
    public synchronized void record(Recorder recorder, Path directory, String baseName, List<String> tags) {
        if (closed || recording != null) {
            return;
        }
        PublisherRecording file = recorder.start(directory, baseName, 1, null, tags, () -> { });
        long ssrc = RANDOM.nextInt() & 0xffffffffL;
        int[] sequence = {RANDOM.nextInt(0x10000)};
        long[] timestamp = {RANDOM.nextInt() & 0xffffffffL};
        recording = file;
        // mixing thread: the recorder copies nothing, the payload is the mixer's own (never modified once sent)
        recordingMember = mixer.join(baseName, -1, RoomMix::opus, (payload, increment, marker) -> {
            timestamp[0] += increment;
            file.offerAudio(ssrc, sequence[0]++, timestamp[0], payload);
        });
    }

    /** Members in the mix (publishers, phones and the recording). */
    public int members() {
        return mixer.members().size();
    }

    /** Stops the mix, ends its recording. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        stop.accept(mixer);
        if (recordingMember != null) {
            recordingMember.leave();
            recording.close();
            recordingMember = null;
        }
        LOG.fine(() -> name + ": mix closed");
    }

    @Override
    public String toString() {
        return "mix of " + name;
    }

    private static AudioCodec opus() {
        return AudioCodecs.create("opus", OPUS_CLOCK).orElseThrow();
    }
}
