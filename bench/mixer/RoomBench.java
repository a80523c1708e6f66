import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.codec.G711;
import org.sylkserver.media.mixer.AudioMixer;
import org.sylkserver.media.mixer.Member;
import org.sylkserver.media.mixer.MixerClock;

/**
 * The largest single G.711 room mixed in real time with real sockets: N simulated phones on loopback (UDP
 * channels in this JVM, half of them sending a tone, the rest silence, every 20 ms) join one room through real
 * RTP endpoints of the media engine; we count, per phone, the packets the room sends back and the longest gap
 * between two of them. A room keeps up when every phone gets 50 packets a second and no gap exceeds 60 ms.
 */
public final class RoomBench {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(50, 100, 200, 300, 400);
        }
        System.out.println("members  expected/phone  min received  max gap ms  mixer CPU  result");
        for (int n : sizes) {
            run(n, seconds);
        }
    }

    private static void run(int n, int seconds) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (MediaEngine engine = new MediaEngine(loopback, 20000, 20000 + 4 * n + 10, Duration.ZERO, RtpPolicy.OPEN);
             MixerClock clock = new MixerClock(1)) {
            AudioMixer mixer = new AudioMixer("bench@example.com");
            List<DatagramChannel> phones = new ArrayList<>();
            List<InetSocketAddress> targets = new ArrayList<>();
            Selector selector = Selector.open();
            for (int i = 0; i < n; i++) {
                RtpAudioEndpoint endpoint = engine.openAudioEndpoint(e -> { });
                DatagramChannel phone = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
                phone.configureBlocking(false);
                phone.register(selector, SelectionKey.OP_READ, i);
                endpoint.remote((InetSocketAddress) phone.getLocalAddress(), false, 8000);
                Member member = mixer.join("phone" + i, 0, () -> G711.PCMU,
                        (payload, ts, marker) -> endpoint.send(0, payload, ts, marker));
                endpoint.receive(member::offer);
                phones.add(phone);
                targets.add(new InetSocketAddress(loopback, endpoint.port()));
            }
            clock.start(mixer);
            long[] received = new long[n];
            long[] last = new long[n];
            long[] maxGap = new long[n];
            AtomicBoolean running = new AtomicBoolean(true);
            Thread reader = new Thread(() -> {
                ByteBuffer buffer = ByteBuffer.allocate(2048);
                long start = System.nanoTime() + 2_000_000_000L;
                try {
                    while (running.get()) {
                        if (selector.select(100) == 0) {
                            continue;
                        }
                        for (SelectionKey key : selector.selectedKeys()) {
                            int i = (Integer) key.attachment();
                            DatagramChannel channel = (DatagramChannel) key.channel();
                            buffer.clear();
                            while (channel.receive(buffer) != null) {
                                long now = System.nanoTime();
                                if (now > start) {
                                    received[i]++;
                                    if (last[i] != 0) {
                                        maxGap[i] = Math.max(maxGap[i], now - last[i]);
                                    }
                                }
                                last[i] = now;
                                buffer.clear();
                            }
                        }
                        selector.selectedKeys().clear();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, "phones-in");
            reader.start();
            byte[][] tone = new byte[50][];
            for (int f = 0; f < 50; f++) {
                short[] pcm = new short[160];
                for (int s = 0; s < 160; s++) {
                    pcm[s] = (short) (4000 * Math.sin(2 * Math.PI * 440 * (f * 160 + s) / 8000.0));
                }
                tone[f] = G711.PCMU.encode(pcm);
            }
            byte[] silence = G711.PCMU.encode(new short[160]);
            long begin = System.nanoTime();
            long cpuBefore = mixerCpu();
            int frames = (seconds + 2) * 50;
            for (int f = 0; f < frames; f++) {
                for (int i = 0; i < n; i++) {
                    byte[] payload = i % 2 == 0 ? tone[f % 50] : silence;
                    ByteBuffer packet = ByteBuffer.allocate(12 + 160);
                    packet.put((byte) 0x80).put((byte) (f == 0 ? 0x80 : 0)).putShort((short) f).putInt(f * 160)
                            .putInt(i + 1).put(payload).flip();
                    phones.get(i).send(packet, targets.get(i));
                }
                long next = begin + (f + 1) * 20_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            double cpu = (mixerCpu() - cpuBefore) / 1e9 / ((System.nanoTime() - begin) / 1e9) * 100;
            running.set(false);
            reader.join();
            clock.stop(mixer);
            long min = Long.MAX_VALUE;
            long gap = 0;
            for (int i = 0; i < n; i++) {
                min = Math.min(min, received[i]);
                gap = Math.max(gap, maxGap[i]);
            }
            long expected = seconds * 50L;
            boolean ok = min >= expected * 98 / 100 && gap < 60_000_000L;
            System.out.printf(Locale.ROOT, "%7d  %14d  %12d  %10.1f  %8.0f %%  %s%n", n, expected, min, gap / 1e6, cpu,
                    ok ? "real time" : "falls behind");
            for (DatagramChannel phone : phones) {
                phone.close();
            }
            selector.close();
        }
    }

    /** CPU time of the mixer threads so far. */
    private static long mixerCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (var info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().startsWith("sylk-mixer")) {
                total += threads.getThreadCpuTime(info.getThreadId());
            }
        }
        return total;
    }
}
