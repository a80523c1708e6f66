package org.sylkserver.media.srtp;

import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jitsi.srtp.crypto.HmacSha1;
import org.jitsi.utils.logging2.LoggerImpl;
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
 * The SRTP authentication tag of one packet (RFC 3711 §4.2: HMAC-SHA1 over the packet and its 32-bit ROC) from the
 * two providers at hand: the JDK's (SunJCE) and the one jitsi-srtp picks (OpenSSL through JNI when its native
 * library loads).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SrtpAuthenticationBenchmark {

    /** RTP packet lengths: a 120-byte Opus payload or a 1,200-byte video payload behind a 12-byte header. */
    @Param({"132", "1212"})
    public int length;

    @Param({"SunJCE", "jitsi-srtp"})
    public String provider;

    private Mac hmac;
    private final byte[] packet = new byte[1212];
    private final byte[] roc = new byte[4];
    private final byte[] tag = new byte[20];

    @Setup
    public void setUp() throws GeneralSecurityException {
        hmac = provider.equals("SunJCE") ? Mac.getInstance("HmacSHA1", "SunJCE")
                : HmacSha1.createMac(new LoggerImpl(SrtpAuthenticationBenchmark.class.getName()));
        hmac.init(new SecretKeySpec(new byte[20], "HmacSHA1"));
    }

    @Benchmark
    public byte[] tag() throws GeneralSecurityException {
        hmac.update(packet, 0, length);
        hmac.update(roc);
        hmac.doFinal(tag, 0);
        return tag;
    }
}
