package org.sylkserver.media.mixer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.G711;
import org.sylkserver.media.codec.ToneDetector;

/**
 * Mixer arithmetic with known signals: every member sends a tone of its own as PCMU packets on a simulated 20 ms
 * clock, and what each member receives is decoded and analysed by frequency.
 */
class AudioMixerTest {

    private static final long TICK = 20_000_000L;
    private static final int WARM_UP = 25;

    /** A simulated participant: sends a signal, records what it receives. */
    private static final class Peer {
        final String id;
        final double frequency;
        final double amplitude;
        final boolean square;
        final List<byte[]> received = new ArrayList<>();
        final List<Boolean> markers = new ArrayList<>();
        Member member;
        int sequence;

        Peer(String id, double frequency, double amplitude, boolean square) {
            this.id = id;
            this.frequency = frequency;
            this.amplitude = amplitude;
            this.square = square;
        }

        short[] frame(int index) {
            short[] pcm = new short[160];
            for (int i = 0; i < pcm.length; i++) {
                double t = (index * 160 + i) / 8000.0;
                double s = Math.sin(2 * Math.PI * frequency * t);
                pcm[i] = (short) Math.round(amplitude * Short.MAX_VALUE * (square ? Math.signum(s) : s));
            }
            return pcm;
        }

        void sendFrame(int index, long now) {
            if (amplitude == 0) {
                return;
            }
            byte[] payload = G711.PCMU.encode(frame(index));
            member.offer(new RtpHeader(false, false, 0, index == 0, 0, sequence++ & 0xffff, index * 160L,
                    id.hashCode() & 0xffffffffL, 12, payload.length), payload, now);
        }

        /** What it heard after the warm-up, decoded. */
        short[] heard() {
            List<byte[]> tail = received.subList(Math.min(WARM_UP, received.size()), received.size());
            short[] all = new short[tail.size() * 160];
            for (int i = 0; i < tail.size(); i++) {
                System.arraycopy(G711.PCMU.decode(tail.get(i)), 0, all, i * 160, 160);
            }
            return all;
        }

        double levelDb(double f) {
            return ToneDetector.levelDb(heard(), 8000, f);
        }
    }

    private static Peer join(AudioMixer mixer, String id, double frequency, double amplitude) {
        Peer peer = new Peer(id, frequency, amplitude, false);
        peer.member = mixer.join(id, 0, () -> AudioCodecs.create("PCMU", 8000).orElseThrow(),
                (payload, ts, marker) -> {
                    assertEquals(160, ts);
                    peer.received.add(payload);
                    peer.markers.add(marker);
                });
        return peer;
    }

    private static void run(AudioMixer mixer, List<Peer> peers, int ticks) {
        for (int t = 0; t < ticks; t++) {
            long now = t * TICK;
            for (Peer peer : peers) {
                peer.sendFrame(t, now);
            }
            mixer.tick(now);
        }
    }

    /** Each member hears the two others and not itself (mix-minus). */
    @Test
    void everyoneHearsTheOthersButNotThemselves() {
        AudioMixer mixer = new AudioMixer("room@example.com");
        List<Peer> peers = List.of(join(mixer, "a", 400, 0.2), join(mixer, "b", 700, 0.2), join(mixer, "c", 1100, 0.2));
        run(mixer, peers, 100);
        for (Peer listener : peers) {
            for (Peer talker : peers) {
                double level = listener.levelDb(talker.frequency);
                if (talker == listener) {
                    assertTrue(level < -45, listener.id + " hears itself at " + level + " dB");
                } else {
                    assertTrue(level > -20, listener.id + " hears " + talker.id + " only at " + level + " dB");
                }
            }
            assertTrue(listener.markers.get(0), "first packet to " + listener.id + " has the marker bit");
            assertFalse(listener.markers.get(1));
        }
    }

    /**
     * A lost packet (its sequence number missing while later ones are here, RFC 3550 §5.1) is concealed in the mix
     * (G.711 Appendix I style, {@code LossConcealment}), not heard as 20 ms of silence: every frame the listener hears
     * carries the talker's 440 Hz within 3 dB of its level.
     */
    @Test
    void aLostPacketIsConcealedNotSilent() {
        AudioMixer mixer = new AudioMixer("room@example.com");
        Peer talker = join(mixer, "talker", 440, 0.3);
        Peer listener = join(mixer, "listener", 0, 0);
        for (int t = 0; t < 100; t++) {
            if (t == 50) {
                talker.sequence++; // lost on the way
            } else {
                talker.sendFrame(t, t * TICK);
            }
            mixer.tick(t * TICK);
        }
        short[] heard = listener.heard();
        double reference = ToneDetector.levelDb(heard, 8000, 440);
        for (int frame = 0; frame + 1 < heard.length / 160; frame++) {
            short[] one = java.util.Arrays.copyOfRange(heard, frame * 160, frame * 160 + 160);
            double level = ToneDetector.levelDb(one, 8000, 440);
            assertTrue(level > reference - 3, "frame " + frame + " at " + level + " dB, the tone at " + reference);
        }
    }

    /** Listeners who are not talking share one encoded frame per codec; talkers get one each. */
    @Test
    void silentListenersShareOneEncoder() {
        AudioMixer mixer = new AudioMixer("room");
        List<Peer> peers = new ArrayList<>();
        peers.add(join(mixer, "talker1", 500, 0.2));
        peers.add(join(mixer, "talker2", 900, 0.2));
        for (int i = 0; i < 8; i++) {
            peers.add(join(mixer, "listener" + i, 0, 0));
        }
        run(mixer, peers, 50);
        long encodesBefore = mixer.encodes();
        run(mixer, peers, 10);
        assertEquals(30, mixer.encodes() - encodesBefore, "2 mix-minus frames + 1 shared frame per tick");
        byte[] last = peers.get(2).received.get(peers.get(2).received.size() - 1);
        for (Peer listener : peers.subList(3, peers.size())) {
            assertSame(last, listener.received.get(listener.received.size() - 1), "one payload for all listeners");
        }
        assertTrue(peers.get(5).levelDb(500) > -20 && peers.get(5).levelDb(900) > -20);
    }

    @Test
    void aMemberOnHoldNeitherTalksNorListens() {
        AudioMixer mixer = new AudioMixer("room");
        List<Peer> peers = List.of(join(mixer, "a", 400, 0.2), join(mixer, "b", 700, 0.2), join(mixer, "c", 1100, 0.2));
        peers.get(2).member.hold(true);
        run(mixer, peers, 80);
        assertTrue(peers.get(2).received.isEmpty(), "nothing is sent to a member on hold");
        assertTrue(peers.get(0).levelDb(1100) < -45, "the held member's audio is not mixed");
        assertTrue(peers.get(0).levelDb(700) > -20);
        peers.get(2).member.hold(false);
        run(mixer, peers, 5);
        assertTrue(peers.get(2).markers.get(0), "resuming starts with a marker bit");
    }

    /** Two loud talkers in phase: the sum is limited below full scale, never wrapped around to the other sign. */
    @Test
    void loudSumsAreLimitedNotWrapped() {
        AudioMixer mixer = new AudioMixer("room");
        Peer a = new Peer("a", 250, 0.8, true);
        Peer b = new Peer("b", 250, 0.8, true);
        for (Peer p : List.of(a, b)) {
            p.member = mixer.join(p.id, 0, () -> G711.PCMU, (payload, ts, marker) -> p.received.add(payload));
        }
        Peer listener = join(mixer, "listener", 0, 0);
        run(mixer, List.of(a, b, listener), 60);
        short[] heard = listener.heard();
        int max = 0;
        int min = 0;
        for (short s : heard) {
            max = Math.max(max, s);
            min = Math.min(min, s);
        }
        assertTrue(max > 20000 && min < -20000 && max < 30000 && min > -30000,
                "held loud but below full scale: " + min + ".." + max);
        assertEquals(250, ToneDetector.dominantFrequency(heard, 8000), 5, "still the talkers' fundamental");
        assertTrue(ToneDetector.levelDb(heard, 8000, 250) > -3, "no wrap-around (which would cancel the tone)");
    }

    @Test
    void onlyTheLoudestTalkersAreMixed() {
        AudioMixer mixer = new AudioMixer("room", 2);
        List<Peer> peers = List.of(join(mixer, "loud", 400, 0.3), join(mixer, "medium", 700, 0.1),
                join(mixer, "quiet", 1100, 0.01), join(mixer, "listener", 0, 0));
        run(mixer, peers, 80);
        Peer listener = peers.get(3);
        assertTrue(listener.levelDb(400) > -20);
        assertTrue(listener.levelDb(700) > -30);
        assertTrue(listener.levelDb(1100) < -60, "third talker beyond maxSpeakers is not heard");
    }

    @Test
    void promptsPlayToTheRoomOrToOneMember() {
        AudioMixer mixer = new AudioMixer("room");
        List<Peer> peers = List.of(join(mixer, "a", 0, 0), join(mixer, "b", 0, 0));
        short[] tone = new short[AudioMixer.RATE * 3];
        short[] other = new short[AudioMixer.RATE * 3];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (short) (0.2 * Short.MAX_VALUE * Math.sin(2 * Math.PI * 1500 * i / AudioMixer.RATE));
            other[i] = (short) (0.2 * Short.MAX_VALUE * Math.sin(2 * Math.PI * 600 * i / AudioMixer.RATE));
        }
        AtomicReference<Boolean> finished = new AtomicReference<>(false);
        peers.get(0).member.play(Prompt.once(tone, () -> finished.set(true)));
        mixer.play(Prompt.looping(other));
        run(mixer, peers, 100);
        assertTrue(peers.get(0).levelDb(1500) > -20, "a hears its own prompt");
        assertTrue(peers.get(1).levelDb(1500) < -50, "b does not hear a's prompt");
        assertTrue(peers.get(0).levelDb(600) > -20 && peers.get(1).levelDb(600) > -20, "both hear the room's");
        assertFalse(finished.get(), "a 3 s prompt is still playing after 2 s");
        run(mixer, peers, 60);
        assertTrue(finished.get(), "the prompt's callback ran once it was played");
    }

    @Test
    void theLoudestTalkerBecomesTheActiveSpeaker() {
        AudioMixer mixer = new AudioMixer("room");
        List<Optional<Member>> changes = new ArrayList<>();
        mixer.onActiveSpeaker(changes::add);
        List<Peer> peers = List.of(join(mixer, "quiet", 400, 0.02), join(mixer, "loud", 700, 0.3));
        run(mixer, peers, 40);
        assertEquals(1, changes.size(), "one change: " + changes);
        assertEquals("loud", changes.get(0).orElseThrow().id());
        assertTrue(peers.get(1).member.level() < peers.get(0).member.level(), "RFC 6464 levels: lower is louder");
    }

    /** Packets of another payload type, garbage and a flood do not disturb the others. */
    @Test
    void badInputFromOneMemberDoesNotDisturbTheRoom() {
        AudioMixer mixer = new AudioMixer("room");
        Map<String, Integer> opusFailures = new HashMap<>();
        Peer a = join(mixer, "a", 400, 0.2);
        Peer b = join(mixer, "b", 700, 0.2);
        Member opus = mixer.join("opus", 111, () -> AudioCodecs.create("opus", 48000).orElseThrow(),
                (payload, ts, marker) -> opusFailures.merge("sent", 1, Integer::sum));
        for (int t = 0; t < 80; t++) {
            long now = t * TICK;
            a.sendFrame(t, now);
            b.sendFrame(t, now);
            byte[] garbage = new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff};
            for (int i = 0; i < 100; i++) {
                opus.offer(new RtpHeader(false, false, 0, false, 111, (t * 100 + i) & 0xffff, t * 960L, 9, 12, 3),
                        garbage, now);
                opus.offer(new RtpHeader(false, false, 0, false, 0, i, 0, 9, 12, 3), garbage, now);
            }
            mixer.tick(now);
        }
        assertTrue(a.levelDb(700) > -20, "a still hears b");
        assertTrue(opus.dropped() > 0, "the flood was cut");
        assertEquals(80, opusFailures.get("sent"), "the flooding member still gets its mix");
        mixer.close();
    }

    /** RFC 6464 §3: level in -dBov, 0 to 127. */
    @Test
    void audioLevelsInRfc6464Units() {
        short[] square = new short[960];
        short[] sine = new short[960];
        for (int i = 0; i < 960; i++) {
            square[i] = (short) (i % 20 < 10 ? Short.MAX_VALUE : -Short.MAX_VALUE);
            sine[i] = (short) Math.round(0.5 * Short.MAX_VALUE * Math.sin(2 * Math.PI * i / 48));
        }
        assertEquals(0, AudioLevel.of(square));
        assertEquals(9, AudioLevel.of(sine), "0.5 FS sine: rms -9.03 dBov");
        assertEquals(127, AudioLevel.of(new short[960]));
        assertEquals(127, AudioLevel.of(new short[0]));
    }

    @Test
    void aLeavingMemberIsRemovedAndItsCodecsClosed() {
        AudioMixer mixer = new AudioMixer("room");
        List<AudioCodec> created = new ArrayList<>();
        Member member = mixer.join("x", 111, () -> {
            AudioCodec codec = AudioCodecs.create("opus", 48000).orElseThrow();
            created.add(codec);
            return codec;
        }, (payload, ts, marker) -> { });
        mixer.tick(0);
        member.leave();
        mixer.tick(TICK);
        assertTrue(mixer.members().isEmpty());
        for (AudioCodec codec : created) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> codec.encode(new short[960]), "closed");
        }
    }

    /** RFC 6464: a level the sender states in its packets is used instead of measuring the decoded frame. */
    @Test
    void aStatedLevelIsUsedInsteadOfTheMeasuredOne_rfc6464() {
        AudioMixer mixer = new AudioMixer("room");
        Member member = mixer.join("x", 0, () -> G711.PCMU, (payload, ts, marker) -> { });
        byte[] loud = G711.PCMU.encode(new Peer("x", 400, 0.5, false).frame(0));
        for (int t = 0; t < 10; t++) {
            member.offer(new RtpHeader(false, false, 0, t == 0, 0, t, t * 160L, 1, 12, 160), loud, t * TICK, 90);
            mixer.tick(t * TICK);
        }
        assertEquals(90, member.level(), "the stated -90 dBov, not the tone's measured -9");
        for (int t = 10; t < 20; t++) {
            member.offer(new RtpHeader(false, false, 0, false, 0, t, t * 160L, 1, 12, 160), loud, t * TICK);
            mixer.tick(t * TICK);
        }
        assertTrue(member.level() < 15, "measured when nothing is stated: " + member.level());
    }

    /** A member that only listens, with a codec of its own; what it hears is decoded at the codec's rate. */
    private static final class Listener {
        final AudioCodec decoder;
        final List<byte[]> received = new ArrayList<>();

        Listener(AudioMixer mixer, String encoding, int clockRate) {
            decoder = AudioCodecs.create(encoding, clockRate).orElseThrow();
            mixer.join("listener " + encoding, 0, () -> AudioCodecs.create(encoding, clockRate).orElseThrow(),
                    (payload, ts, marker) -> received.add(payload));
        }

        /** The last {@code seconds} heard (whole seconds, so that integer-Hz tones fit a whole number of cycles). */
        short[] lastSeconds(int seconds) {
            int rate = decoder.sampleRate();
            List<byte[]> tail = received.subList(received.size() - 50 * seconds, received.size());
            short[] all = new short[seconds * rate];
            for (int i = 0; i < tail.size(); i++) {
                System.arraycopy(decoder.decode(tail.get(i)), 0, all, i * rate / 50, rate / 50);
            }
            return all;
        }
    }

    /** What a listener's recording shows: level, peak, clipped samples and how clean the talkers' tones are. */
    private record Heard(double rmsDbfs, double peakDbfs, double clippedPercent, double sinadDb, double[] toneDbfs) {

        /** Samples this close to full scale count as clipped (PCMU's largest value is 32124). */
        static final int CLIPPED = 32_000;

        static Heard of(short[] signal, int rate, double... tones) {
            double power = 0;
            int peak = 0;
            int clipped = 0;
            for (short s : signal) {
                power += (double) s * s;
                peak = Math.max(peak, Math.abs(s));
                clipped += Math.abs(s) >= CLIPPED ? 1 : 0;
            }
            // The tones are whole numbers of cycles in the window, so their sines and cosines are orthogonal: the
            // projection on each is its fit, and what no tone explains is noise and distortion (SINAD).
            double[] residual = new double[signal.length];
            for (int n = 0; n < signal.length; n++) {
                residual[n] = signal[n];
            }
            double[] levels = new double[tones.length];
            double tonePower = 0;
            for (int k = 0; k < tones.length; k++) {
                double a = 0;
                double b = 0;
                for (int n = 0; n < signal.length; n++) {
                    a += signal[n] * Math.sin(2 * Math.PI * tones[k] * n / rate);
                    b += signal[n] * Math.cos(2 * Math.PI * tones[k] * n / rate);
                }
                a *= 2.0 / signal.length;
                b *= 2.0 / signal.length;
                levels[k] = 20 * Math.log10(Math.hypot(a, b) / Short.MAX_VALUE);
                for (int n = 0; n < signal.length; n++) {
                    double phase = 2 * Math.PI * tones[k] * n / rate;
                    double fit = a * Math.sin(phase) + b * Math.cos(phase);
                    residual[n] -= fit;
                    tonePower += fit * fit;
                }
            }
            double noise = 0;
            for (double r : residual) {
                noise += r * r;
            }
            return new Heard(10 * Math.log10(power / signal.length / ((double) Short.MAX_VALUE * Short.MAX_VALUE)),
                    20 * Math.log10(peak / (double) Short.MAX_VALUE), 100.0 * clipped / signal.length,
                    10 * Math.log10(tonePower / noise), levels);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "RMS %.1f dBFS, peak %.1f dBFS, %.2f %% clipped, SINAD %.1f dB,"
                    + " tones %s dBFS", rmsDbfs, peakDbfs, clippedPercent, sinadDb,
                    java.util.Arrays.stream(toneDbfs).mapToObj(t -> String.format(java.util.Locale.ROOT, "%.1f", t))
                            .toList());
        }
    }

    /** Talkers at -8 dBFS (a sine of 0.4 of full scale peak), as the phones of issue 11 sent. */
    private static final double MINUS_8_DBFS = 0.4;

    /** Each of {@code talkers} PCMU tones at -8 dBFS, heard by a silent PCMU, G.722 and Opus listener. */
    private static Map<String, Heard> roomWithTalkers(double... tones) {
        AudioMixer mixer = new AudioMixer("room", 0);
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < tones.length; i++) {
            peers.add(join(mixer, "talker" + i, tones[i], MINUS_8_DBFS));
        }
        Map<String, Listener> listeners = new java.util.LinkedHashMap<>();
        listeners.put("PCMU", new Listener(mixer, "PCMU", 8000));
        listeners.put("G722", new Listener(mixer, "G722", 8000));
        listeners.put("opus", new Listener(mixer, "opus", 48000));
        run(mixer, peers, 200);
        Map<String, Heard> heard = new java.util.LinkedHashMap<>();
        listeners.forEach((name, listener) -> heard.put(name,
                Heard.of(listener.lastSeconds(2), listener.decoder.sampleRate(), tones)));
        mixer.close();
        heard.forEach((name, h) -> System.out.println(tones.length + " talkers, " + name + " listener: " + h));
        return heard;
    }

    /**
     * Issue 11: one talker at -8 dBFS arrives at -8 dBFS (the limiter leaves it alone), clean, on every codec.
     */
    @Test
    void aSingleTalkerArrivesAtItsLevel() {
        roomWithTalkers(700).forEach((codec, heard) -> {
            assertEquals(-8, heard.toneDbfs()[0], 0.5, codec + ": " + heard);
            assertEquals(0, heard.clippedPercent(), codec + ": " + heard);
            assertTrue(heard.sinadDb() > (codec.equals("PCMU") ? 30 : 12), codec + ": " + heard);
        });
    }

    /**
     * Issue 11: three and five talkers at -8 dBFS (sums up to 1.2 and 2 times full scale) never clip a listener's
     * mix: no sample near full scale, every talker still heard, and the tones as clean as a single talker's on the
     * same codec (hard clipping put ~5 % of samples at full scale and its harmonics into the mix).
     */
    @Test
    void threeAndFiveLoudTalkersNeverClipAListener() {
        Map<String, Heard> single = roomWithTalkers(700);
        for (double[] tones : List.of(new double[] {400, 700, 1100}, new double[] {400, 700, 1100, 1300, 1700})) {
            roomWithTalkers(tones).forEach((codec, heard) -> {
                String what = tones.length + " talkers, " + codec + ": " + heard;
                assertEquals(0, heard.clippedPercent(), what);
                assertTrue(heard.peakDbfs() < -0.3, what);
                assertTrue(heard.sinadDb() > single.get(codec).sinadDb() - 3,
                        what + ", one talker: " + single.get(codec));
                for (double level : heard.toneDbfs()) {
                    assertTrue(level > -20, what);
                }
            });
        }
    }

    /**
     * Issue 11: a phone that typed a PIN sent RFC 4733 events between its audio packets, in the same sequence space
     * (RFC 4733 §2.1, RFC 3550 §5.1: one SSRC), so its audio stream has gaps in its sequence numbers that are no
     * loss. What the others hear of it afterwards is at its level.
     */
    @Test
    void aTalkerWhoTypedDigitsIsHeardAtItsLevel_rfc3550_s5_1() {
        AudioMixer mixer = new AudioMixer("room");
        Peer talker = join(mixer, "talker", 700, MINUS_8_DBFS);
        Peer listener = join(mixer, "listener", 0, 0);
        for (int t = 0; t < 300; t++) {
            long now = t * TICK;
            talker.sendFrame(t, now);
            if (t >= 50 && t < 100) {
                // a digit's events every 20 ms next to the audio, as baresip sends them
                byte[] event = {4, 10, 0, (byte) 160};
                talker.member.offer(new RtpHeader(false, false, 0, t == 50, 101, talker.sequence++ & 0xffff,
                        50 * 160L, "talker".hashCode() & 0xffffffffL, 12, event.length), event, now);
            }
            mixer.tick(now);
        }
        short[] heard = listener.heard();
        short[] last = java.util.Arrays.copyOfRange(heard, heard.length - 8000, heard.length);
        Heard after = Heard.of(last, 8000, 700);
        System.out.println("after digits: " + after);
        assertEquals(-8, after.toneDbfs()[0], 0.5, after.toString());
    }

    /** PCMU that counts its decodes, stateless (as G.711 is) or saying it is not, so that the mixer decodes at once. */
    private record CountingPcmu(boolean stateless, AtomicInteger decodes) implements AudioCodec {
        @Override
        public String encodingName() {
            return "PCMU";
        }

        @Override
        public int sampleRate() {
            return 8000;
        }

        @Override
        public byte[] encode(short[] pcm) {
            return G711.PCMU.encode(pcm);
        }

        @Override
        public short[] decode(byte[] payload) {
            decodes.incrementAndGet();
            return G711.PCMU.decode(payload);
        }
    }

    /** A talking joiner, isolated as during its welcome, whose G.711 decodes {@code decodes} counts. */
    private static Peer isolatedTalker(AudioMixer mixer, AtomicInteger decodes) {
        Peer talker = new Peer("talker", 440, 0.3, false);
        talker.member = mixer.join("talker", 0, () -> new CountingPcmu(true, decodes),
                (payload, ts, marker) -> talker.received.add(payload));
        talker.member.isolate(true);
        return talker;
    }

    /**
     * Issue 12: a joiner hears its welcome alone and nobody hears it (spec §3.3); with G.711 its audio is not decoded
     * meanwhile, only its last 15 frames once it is connected, before its first frame is mixed.
     */
    @Test
    void anIsolatedMembersAudioIsDecodedOnlyOnceItIsConnected() {
        AudioMixer mixer = new AudioMixer("room");
        AtomicInteger decodes = new AtomicInteger();
        Peer talker = isolatedTalker(mixer, decodes);
        Peer listener = join(mixer, "listener", 0, 0);
        run(mixer, List.of(talker, listener), 100);
        assertEquals(0, decodes.get(), "decoded while isolated");
        talker.member.isolate(false);
        run(mixer, List.of(talker, listener), 1);
        assertEquals(AudioMixer.HANGOVER_FRAMES + 1, decodes.get());
    }

    /**
     * Issue 12: a joiner's audio stops at the end of its call, while it still hears its welcome alone; the ticks with
     * nothing to play after its last frame are recorded, not a reason to decode what it said, so a joiner that talks
     * and leaves before it is connected is never decoded at all. Once connected, its deferred frames are decoded.
     */
    @Test
    void anIsolatedMemberWhoseAudioStopsIsNotDecodedUntilItIsConnected() {
        AudioMixer mixer = new AudioMixer("room");
        AtomicInteger decodes = new AtomicInteger();
        Peer talker = isolatedTalker(mixer, decodes);
        Peer listener = join(mixer, "listener", 0, 0);
        run(mixer, List.of(talker, listener), 50);
        for (int t = 50; t < 100; t++) {
            listener.sendFrame(t, t * TICK); // silent: sends nothing
            mixer.tick(t * TICK);
        }
        assertEquals(0, decodes.get(), "decoded while isolated, after its audio stopped");
        assertEquals(100, talker.received.size(), "the isolated member heard every tick");
        talker.member.isolate(false);
        mixer.tick(100 * TICK);
        assertEquals(AudioMixer.HANGOVER_FRAMES, decodes.get(), "its last frames, once connected");
    }

    /**
     * Issue 12: a joiner's packets wait in the ring they were handed over in while it hears its welcome alone, not taken
     * into its jitter buffer tick by tick; at most {@value Member#MAX_QUEUED} wait (then it catches up), and
     * once it is connected every one is taken in, before its first frame is mixed.
     */
    @Test
    void anIsolatedMembersPacketsWaitUntilItIsConnected() {
        AudioMixer mixer = new AudioMixer("room");
        AtomicInteger decodes = new AtomicInteger();
        Peer talker = isolatedTalker(mixer, decodes);
        Peer listener = join(mixer, "listener", 0, 0);
        run(mixer, List.of(talker, listener), 50);
        assertEquals(50, talker.member.waiting(), "packets taken in while isolated");
        assertEquals(50, talker.received.size(), "the isolated member heard every tick");
        for (int t = 50; t < 200; t++) {
            talker.sendFrame(t, t * TICK);
            mixer.tick(t * TICK);
            assertTrue(talker.member.waiting() <= Member.MAX_QUEUED, "tick " + t);
        }
        talker.member.isolate(false);
        mixer.tick(200 * TICK);
        assertEquals(0, talker.member.waiting(), "packets left out once connected");
        assertEquals(AudioMixer.HANGOVER_FRAMES + 1, decodes.get(), "its last frames and this tick's, once connected");
    }

    /**
     * What the room hears of a member connected after its welcome, and what it hears itself, is the same to the byte
     * whether its audio was decoded while it was isolated or only once connected: its level, speech hangover and loss
     * concealment (lost packets, RFC 3550 §5.1) carry on exactly. Isolations shorter and longer than the 15 frames kept,
     * a hold meanwhile, losses around the connection, pauses in the talk (a new talk spurt after each, RFC 3551 §4.1),
     * talk and near-silence at random; isolations longer than the packets and ticks its packets may wait (issue 12), and
     * floods of packets out of order and of another payload type (telephone events) more than a tick takes in.
     */
    @Test
    void anIsolatedMemberIsHeardTheSameWhenItsAudioIsDecodedLater_rfc3550_s5_1() {
        for (int seed = 0; seed < 40; seed++) {
            for (int isolation : new int[] {1, 3, 14, 15, 16, 17, 40, 70, 150}) {
                List<byte[]> later = connectedAfter(isolation, seed, true);
                List<byte[]> atOnce = connectedAfter(isolation, seed, false);
                assertEquals(atOnce.size(), later.size());
                for (int i = 0; i < atOnce.size(); i++) {
                    assertArrayEquals(atOnce.get(i), later.get(i),
                            "seed " + seed + ", isolated " + isolation + " ticks: packet " + i + " differs");
                }
            }
        }
    }

    /** Every packet the listener and the talker heard, the talker isolated for its first {@code isolation} ticks. */
    private static List<byte[]> connectedAfter(int isolation, int seed, boolean statelessCodec) {
        Random random = new Random(seed);
        AudioMixer mixer = new AudioMixer("room");
        Peer talker = new Peer("talker", 440, 0.3, false);
        talker.member = mixer.join("talker", 0, () -> new CountingPcmu(statelessCodec, new AtomicInteger()),
                (payload, ts, marker) -> talker.received.add(payload));
        Peer listener = join(mixer, "listener", 0, 0);
        talker.member.isolate(true);
        int holdAt = seed % 3 == 0 ? random.nextInt(isolation + 5) : -1;
        int sequence = 0;
        int pausedUntil = -1;
        boolean spurt = true;
        for (int t = 0; t < isolation + 60; t++) {
            long now = t * TICK;
            talker.member.isolate(t < isolation);
            talker.member.hold(t >= holdAt && t < holdAt + 3);
            if (t >= pausedUntil && random.nextInt(12) == 0) { // a pause of up to 30 ticks: the sender sends nothing
                pausedUntil = t + 1 + random.nextInt(30);
                spurt = true;
            }
            int chance = random.nextInt(10);
            if (t >= pausedUntil && chance > 0) { // one packet in ten lost
                short[] pcm = talker.frame(t);
                if (chance < 4) {
                    for (int i = 0; i < pcm.length; i++) {
                        pcm[i] /= 300; // about -63 dBov: audible through PCMU, yet not speech (55)
                    }
                }
                byte[] payload = G711.PCMU.encode(pcm);
                talker.member.offer(new RtpHeader(false, false, 0, spurt, 0, sequence & 0xffff, t * 160L, 1, 12,
                        payload.length), payload, now);
                spurt = false;
            }
            if (seed % 2 == 1 && random.nextInt(15) == 0) { // a flood of 70, out of order, events among them
                for (int i = 0; i < 70; i++) {
                    int type = random.nextInt(4) == 0 ? 101 : 0;
                    byte[] payload = G711.PCMU.encode(talker.frame(t));
                    talker.member.offer(new RtpHeader(false, false, 0, false, type,
                            (sequence - 5 + random.nextInt(10)) & 0xffff, t * 160L, 1, 12, payload.length), payload, now);
                }
            }
            if (t >= pausedUntil) {
                sequence++;
            }
            mixer.tick(now);
        }
        List<byte[]> heard = new ArrayList<>(listener.received);
        heard.addAll(talker.received);
        return heard;
    }
}
