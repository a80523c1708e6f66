package org.sylkserver.media.mixer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.G711;
import org.sylkserver.media.codec.SineWave;

/**
 * One 20 ms tick of a G.711 room's {@link AudioMixer} on a simulated clock, sending being a no-op (network I/O is
 * not mixing): {@code talking} members send a tone each (the others send nothing, as sipp's calls in
 * bench/conference-calls.sh do), and with {@code joining} every member is still hearing a prompt of its own,
 * isolated from the room, as a joiner hears its welcome: each then costs a frame of its own (mix, limiter,
 * 48 to 8 kHz, encoding) instead of a share of the room's one frame. Divide by {@code members} for the cost per
 * member and tick; 50 ticks make a second of a call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MixerTickBenchmark {

    private static final long TICK_NANOS = 20_000_000L;

    @Param({"3", "30"})
    public int members;

    @Param({"0", "2"})
    public int talking;

    @Param({"true", "false"})
    public boolean joining;

    private AudioMixer mixer;
    private final List<Member> talkers = new ArrayList<>();
    private byte[][] payloads;
    private long tick;

    @Setup(Level.Trial)
    public void setUp(Blackhole sink) {
        mixer = new AudioMixer("bench@example.com");
        // a ten-second prompt, looped, stands for a welcome that outlasts the measurement
        short[] prompt = SineWave.tone(600, AudioMixer.RATE, 10, 0.3);
        for (int i = 0; i < members; i++) {
            Member member = mixer.join("member" + i, 0, () -> AudioCodecs.create("PCMU", 8000).orElseThrow(),
                    (payload, ts, marker) -> sink.consume(payload));
            if (joining) {
                member.isolate(true);
                member.play(Prompt.looping(prompt));
            }
            if (i < talking) {
                talkers.add(member);
            }
        }
        short[][] frames = SineWave.frames(SineWave.tone(440, 8000, 1, 0.3), 160);
        payloads = new byte[frames.length][];
        for (int i = 0; i < frames.length; i++) {
            payloads[i] = G711.PCMU.encode(frames[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mixer.close();
    }

    @Benchmark
    public void tick() {
        long now = tick * TICK_NANOS;
        byte[] payload = payloads[(int) (tick % payloads.length)];
        for (int i = 0; i < talkers.size(); i++) {
            talkers.get(i).offer(new RtpHeader(false, false, 0, tick == 0, 0, (int) tick & 0xffff, tick * 160,
                    i + 1, 12, payload.length), payload, now);
        }
        mixer.tick(now);
        tick++;
    }
}
