package org.sylkserver.media.srtp;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jitsi.srtp.crypto.HmacSha1;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * CPU time (of the measuring thread, not wall-clock time: the machine is shared) per SRTP packet protected in place
 * by {@link SrtpTransformer} (RFC 3711 §3.3, AES_CM_128_HMAC_SHA1_80), as a feed does for each packet it forwards,
 * and per step of it with the JCE's alternatives: AES-CM keyed once and given each packet's IV ({@code init}), then
 * {@code doFinal} or {@code update} in place; the keystream from one AES/ECB cipher never re-initialised (counter
 * blocks encrypted, then XORed in); HMAC-SHA1 of the JDK or of jitsi-srtp's choice (OpenSSL through JNI).
 *
 * <pre>java -cp [other-media-engine.jar:]bench/jmh/target/benchmarks.jar org.sylkserver.media.srtp.SrtpCpuTime [rounds]</pre>
 *
 * Each round runs every measurement once (200,000 packets, after as many for warm-up); the lowest of the rounds is
 * printed with the median, in ns per packet.
 */
public final class SrtpCpuTime {

    private static final int PACKETS = 200_000;
    private static final int[] PAYLOADS = {120, 1200};
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private interface Step {
        void run(int payload) throws Exception;
    }

    private SrtpCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        SecureRandom random = new SecureRandom();
        byte[] packet = new byte[12 + 1200 + 16];
        random.nextBytes(packet);
        packet[0] = (byte) 0x80;
        packet[1] = 96;
        ByteBuffer buffer = ByteBuffer.wrap(packet);
        SrtpTransformer sender = SrtpTransformer.forSending(SdesCrypto.generate(1,
                CryptoSuite.AES_CM_128_HMAC_SHA1_80, random));
        int[] sequence = {0};

        byte[] key = new byte[16];
        random.nextBytes(key);
        SecretKeySpec aesKey = new SecretKeySpec(key, "AES");
        Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, aesKey);
        byte[] iv = new byte[16];
        byte[] counters = new byte[1216];
        byte[] keystream = new byte[1216];
        Mac jdk = Mac.getInstance("HmacSHA1", "SunJCE");
        Mac jitsi = HmacSha1.createMac(new LoggerImpl(SrtpCpuTime.class.getName()));
        for (Mac mac : new Mac[]{jdk, jitsi}) {
            mac.init(new SecretKeySpec(new byte[20], "HmacSHA1"));
        }
        byte[] tag = new byte[20];

        Map<String, Step> steps = new LinkedHashMap<>();
        steps.put("SrtpTransformer.protectRtp", payload -> {
            sequence[0] = (sequence[0] + 1) & 0xffff;
            buffer.clear().limit(12 + payload);
            buffer.putShort(2, (short) sequence[0]);
            sender.protectRtp(buffer);
        });
        steps.put("AES-CTR init + doFinal", payload -> {
            iv[13]++;
            ctr.init(Cipher.ENCRYPT_MODE, aesKey, new IvParameterSpec(iv));
            ctr.doFinal(packet, 12, payload, packet, 12);
        });
        steps.put("AES-CTR init + update", payload -> {
            iv[13]++;
            ctr.init(Cipher.ENCRYPT_MODE, aesKey, new IvParameterSpec(iv));
            ctr.update(packet, 12, payload, packet, 12);
        });
        steps.put("AES-ECB keystream, no init", payload -> {
            iv[13]++;
            int blocks = (payload + 15) >>> 4;
            for (int block = 0; block < blocks; block++) {
                System.arraycopy(iv, 0, counters, block << 4, 14);
                counters[(block << 4) + 14] = (byte) (block >>> 8);
                counters[(block << 4) + 15] = (byte) block;
            }
            ecb.update(counters, 0, blocks << 4, keystream, 0);
            for (int i = 0; i < payload; i++) {
                packet[12 + i] ^= keystream[i];
            }
        });
        steps.put("HMAC-SHA1 SunJCE", payload -> tag(jdk, packet, 12 + payload, tag));
        steps.put("HMAC-SHA1 jitsi-srtp (" + jitsi.getProvider().getName() + ")",
                payload -> tag(jitsi, packet, 12 + payload, tag));

        Map<String, long[]> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, Step> step : steps.entrySet()) {
                for (int payload : PAYLOADS) {
                    measure(step.getValue(), payload);
                    long nanos = measure(step.getValue(), payload);
                    results.computeIfAbsent(step.getKey() + " " + payload, k -> new long[rounds])[round] = nanos;
                }
            }
        }
        System.out.printf("%-50s %12s %12s %16s%n", "ns of CPU per packet, payload bytes", "lowest", "median",
                "per core (low)");
        for (Map.Entry<String, long[]> result : results.entrySet()) {
            long[] nanos = result.getValue().clone();
            java.util.Arrays.sort(nanos);
            System.out.printf("%-50s %12.0f %12.0f %16.0f%n", result.getKey(), nanos[0] / (double) PACKETS,
                    nanos[nanos.length / 2] / (double) PACKETS, PACKETS * 1e9 / nanos[0]);
        }
        sender.close();
    }

    private static long measure(Step step, int payload) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < PACKETS; i++) {
            step.run(payload);
        }
        return THREADS.getCurrentThreadCpuTime() - start;
    }

    private static void tag(Mac mac, byte[] packet, int length, byte[] tag) throws GeneralSecurityException {
        mac.update(packet, 0, length);
        mac.update(tag, 0, 4);
        mac.doFinal(tag, 0);
    }
}
