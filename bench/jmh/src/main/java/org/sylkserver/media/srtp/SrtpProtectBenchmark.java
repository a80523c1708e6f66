package org.sylkserver.media.srtp;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One RTP packet protected in place (RFC 3711 §3.3, AES_CM_128_HMAC_SHA1_80), as each feed of a video room does for
 * every packet it forwards: a 120-byte Opus payload or a 1,200-byte video payload behind a 12-byte header, each with
 * the next sequence number of its SSRC.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SrtpProtectBenchmark {

    @Param({"120", "1200"})
    public int payload;

    private SrtpTransformer sender;
    private ByteBuffer packet;
    private int sequence;

    @Setup
    public void setUp() {
        sender = SrtpTransformer.forSending(SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80,
                new SecureRandom()));
        byte[] bytes = new byte[12 + payload + 16];
        new SecureRandom().nextBytes(bytes);
        bytes[0] = (byte) 0x80;
        bytes[1] = 96;
        packet = ByteBuffer.wrap(bytes);
    }

    @TearDown
    public void tearDown() {
        sender.close();
    }

    @Benchmark
    public ByteBuffer protect() throws SrtpException {
        sequence = (sequence + 1) & 0xffff;
        packet.clear().limit(12 + payload);
        packet.putShort(2, (short) sequence);
        sender.protectRtp(packet);
        return packet;
    }
}
