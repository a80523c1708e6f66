package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.SineWave;
import org.sylkserver.media.codec.ToneDetector;
import org.sylkserver.media.mixer.AudioMixer;
import org.sylkserver.media.mixer.Member;
import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.recording.Recorder;
import org.sylkserver.media.webrtc.BrowserPeer;
import org.sylkserver.media.webrtc.WebRtcTransport;

/**
 * A video room's audio mix (issue 13): publishers' Opus decoded into the room's mixer, each phone hearing the others
 * and not itself (mix-minus), the recording hearing everyone. Tones of known frequencies, whole cycles in 10 ms, are
 * sent as Opus (RFC 7587) on a simulated 20 ms clock; what each listener gets is decoded and measured: the level of
 * every tone, and how much of the signal the expected tones do not explain (SINAD).
 */
class RoomMixTest {

    private static final long TICK = 20_000_000L;
    private static final int OPUS_PT = 111;
    /** Peak 0.15 of full scale (−16.5 dBFS): three talkers sum below the limiter's knee, so levels stay as sent. */
    private static final double AMPLITUDE = 0.15;
    private static final double LEVEL_DB = 20 * Math.log10(AMPLITUDE);
    /** Frames a listener's decoder and the jitter buffers take to settle; the rest (2 s) is measured. */
    private static final int WARM_UP = 50;
    private static final int TICKS = WARM_UP + 100;

    private static AudioCodec opus() {
        return AudioCodecs.create("opus", 48_000).orElseThrow();
    }

    /** Someone in the room: sends an Opus tone (frequency 0 for none) and decodes what it hears, if it hears. */
    private static final class Peer {
        final String id;
        final double frequency;
        final short[] tone;
        final AudioCodec encoder = opus();
        final AudioCodec decoder = opus();
        final List<short[]> heard = new ArrayList<>();
        Member member;
        int sequence;

        Peer(String id, double frequency) {
            this.id = id;
            this.frequency = frequency;
            this.tone = SineWave.tone(frequency, 48_000, TICKS * 0.02, AMPLITUDE);
        }

        void send(int frame, long now) {
            if (frequency == 0) {
                return;
            }
            byte[] payload = encoder.encode(Arrays.copyOfRange(tone, frame * 960, frame * 960 + 960));
            member.offer(new RtpHeader(false, false, 0, frame == 0, OPUS_PT, sequence++ & 0xffff, frame * 960L,
                    id.hashCode() & 0xffffffffL, 12, payload.length), payload, now);
        }

        Member.Output output() {
            return (payload, increment, marker) -> {
                assertEquals(960, increment, "20 ms at the Opus RTP clock (RFC 7587 §4.1)");
                heard.add(decoder.decode(payload));
            };
        }

        /** What it heard after the warm-up. */
        short[] heard() {
            List<short[]> tail = heard.subList(WARM_UP, heard.size());
            short[] all = new short[tail.size() * 960];
            for (int i = 0; i < tail.size(); i++) {
                System.arraycopy(tail.get(i), 0, all, i * 960, 960);
            }
            return all;
        }

        double levelDb(double f) {
            return ToneDetector.levelDb(heard(), 48_000, f);
        }
    }

    /**
     * One second of what a listener heard in real time, from half a second after {@code frequency} first reached it
     * (the sender's 3 s tone is then playing; a loaded machine delays its start, not this window's place in it).
     */
    private static short[] second(List<short[]> frames, int rate, double frequency) {
        int first = 0;
        while (first < frames.size() && ToneDetector.levelDb(frames.get(first), rate, frequency) < LEVEL_DB - 6) {
            first++;
        }
        assertTrue(first + 75 <= frames.size(), "the tone reached the listener at frame " + first + " of "
                + frames.size() + ": " + frames.stream().map(f -> String.format("%.0f", ToneDetector.levelDb(f, rate,
                frequency))).toList());
        int size = rate / 50;
        short[] signal = new short[50 * size];
        for (int i = 0; i < 50; i++) {
            System.arraycopy(frames.get(first + 25 + i), 0, signal, i * size, size);
        }
        return signal;
    }

    /**
     * The median SINAD of the ten 100 ms blocks of a real-time second: how clean the tone is where the timing let it
     * through (on a loaded machine a late tick may conceal a frame now and then, which the simulated clock of
     * {@link #phonesHearTheOthersNotThemselvesAndTheListenerHearsEveryone} rules out).
     */
    private static double medianSinad(short[] second, int rate, double frequency) {
        int block = rate / 10;
        double[] sinads = new double[10];
        for (int i = 0; i < 10; i++) {
            sinads[i] = ToneDetector.tonesSinadDb(Arrays.copyOfRange(second, i * block, (i + 1) * block), rate,
                    frequency);
        }
        Arrays.sort(sinads);
        return (sinads[4] + sinads[5]) / 2;
    }

    /**
     * Whether {@code frames} (decoded in real time, PCMU at 8 kHz or Opus at 48 kHz) hold the tone at
     * {@code frequency} and 100 frames (two seconds) after it, which {@link #second} measures.
     */
    private static boolean heardFor(List<?> frames, double frequency) {
        List<short[]> decoded = new ArrayList<>();
        synchronized (frames) {
            for (Object frame : frames) {
                decoded.add(frame instanceof byte[] pcmu ? org.sylkserver.media.codec.G711.PCMU.decode(pcmu)
                        : (short[]) frame);
            }
        }
        for (int i = 0; i < decoded.size(); i++) {
            short[] frame = decoded.get(i);
            if (ToneDetector.levelDb(frame, frame.length * 50, frequency) >= LEVEL_DB - 6) {
                return decoded.size() - i >= 100;
            }
        }
        return false;
    }

    /** The level of {@code frequency} in each 20 ms frame of {@code signal}, for a failure's message. */
    private static String levels(short[] signal, int rate, double frequency) {
        StringBuilder levels = new StringBuilder();
        for (int i = 0; i + rate / 50 <= signal.length; i += rate / 50) {
            levels.append(String.format(" %.0f", ToneDetector.levelDb(Arrays.copyOfRange(signal, i, i + rate / 50),
                    rate, frequency)));
        }
        return levels.toString();
    }

    /** {@link #TICKS} ticks of simulated time: {@code beforeTick}, then every peer's frame, then the mixer's tick. */
    private static void play(AudioMixer mixer, List<Peer> peers, java.util.function.IntConsumer beforeTick) {
        for (int t = 0; t < TICKS; t++) {
            beforeTick.accept(t);
            long now = t * TICK;
            for (Peer peer : peers) {
                peer.send(t, now);
            }
            mixer.tick(now);
        }
    }

    /**
     * Two phones (400 and 1000 Hz) and a browser publisher (700 Hz) in one room, and a listener that never talks (the
     * recording): each phone hears the two others at the level they were sent and not itself; the listener hears all
     * three; the browser publisher hears nothing (it has the SFU's feeds) and costs no encoder.
     */
    @Test
    void phonesHearTheOthersNotThemselvesAndTheListenerHearsEveryone() {
        AudioMixer mixer = new AudioMixer("room@videoconference.example.com");
        RoomMix mix = new RoomMix(mixer, AudioMixer::close);
        Peer phone1 = new Peer("phone1", 400);
        Peer phone2 = new Peer("phone2", 1000);
        Peer browser = new Peer("browser", 700);
        Peer recording = new Peer("recording", 0);
        phone1.member = mix.listener(phone1.id, OPUS_PT, RoomMixTest::opus, phone1.output());
        phone2.member = mix.listener(phone2.id, OPUS_PT, RoomMixTest::opus, phone2.output());
        browser.member = mix.talker(browser.id, OPUS_PT);
        recording.member = mix.listener(recording.id, OPUS_PT, RoomMixTest::opus, recording.output());
        play(mixer, List.of(phone1, phone2, browser, recording), t -> { });
        mix.close();

        for (Peer phone : List.of(phone1, phone2)) {
            Peer other = phone == phone1 ? phone2 : phone1;
            assertEquals(TICKS, phone.heard.size(), phone.id + " gets a frame every 20 ms");
            assertEquals(LEVEL_DB, phone.levelDb(other.frequency), 1, phone.id + " hears " + other.id);
            assertEquals(LEVEL_DB, phone.levelDb(browser.frequency), 1, phone.id + " hears the browser");
            assertTrue(phone.levelDb(phone.frequency) < -50, phone.id + " hears itself at "
                    + phone.levelDb(phone.frequency) + " dBFS");
            double sinad = ToneDetector.tonesSinadDb(phone.heard(), 48_000, other.frequency, browser.frequency);
            assertTrue(sinad > 15, phone.id + ": SINAD " + sinad + " dB (its own tone left in would lower it)");
        }
        for (Peer talker : List.of(phone1, phone2, browser)) {
            assertEquals(LEVEL_DB, recording.levelDb(talker.frequency), 1, "the listener hears " + talker.id);
        }
        double sinad = ToneDetector.tonesSinadDb(recording.heard(), 48_000, 400, 700, 1000);
        assertTrue(sinad > 15, "the listener's SINAD " + sinad + " dB");
        assertTrue(browser.heard.isEmpty(), "a browser publisher hears nothing from the mix");
        assertTrue(browser.member.deaf());
        // per tick: one frame each for the two talking phones, one shared by the listener; none for the browser
        assertTrue(mixer.encodes() <= 3L * TICKS, mixer.encodes() + " encodes in " + TICKS + " ticks");
    }

    /**
     * A room destroyed while its recording was being set up: the closed mix starts no recording, so no file is left
     * open with nobody to close it.
     */
    @Test
    void aClosedMixRecordsNothing(@TempDir Path recordings) throws IOException {
        AudioMixer mixer = new AudioMixer("room");
        RoomMix mix = new RoomMix(mixer, AudioMixer::close);
        mix.close();
        try (Recorder recorder = new Recorder(new Recorder.Limits(100, 8, 1 << 16, 1 << 20, Duration.ofHours(1)), 1)) {
            mix.record(recorder, recordings, "mix", List.of());
        }
        assertEquals(0, mix.members(), "nothing joined the closed mix");
        try (var files = Files.list(recordings)) {
            assertEquals(0, files.count(), "no recording file");
        }
    }

    /** A phone that leaves is no longer heard; what it left behind is the others. */
    @Test
    void aPhoneThatLeftIsNoLongerHeard() {
        AudioMixer mixer = new AudioMixer("room");
        RoomMix mix = new RoomMix(mixer, AudioMixer::close);
        Peer phone = new Peer("phone", 400);
        Peer browser = new Peer("browser", 1000);
        Peer recording = new Peer("recording", 0);
        phone.member = mix.listener(phone.id, OPUS_PT, RoomMixTest::opus, phone.output());
        browser.member = mix.talker(browser.id, OPUS_PT);
        recording.member = mix.listener(recording.id, OPUS_PT, RoomMixTest::opus, recording.output());
        play(mixer, List.of(phone, browser), t -> {
            if (t == 10) {
                phone.member.leave();
            }
        });
        assertEquals(3 - 1, mix.members(), "the phone is out of the mixer");
        assertTrue(recording.levelDb(400) < -50, "the phone is not heard after it left");
        assertEquals(LEVEL_DB, recording.levelDb(1000), 1);
        mix.close();
    }

    /**
     * A browser publisher over real ICE and DTLS-SRTP (spec §4.6.2) sends an Opus tone; the publisher's audio reaches
     * the room's mix as its feeds get it, decoded on the mixer clock's thread in real time.
     */
    @Test
    void aPublishersOpusReachesTheMix(@TempDir Path recordings) throws Exception {
        MediaEngine engine = new MediaEngine(InetAddress.getLoopbackAddress(), 43340, 43360, Duration.ZERO,
                RtpPolicy.OPEN);
        SfuSettings settings = new SfuSettings("vp8", true, false, Duration.ofMillis(300), 64);
        Peer listener = new Peer("listener", 0);
        try (MixerClock clock = new MixerClock(1); BrowserPeer alice = new BrowserPeer(false)) {
            RoomMix mix = new RoomMix("room", clock);
            CountDownLatch up = new CountDownLatch(1);
            Publisher publisher = Publisher.fromOffer(engine, "alice", alice.offer(false), settings,
                    new WebRtcTransport.Listener() {
                        @Override
                        public void connected() {
                            up.countDown();
                        }

                        @Override
                        public void failed(String reason) {
                        }
                    });
            alice.connect(publisher.answer(), Duration.ofSeconds(5));
            assertTrue(up.await(5, TimeUnit.SECONDS), "media up");
            publisher.mixInto(mix);
            List<short[]> heard = java.util.Collections.synchronizedList(listener.heard);
            mix.listener("listener", OPUS_PT, RoomMixTest::opus, (payload, increment, marker) ->
                    heard.add(listener.decoder.decode(payload)));
            short[] tone = SineWave.tone(1000, 48_000, 3, AMPLITUDE);
            // two seconds of silence at a steady pace first: the first packets set up the SRTP context and the first
            // decoding warms up the receiving path, which stalled the I/O thread for up to a second at times (at load
            // 6-7), inside the second the test measures when the tone followed a single packet after 500 ms
            long warmUp = System.nanoTime();
            byte[] silence = listener.encoder.encode(new short[960]);
            for (int frame = 0; frame < 100; frame++) {
                alice.sendRtp(BrowserPeer.OPUS, 900 + frame, BrowserPeer.AUDIO_SSRC, silence);
                long wait = warmUp + (frame + 1) * TICK - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            long start = System.nanoTime();
            for (int frame = 0; frame < 150; frame++) {
                byte[] payload = listener.encoder.encode(Arrays.copyOfRange(tone, frame * 960, frame * 960 + 960));
                alice.sendRtp(BrowserPeer.OPUS, 1000 + frame, BrowserPeer.AUDIO_SSRC, payload);
                long due = start + (frame + 1) * TICK;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            publisher.close();
            mix.close();
            short[] all;
            synchronized (heard) {
                all = second(heard, 48_000, 1000);
            }
            assertEquals(LEVEL_DB, ToneDetector.levelDb(all, 48_000, 1000), 1.5,
                    () -> "the publisher's tone in the mix: " + levels(all, 48_000, 1000));
            double sinad = medianSinad(all, 48_000, 1000);
            assertTrue(sinad > 15, "SINAD " + sinad + " dB");
        } finally {
            engine.close();
        }
    }

    /**
     * A SIP phone in a room (issue 13) over a real RTP endpoint, sending a PCMU tone at 400 Hz: it hears a browser
     * publisher's 1000 Hz tone in PCMU at its level and not itself, and its voice reaches a browser's feed of its
     * {@link Publisher#local} publisher (real ICE and DTLS-SRTP) as Opus at the level it was sent.
     */
    @Test
    void aPhoneHearsTheRoomAndBrowsersHearThePhone() throws Exception {
        MediaEngine engine = new MediaEngine(InetAddress.getLoopbackAddress(), 43380, 43400, Duration.ZERO,
                RtpPolicy.OPEN);
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(300), 64);
        try (MixerClock clock = new MixerClock(1); BrowserPeer bob = new BrowserPeer(false);
             java.net.DatagramSocket phone = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            RoomMix mix = new RoomMix("room", clock);
            RtpAudioEndpoint endpoint = engine.openAudioEndpoint(e -> { });
            java.net.InetSocketAddress phoneAddress = new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
                    phone.getLocalPort());
            endpoint.admit(phoneAddress);
            endpoint.remote(phoneAddress, true, 8000);
            Publisher voice = Publisher.local(engine, "phone", settings);
            RoomMix.Phone inRoom = mix.phone("phone", endpoint, 0,
                    () -> AudioCodecs.create("PCMU", 8000).orElseThrow(), voice);

            CountDownLatch up = new CountDownLatch(1);
            Feed feed = voice.subscribe("bob-feed", new WebRtcTransport.Listener() {
                @Override
                public void connected() {
                    up.countDown();
                }

                @Override
                public void failed(String reason) {
                }
            });
            assertEquals(1, org.sylkserver.protocols.sdp.SessionDescription.parse(feed.offer()).media().size(),
                    "an audio-only feed");
            feed.answer(bob.answer(feed.offer()));
            bob.connect(feed.offer(), Duration.ofSeconds(5));
            assertTrue(up.await(5, TimeUnit.SECONDS), "feed up");

            Peer browser = new Peer("browser", 1000);
            browser.member = mix.talker("browser", OPUS_PT);
            // both send until each listener has heard the other's tone for two seconds (a loaded machine delays its
            // arrival by seconds at times), 30 s at most
            int maxFrames = 1500;
            short[] phoneTone = SineWave.tone(400, 8000, maxFrames * 0.02, AMPLITUDE);
            short[] browserTone = SineWave.tone(1000, 48_000, maxFrames * 0.02, AMPLITUDE);
            List<byte[]> phoneHeard = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread receiver = new Thread(() -> {
                byte[] buffer = new byte[1500];
                try {
                    while (true) {
                        java.net.DatagramPacket datagram = new java.net.DatagramPacket(buffer, buffer.length);
                        phone.receive(datagram);
                        if (datagram.getLength() > 12 && (buffer[1] & 0x7f) == 0) {
                            phoneHeard.add(Arrays.copyOfRange(buffer, 12, datagram.getLength()));
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            receiver.start();
            List<short[]> bobHeard = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread feedReader = new Thread(() -> {
                AudioCodec decoder = opus();
                try {
                    while (!phone.isClosed()) {
                        byte[] rtp = bob.nextRtp(Duration.ofMillis(200));
                        if (rtp != null) {
                            bobHeard.add(decoder.decode(Arrays.copyOfRange(rtp, 12, rtp.length)));
                        }
                    }
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                }
            });
            feedReader.start();
            long start = System.nanoTime();
            for (int frame = 0; frame < maxFrames && !(heardFor(phoneHeard, 1000) && heardFor(bobHeard, 400));
                 frame++) {
                byte[] pcmu = org.sylkserver.media.codec.G711.PCMU.encode(
                        Arrays.copyOfRange(phoneTone, frame * 160, frame * 160 + 160));
                byte[] rtp = java.nio.ByteBuffer.allocate(12 + pcmu.length).put((byte) 0x80).put((byte) 0)
                        .putShort((short) frame).putInt(frame * 160).putInt(0x5050).put(pcmu).array();
                phone.send(new java.net.DatagramPacket(rtp, rtp.length, new java.net.InetSocketAddress(
                        InetAddress.getLoopbackAddress(), endpoint.port())));
                byte[] opus = browser.encoder.encode(Arrays.copyOfRange(browserTone, frame * 960, frame * 960 + 960));
                browser.member.offer(new RtpHeader(false, false, 0, frame == 0, OPUS_PT, frame, frame * 960L, 0xb0b,
                        12, opus.length), opus, System.nanoTime());
                long wait = start + (frame + 1) * TICK - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            inRoom.leave();
            voice.close();
            mix.close();
            endpoint.close();
            phone.close();
            feedReader.join(10_000);

            short[] phoneSignal = second(phoneHeard.stream().map(org.sylkserver.media.codec.G711.PCMU::decode)
                    .toList(), 8000, 1000);
            assertEquals(LEVEL_DB, ToneDetector.levelDb(phoneSignal, 8000, 1000), 3,
                    () -> "the phone hears the browser: " + levels(phoneSignal, 8000, 1000));
            assertTrue(ToneDetector.levelDb(phoneSignal, 8000, 400) < -45, "the phone does not hear itself");
            double phoneSinad = medianSinad(phoneSignal, 8000, 1000);
            assertTrue(phoneSinad >= 20, "the phone's SINAD " + phoneSinad + " dB");

            short[] bobSignal;
            synchronized (bobHeard) {
                bobSignal = second(bobHeard, 48_000, 400);
            }
            assertEquals(LEVEL_DB, ToneDetector.levelDb(bobSignal, 48_000, 400), 3,
                    () -> "the browser hears the phone: " + levels(bobSignal, 48_000, 400));
            assertTrue(ToneDetector.levelDb(bobSignal, 48_000, 1000) < -45, "and only the phone, on its feed");
            double bobSinad = medianSinad(bobSignal, 48_000, 400);
            assertTrue(bobSinad >= 20, "the feed's SINAD " + bobSinad + " dB");
        } finally {
            engine.close();
        }
    }
}
