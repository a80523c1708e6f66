import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.mixer.AudioMixer;
import org.sylkserver.media.mixer.Member;

/**
 * How many participants one core mixes in real time: one room of N members, half of them talking (a tone), the
 * others sending encoded silence as clients without DTX do; the mixer ticks as fast as it can on this thread and
 * we measure the thread's CPU time per 20 ms tick. Encoding the senders' packets is done beforehand and sending
 * is a no-op (network I/O is not part of mixing). Real time means a tick costs less than 20 ms of one core.
 */
public final class MixerBench {

    private static final int TICKS = 250;

    public static void main(String[] args) {
        String codec = args.length > 0 ? args[0] : "PCMU";
        int maxSpeakers = args.length > 1 ? Integer.parseInt(args[1]) : AudioMixer.DEFAULT_MAX_SPEAKERS;
        int clock = codec.equalsIgnoreCase("opus") ? 48000 : codec.equalsIgnoreCase("G722") ? 8000 : 8000;
        System.out.printf(Locale.ROOT, "codec %s, mixing %s talkers%n", codec,
                maxSpeakers == 0 ? "all" : "the " + maxSpeakers + " loudest");
        System.out.println("members  talking  ms/tick  cpu/member  real-time load");
        int low = 0;
        int n = 50;
        double perTick = 0;
        // grow until a tick costs more than 20 ms, then bisect
        while (true) {
            perTick = measure(codec, clock, n, maxSpeakers);
            report(n, perTick);
            if (perTick >= 20) {
                break;
            }
            low = n;
            n *= 2;
        }
        int high = n;
        while (high - low > Math.max(10, low / 20)) {
            int mid = (low + high) / 2;
            double t = measure(codec, clock, mid, maxSpeakers);
            report(mid, t);
            if (t < 20) {
                low = mid;
            } else {
                high = mid;
            }
        }
        System.out.printf(Locale.ROOT, "RESULT codec=%s maxSpeakers=%d participants-per-core=%d%n", codec, maxSpeakers,
                low);
    }

    private static void report(int members, double msPerTick) {
        System.out.printf(Locale.ROOT, "%7d  %7d  %7.2f  %8.1f us  %5.0f %%%n", members, members / 2, msPerTick,
                msPerTick * 1000 / members, msPerTick / 20 * 100);
    }

    /** CPU milliseconds per tick for one room of {@code n} members. */
    private static double measure(String codec, int clock, int n, int maxSpeakers) {
        AudioMixer mixer = new AudioMixer("bench", maxSpeakers);
        AudioCodec sample = AudioCodecs.create(codec, clock).orElseThrow();
        int frame = sample.sampleRate() / 50;
        int tsStep = sample.rtpClockRate() / 50;
        // one second of packets for a talker (each at its own frequency) and one of silence, encoded up front
        List<byte[][]> talk = new ArrayList<>();
        byte[][] silence = new byte[50][];
        for (int f = 0; f < 50; f++) {
            silence[f] = sample.encode(new short[frame]);
        }
        long[] received = new long[1];
        List<Member> members = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            int pt = codec.equalsIgnoreCase("opus") ? 111 : 0;
            members.add(mixer.join("m" + m, pt, () -> AudioCodecs.create(codec, clock).orElseThrow(),
                    (payload, ts, marker) -> received[0] += payload.length));
            if (m % 2 == 0) {
                AudioCodec encoder = AudioCodecs.create(codec, clock).orElseThrow();
                byte[][] packets = new byte[50][];
                double frequency = 200 + 37 * (m % 50);
                for (int f = 0; f < 50; f++) {
                    short[] pcm = new short[frame];
                    for (int i = 0; i < frame; i++) {
                        pcm[i] = (short) (3000 * Math.sin(2 * Math.PI * frequency * (f * frame + i) / sample.sampleRate()));
                    }
                    packets[f] = encoder.encode(pcm);
                }
                encoder.close();
                talk.add(packets);
            } else {
                talk.add(silence);
            }
        }
        sample.close();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = 0;
        int warmUp = 50;
        for (int t = 0; t < warmUp + TICKS; t++) {
            long now = t * 20_000_000L;
            for (int m = 0; m < n; m++) {
                byte[] payload = talk.get(m)[t % 50];
                members.get(m).offer(new RtpHeader(false, false, 0, t == 0, codec.equalsIgnoreCase("opus") ? 111 : 0,
                        t & 0xffff, (long) t * tsStep, m, 12, payload.length), payload, now);
            }
            long before = threads.getCurrentThreadCpuTime();
            mixer.tick(now);
            if (t >= warmUp) {
                cpu += threads.getCurrentThreadCpuTime() - before;
            }
        }
        mixer.close();
        return cpu / 1e6 / TICKS;
    }
}
