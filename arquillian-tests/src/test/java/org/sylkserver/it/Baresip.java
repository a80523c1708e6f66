package org.sylkserver.it;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * A real SIP user agent for the end-to-end tests: Debian's {@code baresip}, configured in a folder of the test's own,
 * sending a sine tone from a WAV file (module {@code aufile}) and recording what it hears (module {@code sndfile}, which
 * writes the decoded stream to {@code *-dec.wav}). It has no sound card: the player is an {@code aubridge} device
 * nobody reads. Commands (the {@code menu} module's long form, e.g. {@code /hold}) are typed on its standard input.
 */
final class Baresip implements AutoCloseable {

    /** Audio codecs as baresip names them in an account's {@code audio_codecs}, with the rate and channels its
     * {@code aufile} source must match. */
    enum Codec {
        PCMU("PCMU/8000/1", 8000, 1),
        PCMA("PCMA/8000/1", 8000, 1),
        G722("G722/16000/1", 16000, 1),
        OPUS("opus/48000/2", 48000, 2);

        final String name;
        final int sampleRate;
        final int channels;

        Codec(String name, int sampleRate, int channels) {
            this.name = name;
            this.sampleRate = sampleRate;
            this.channels = channels;
        }
    }

    /** What the recording is analysed as: mono samples at the codec's rate. */
    record Recording(short[] samples, int sampleRate) {
        double seconds() {
            return samples.length / (double) sampleRate;
        }

        /** {@code length} seconds of the recording from {@code fromSeconds} on (clamped to the recording). */
        short[] window(double fromSeconds, double length) {
            int from = (int) Math.max(0, Math.min(samples.length, Math.round(fromSeconds * sampleRate)));
            int to = (int) Math.min(samples.length, from + Math.round(length * sampleRate));
            return Arrays.copyOfRange(samples, from, to);
        }

        /** The samples after {@code skipSeconds}, to leave out the start of the call (codec and jitter settling). */
        short[] after(double skipSeconds) {
            int from = (int) Math.min(samples.length, Math.round(skipSeconds * sampleRate));
            short[] rest = new short[samples.length - from];
            System.arraycopy(samples, from, rest, 0, rest.length);
            return rest;
        }
    }

    /** Each instance gets its own RTP port range, away from the server's (the tests give it 41000-41200). */
    private static final AtomicInteger NEXT_RTP_BASE = new AtomicInteger(30000);
    /** The length of the tone baresip sends; it hangs up when the tone ends. */
    private static final int TONE_SECONDS = 30;

    private final Path dir;
    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final Thread reader;
    private int sipPort;

    private Baresip(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
        this.reader = new Thread(this::readOutput, "baresip-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts baresip with one account using {@code codec}, its source a {@code toneHz} sine tone, and dials
     * {@code target}.
     *
     * @param mediaEncryption an account {@code mediaenc} value such as {@code srtp-mand}, or {@code null} for plain RTP
     */
    static Baresip dial(Path dir, Codec codec, double toneHz, String mediaEncryption, String target) throws IOException {
        return dial(dir, "tester", codec, toneHz, mediaEncryption, target);
    }

    /** As {@link #dial(Path, Codec, double, String, String)}, as user {@code user}@127.0.0.1. */
    static Baresip dial(Path dir, String user, Codec codec, double toneHz, String mediaEncryption, String target)
            throws IOException {
        return start(dir, user, codec, toneHz, mediaEncryption, target, freeSipPort(), TONE_SECONDS);
    }

    /**
     * As {@link #dial(Path, Codec, double, String, String)} with PCMU and a 440 Hz tone, for a call that lasts
     * {@code talk} (baresip hangs up by itself when its source ends, {@value #TONE_SECONDS} s for the others).
     */
    static Baresip dialFor(Path dir, Duration talk, String target) throws IOException {
        return start(dir, "tester", Codec.PCMU, 440, null, target, freeSipPort(), (int) talk.toSeconds() + 30);
    }

    /**
     * As {@link #dial(Path, Codec, double, String, String)} as {@code "<displayName>" <sip:tester@127.0.0.1>}, every
     * request sent through the outbound proxy {@code proxy} ({@code host:port}): for a {@code target} whose host does
     * not resolve (a video room's {@code room@videoconference.<domain>}).
     */
    static Baresip dialVia(Path dir, String displayName, Codec codec, double toneHz, String target, String proxy)
            throws IOException {
        return startAccount(dir, "\"" + displayName + "\" <sip:tester@127.0.0.1>;regint=0;outbound=\"sip:" + proxy
                + "\"", codec, toneHz, null, target, freeSipPort(), TONE_SECONDS);
    }

    /**
     * As {@link #dialVia} as {@code aor} ({@code user@domain}): a user of a domain of ours calling an address whose
     * host does not resolve (an XMPP user's {@code user@xmpp.test}).
     */
    static Baresip dialAs(Path dir, String aor, Codec codec, double toneHz, String target, String proxy)
            throws IOException {
        return startAccount(dir, "<sip:" + aor + ">;regint=0;outbound=\"sip:" + proxy + "\"", codec, toneHz, null,
                target, freeSipPort(), TONE_SECONDS);
    }

    /** Starts baresip as {@code user}@127.0.0.1 answering calls at once; {@link #sipPort()} says where. */
    static Baresip listen(Path dir, String user, Codec codec, double toneHz) throws IOException {
        return start(dir, user, codec, toneHz, null, null, freeSipPort(), TONE_SECONDS);
    }

    /**
     * As {@link #listen(Path, String, Codec, double)}, on SIP port 5060 of 127.0.0.1, for callers that can only
     * name a host (a SIP address of record has no port).
     */
    static Baresip listenOnDefaultPort(Path dir, String user, Codec codec, double toneHz) throws IOException {
        return start(dir, user, codec, toneHz, null, null, 5060, TONE_SECONDS);
    }

    /**
     * As {@link #listenOnDefaultPort(Path, String, Codec, double)}, as {@code aor} ({@code user@domain}): for calls
     * addressed to a domain that resolves to this host (the XMPP gateway's Jingle calls to {@code alice@localhost}).
     */
    static Baresip listenOnDefaultPortAs(Path dir, String aor, Codec codec, double toneHz) throws IOException {
        return listenOnDefaultPortAs(dir, aor, codec, toneHz, null);
    }

    /** As {@link #listenOnDefaultPortAs(Path, String, Codec, double)} with {@code mediaenc} {@code mediaEncryption}. */
    static Baresip listenOnDefaultPortAs(Path dir, String aor, Codec codec, double toneHz, String mediaEncryption)
            throws IOException {
        return startAccount(dir, "<sip:" + aor + ">;regint=0", codec, toneHz, mediaEncryption, null, 5060,
                TONE_SECONDS);
    }

    /**
     * Starts baresip as {@code user}@{@code domain} answering calls at once, registered with digest password
     * {@code password} at the registrar {@code proxy} ({@code host:port}, also its outbound proxy, RFC 3261 §10.2).
     */
    static Baresip registered(Path dir, String user, String domain, String password, String proxy, Codec codec,
                              double toneHz) throws IOException {
        String account = "<sip:" + user + "@" + domain + ">;auth_pass=" + password + ";outbound=\"sip:" + proxy
                + ";lr\";regint=600";
        return startAccount(dir, account, codec, toneHz, null, null, freeSipPort(), TONE_SECONDS);
    }

    /** The UDP port baresip takes SIP requests on. */
    int sipPort() {
        return sipPort;
    }

    private static Baresip start(Path dir, String user, Codec codec, double toneHz, String mediaEncryption,
                                 String target, int sipPort, int toneSeconds) throws IOException {
        return startAccount(dir, "<sip:" + user + "@127.0.0.1>;regint=0", codec, toneHz, mediaEncryption, target,
                sipPort, toneSeconds);
    }

    /** @param account the account line's address and registration parameters */
    private static Baresip startAccount(Path dir, String account, Codec codec, double toneHz, String mediaEncryption,
                                        String target, int sipPort, int toneSeconds) throws IOException {
        Files.createDirectories(dir.resolve("rec"));
        Path tone = dir.resolve("tone.wav");
        writeTone(tone, toneHz, codec.sampleRate, codec.channels, toneSeconds);
        int rtpBase = NEXT_RTP_BASE.getAndAdd(20);
        String config = String.join("\n",
                "poll_method epoll",
                "sip_listen 127.0.0.1:" + sipPort,
                "sip_trans_def udp",
                "audio_player alsa,null",
                "audio_alert alsa,null",
                "audio_source aufile," + tone,
                "rtp_ports " + rtpBase + "-" + (rtpBase + 19),
                "rtcp_mux no",
                "module_path /usr/lib/baresip/modules",
                "module stdio.so",
                "module g711.so",
                "module g722.so",
                "module opus.so",
                "module aufile.so",
                "module alsa.so",
                "module sndfile.so",
                "module srtp.so",
                "module_app account.so",
                "module_app menu.so",
                "snd_path " + dir.resolve("rec"),
                "");
        Files.writeString(dir.resolve("config"), config);
        Files.writeString(dir.resolve("accounts"), account + ";audio_codecs=" + codec.name
                + (mediaEncryption == null ? "" : ";mediaenc=" + mediaEncryption)
                + (target == null ? ";answermode=auto" : "") + "\n");
        List<String> command = new ArrayList<>(List.of("baresip", "-f", dir.toString()));
        if (target != null) {
            command.addAll(List.of("-e", "/dial " + target));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Baresip baresip = new Baresip(dir, process);
        baresip.sipPort = sipPort;
        return baresip;
    }

    /** Types a command on baresip's console, e.g. {@code /hold}, {@code /resume} or DTMF digits. */
    void command(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits until baresip has printed a line matching {@code condition}. */
    void await(Predicate<String> condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (output) {
                if (output.stream().anyMatch(condition)) {
                    return;
                }
                output.wait(100);
            }
            if (!process.isAlive() && !reader.isAlive()) {
                break;
            }
        }
        throw new AssertionError("baresip: no " + what + " within " + timeout + "; it printed:\n" + output());
    }

    /**
     * Hangs up and quits, then returns what baresip heard last: sndfile starts a new file each time the stream is
     * updated (a re-INVITE), named by the second it started.
     */
    Recording hangUpAndRecording() throws IOException, InterruptedException {
        quit();
        Path decoded;
        try (Stream<Path> files = Files.list(dir.resolve("rec"))) {
            decoded = files.filter(f -> f.getFileName().toString().endsWith("-dec.wav"))
                    .max(Comparator.comparing(Path::getFileName))
                    .orElseThrow(() -> new AssertionError("baresip recorded nothing; it printed:\n" + output()));
        }
        return readMono(decoded);
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private void quit() throws IOException, InterruptedException {
        if (process.isAlive()) {
            command("/quit");
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        reader.join(2000);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        quit();
    }

    private void readOutput() {
        // baresip's console redraws its status line with carriage returns: split on both line ends
        try (var in = process.getInputStream()) {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n' || b == '\r') {
                    if (line.length() > 0) {
                        synchronized (output) {
                            output.add(line.toString());
                            output.notifyAll();
                        }
                        line.setLength(0);
                    }
                } else {
                    line.append((char) b);
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.add("(reading baresip's output failed: " + e + ")");
            }
        }
    }

    static void writeTone(Path file, double hz, int rate, int channels, double seconds) throws IOException {
        int frames = (int) (rate * seconds);
        ByteBuffer pcm = ByteBuffer.allocate(frames * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int n = 0; n < frames; n++) {
            short sample = (short) Math.round(0.4 * Short.MAX_VALUE * Math.sin(2 * Math.PI * hz * n / rate));
            for (int c = 0; c < channels; c++) {
                pcm.putShort(sample);
            }
        }
        AudioFormat format = new AudioFormat(rate, 16, channels, true, false);
        try (AudioInputStream stream = new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, frames)) {
            AudioSystem.write(stream, AudioFileFormat.Type.WAVE, file.toFile());
        }
    }

    /** Reads a 16-bit little-endian WAV file, keeping the first channel. */
    static Recording readMono(Path file) throws IOException {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            AudioFormat format = in.getFormat();
            if (format.getSampleSizeInBits() != 16 || format.isBigEndian()) {
                throw new AssertionError(file + ": expected 16-bit little-endian PCM, got " + format);
            }
            ByteBuffer bytes = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            int channels = format.getChannels();
            short[] samples = new short[bytes.remaining() / (2 * channels)];
            for (int n = 0; n < samples.length; n++) {
                samples[n] = bytes.getShort(n * 2 * channels);
            }
            return new Recording(samples, (int) format.getSampleRate());
        } catch (UnsupportedAudioFileException e) {
            throw new IOException(file + ": not a WAV file baresip wrote", e);
        }
    }

    /**
     * A port free for UDP and TCP whose next port is free for TCP: baresip listens for SIP over UDP and TCP on the
     * port and over TLS on the next one (checks of less than that once handed it a port in use).
     */
    private static int freeSipPort() {
        try {
            for (int attempt = 0; attempt < 50; attempt++) {
                int port = Sipp.freePort();
                try (java.net.ServerSocket tls = new java.net.ServerSocket(port + 1, 1,
                        java.net.InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // the TLS port is in use: try another
                }
            }
            throw new IOException("no free SIP port pair for baresip");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
