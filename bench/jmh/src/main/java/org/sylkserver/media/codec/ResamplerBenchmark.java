package org.sylkserver.media.codec;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One 20 ms frame through the {@link Resampler}: 48 kHz to 8 and 16 kHz is what every listener with a frame of
 * its own costs the mixer each tick (a joiner hearing its welcome, a talker's mix-minus), 8 to 48 kHz what each
 * talker costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResamplerBenchmark {

    /** {@code from:to} in Hz. */
    @Param({"48000:8000", "48000:16000", "8000:48000"})
    public String conversion;

    private Resampler resampler;
    private short[][] frames;
    private int next;

    @Setup
    public void setUp() {
        int from = Integer.parseInt(conversion.split(":")[0]);
        int to = Integer.parseInt(conversion.split(":")[1]);
        resampler = new Resampler(from, to);
        // a second of two tones, cut into 20 ms frames and played round and round
        frames = SineWave.frames(SineWave.sum(SineWave.tone(440, from, 1, 0.3), SineWave.tone(3100, from, 1, 0.3)),
                from / 50);
    }

    @Benchmark
    public short[] frame() {
        short[] frame = frames[next];
        next = (next + 1) % frames.length;
        return resampler.process(frame);
    }
}
