package org.sylkserver.media.mixer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.Resampler;
import org.sylkserver.media.codec.SineWave;

/**
 * Isolated members hear their prompts from the shared renditions exactly as if each frame were mixed for them alone
 * (fresh limiter and downsampler, the prompt's samples added to silence, spec §3.3's welcome): the same bytes, the
 * prompt's end reported at the same frame, whichever room and tick they join at, and after they leave the rendition
 * (another prompt, hold, the prompt stopped, connected) they go on from the states its frames left.
 */
class RenditionsTest {

    private static final long TICK = 20_000_000L;

    /** A welcome-like prompt loud enough for the limiter to act (peaks at 0.8 of full scale): tone, pause, tone. */
    private static List<short[]> pieces() {
        return List.of(SineWave.tone(440, AudioMixer.RATE, 0.33, 0.8), new short[AudioMixer.RATE / 10],
                SineWave.tone(1000, AudioMixer.RATE, 0.21, 0.6));
    }

    /** The plain computation, one member alone: its own limiter and downsampler from new, frame by frame. */
    private static final class Alone {
        final AudioCodec encoder;
        final Resampler downsampler;
        Limiter limiter = new Limiter();
        final List<Prompt> prompts = new ArrayList<>();

        Alone(String encoding) {
            encoder = AudioCodecs.create(encoding, 8000).orElseThrow();
            downsampler = encoder.sampleRate() == AudioMixer.RATE ? null
                    : new Resampler(AudioMixer.RATE, encoder.sampleRate());
        }

        byte[] frame() {
            int[] sum = new int[AudioMixer.FRAME];
            prompts.removeIf(p -> !p.addTo(sum));
            short[] limited = new short[AudioMixer.FRAME];
            limiter.process(sum, limited);
            return encoder.encode(downsampler == null ? limited : downsampler.process(limited));
        }
    }

    /** A member of {@code mixer} and what it received. */
    private static final class Joiner {
        final List<byte[]> heard = new ArrayList<>();
        final Member member;

        Joiner(AudioMixer mixer, String encoding) {
            member = mixer.join(encoding + " joiner", 0, () -> AudioCodecs.create(encoding, 8000).orElseThrow(),
                    (payload, ts, marker) -> heard.add(payload));
            member.isolate(true);
        }
    }

    private static void tick(List<AudioMixer> mixers, int t) {
        mixers.forEach(m -> m.tick(t * TICK));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"PCMU", "G722"})
    void joinersInAnyRoomAtAnyTickHearWhatMixingTheirWelcomeAloneGives(String encoding) {
        List<short[]> pieces = pieces();
        AudioMixer a = new AudioMixer("a");
        AudioMixer b = new AudioMixer("b");
        List<AudioMixer> mixers = List.of(a, b);
        int[] joinAt = {0, 5, 12, 12};
        AudioMixer[] rooms = {a, b, a, b};
        List<Joiner> joiners = new ArrayList<>();
        List<AtomicInteger> endedAt = new ArrayList<>();
        int framesBefore = Member.renditions().size();
        for (int t = 0; t < 60; t++) {
            for (int j = 0; j < joinAt.length; j++) {
                if (joinAt[j] == t) {
                    Joiner joiner = new Joiner(rooms[j], encoding);
                    AtomicInteger ended = new AtomicInteger(-1);
                    int index = j;
                    joiner.member.play(Prompt.once(pieces, () -> ended.set(joiners.get(index).heard.size())));
                    joiners.add(joiner);
                    endedAt.add(ended);
                }
            }
            tick(mixers, t);
        }
        // a prompt's last frame is followed by a silent one before it reports its end (Prompt.addTo)
        int renderedFrames = pieces.stream().mapToInt(p -> p.length).sum() / AudioMixer.FRAME + 1;
        Alone alone = new Alone(encoding);
        AtomicInteger aloneEnded = new AtomicInteger(-1);
        List<byte[]> expected = new ArrayList<>();
        alone.prompts.add(Prompt.once(pieces, () -> aloneEnded.set(expected.size())));
        for (int f = 0; f < 60 - 12; f++) {
            expected.add(alone.frame());
        }
        for (int j = 0; j < joiners.size(); j++) {
            List<byte[]> heard = joiners.get(j).heard;
            for (int f = 0; f < expected.size(); f++) {
                assertArrayEquals(expected.get(f), heard.get(f), "joiner " + j + ", frame " + f);
            }
            assertEquals(aloneEnded.get(), endedAt.get(j).get(), "joiner " + j + ": the prompt's end, in frames");
        }
        // the prompt's frames were rendered once (plus the silent one its end is heard in), not once per joiner
        assertEquals(renderedFrames, Member.renditions().size() - framesBefore);
    }

    /**
     * G.711 encodes each sample on its own (G.711 §2, {@link AudioCodec#stateless}): joiners following a rendition
     * share its frames' encoding, made once, in any room (issue 12: encoding the welcome per joiner); a codec with
     * state (G.722's ADPCM) encodes for each. A joiner that follows a rendition makes no mixing buffers of its own
     * until it is mixed alone.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"PCMU, true", "PCMA, true", "G722, false"})
    void joinersWithAStatelessCodecShareTheEncodedFrames(String encoding, boolean shared) {
        // a prompt of its own: frames nobody rendered yet, so that the first joiner renders them
        List<short[]> pieces = List.of(SineWave.tone(523, AudioMixer.RATE, 0.3, 0.5));
        AudioMixer a = new AudioMixer("a");
        AudioMixer b = new AudioMixer("b");
        Joiner first = new Joiner(a, encoding);
        first.member.play(Prompt.once(pieces, () -> { }));
        Joiner second = null;
        for (int t = 0; t < 12; t++) {
            if (t == 3) {
                second = new Joiner(b, encoding);
                second.member.play(Prompt.once(pieces, () -> { }));
            }
            tick(List.of(a, b), t);
        }
        for (int f = 0; f < second.heard.size(); f++) {
            assertArrayEquals(first.heard.get(f), second.heard.get(f), "frame " + f);
            if (shared) {
                assertSame(first.heard.get(f), second.heard.get(f), "frame " + f + ": one encoding");
            } else {
                assertNotSame(first.heard.get(f), second.heard.get(f), "frame " + f);
            }
        }
        assertTrue(first.member.mixesAlone(), "the first renders the frames: mixed alone");
        assertFalse(second.member.mixesAlone(), "the second follows the rendition: no buffers of its own");
        second.member.isolate(false);
        tick(List.of(a, b), 12);
        assertTrue(second.member.mixesAlone(), "connected with its prompt still playing: mixed alone");
    }

    @Test
    void aJoinerOffItsRenditionGoesOnFromWhereTheRenditionLeftIt() {
        List<short[]> pieces = pieces();
        List<short[]> other = List.of(SineWave.tone(700, AudioMixer.RATE, 0.2, 0.5));
        AudioMixer room = new AudioMixer("room");
        Joiner first = new Joiner(room, "PCMU");
        first.member.play(Prompt.once(pieces, () -> { }));
        Joiner secondPrompt = new Joiner(room, "PCMU");
        Joiner held = new Joiner(room, "PCMU");
        Joiner stopped = new Joiner(room, "PCMU");
        Joiner connected = new Joiner(room, "PCMU");
        Prompt toStop = Prompt.once(pieces, () -> { });
        for (Joiner joiner : List.of(secondPrompt, held, connected)) {
            joiner.member.play(Prompt.once(pieces, () -> { }));
        }
        stopped.member.play(toStop);
        Alone[] alone = {new Alone("PCMU"), new Alone("PCMU"), new Alone("PCMU"), new Alone("PCMU")};
        Prompt aloneToStop = Prompt.once(pieces, () -> { });
        alone[0].prompts.add(Prompt.once(pieces, () -> { }));
        alone[1].prompts.add(Prompt.once(pieces, () -> { }));
        alone[2].prompts.add(aloneToStop);
        alone[3].prompts.add(Prompt.once(pieces, () -> { }));
        List<List<byte[]>> expected = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        // up to the prompt's end (32 frames): after it a connected member hears the room's shared frame
        for (int t = 0; t < 30; t++) {
            if (t == 10) {
                secondPrompt.member.play(Prompt.once(other, () -> { }));
                alone[0].prompts.add(Prompt.once(other, () -> { }));
                toStop.stop();
                aloneToStop.stop();
                connected.member.isolate(false);
            }
            if (t == 8) {
                held.member.hold(true);
            }
            if (t == 14) {
                held.member.hold(false);
                // back from hold, a listener's limiter continues from the room's: a silent room's is a new one's
                alone[1].limiter = new Limiter();
            }
            room.tick(t * TICK);
            for (int k = 0; k < alone.length; k++) {
                if (k != 1 || t < 8 || t >= 14) {
                    expected.get(k).add(alone[k].frame());
                }
            }
        }
        List<Joiner> joiners = List.of(secondPrompt, held, stopped, connected);
        for (int k = 0; k < joiners.size(); k++) {
            List<byte[]> heard = joiners.get(k).heard;
            assertEquals(expected.get(k).size(), heard.size(), "joiner " + k);
            for (int f = 0; f < heard.size(); f++) {
                assertArrayEquals(expected.get(k).get(f), heard.get(f), "joiner " + k + ", frame " + f);
            }
        }
    }

    /**
     * A joiner that follows a rendition leaves its prompt where it is until something needs it (issue 12: moving each
     * joiner's prompt at every tick read its data for nothing): the prompt still ends, and runs its callback once, at
     * the frame it would have; one stopped while followed runs its callback once, at the next tick, as mixing it would.
     */
    @Test
    void aFollowedPromptIsMovedOnOnlyWhenItIsNeeded() {
        List<short[]> pieces = pieces();
        AudioMixer room = new AudioMixer("room");
        Joiner first = new Joiner(room, "PCMU");
        first.member.play(Prompt.once(pieces, () -> { }));
        Joiner follower = new Joiner(room, "PCMU");
        Joiner stopped = new Joiner(room, "PCMU");
        AtomicInteger followerEnds = new AtomicInteger();
        AtomicInteger followerEndedAt = new AtomicInteger(-1);
        AtomicInteger stoppedEnds = new AtomicInteger();
        AtomicInteger stoppedEndedAt = new AtomicInteger(-1);
        Prompt followed = Prompt.once(pieces, () -> {
            followerEnds.incrementAndGet();
            followerEndedAt.set(follower.heard.size());
        });
        Prompt toStop = Prompt.once(pieces, () -> {
            stoppedEnds.incrementAndGet();
            stoppedEndedAt.set(stopped.heard.size());
        });
        follower.member.play(followed);
        stopped.member.play(toStop);
        Alone alone = new Alone("PCMU");
        AtomicInteger aloneEndedAt = new AtomicInteger(-1);
        List<byte[]> expected = new ArrayList<>();
        alone.prompts.add(Prompt.once(pieces, () -> aloneEndedAt.set(expected.size())));
        for (int t = 0; t < 45; t++) {
            if (t == 6) {
                assertTrue(followed.unplayed(), "followed for 6 frames, the prompt not moved");
                toStop.stop();
            }
            room.tick(t * TICK);
            expected.add(alone.frame());
        }
        assertEquals(1, followerEnds.get());
        assertEquals(aloneEndedAt.get(), followerEndedAt.get(), "the prompt's end, in frames");
        for (int f = 0; f < expected.size(); f++) {
            assertArrayEquals(expected.get(f), follower.heard.get(f), "frame " + f);
        }
        assertEquals(1, stoppedEnds.get());
        assertEquals(6, stoppedEndedAt.get(), "stopped after 6 frames: ended at the next tick");
    }

    @Test
    void fullRenditionsStartAgainEmptyAndTheirMembersComputeAgain() {
        Renditions renditions = new Renditions(2);
        Prompt prompt = Prompt.once(pieces(), () -> { });
        Renditions.Rendition rendition = renditions.of(prompt, 8000);
        Renditions.Frame frame = new Renditions.Frame(new short[160], new Limiter().state(), null);
        assertTrue(rendition.add(0, frame));
        assertTrue(rendition.add(0, frame), "another member's frame 0: kept already");
        assertTrue(rendition.add(1, frame));
        assertFalse(rendition.add(2, frame), "full");
        assertEquals(0, renditions.size());
        assertFalse(rendition.add(2, frame), "a dropped rendition keeps nothing more");
        Renditions.Rendition again = renditions.of(Prompt.once(prompt.content(), () -> { }), 8000);
        assertNotSame(rendition, again);
        assertNull(again.frame(0));
        assertTrue(again.add(0, frame));
        assertEquals(rendition.frame(1), frame, "what a member has followed stays there for it");
    }
}
