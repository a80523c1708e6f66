import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.RtpRelayEndpoint;
import org.sylkserver.media.RtpTranscoder;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.G711;

/**
 * Transcoded Jingle-style calls on the real media engine over loopback: N calls, each an Opus party and a PCMU party
 * sending 20 ms packets (50 packets/s each way), relayed through two relay endpoints and two RtpTranscoders, the
 * codec work either inline on the media I/O thread (the code before) or on the engine's codec workers. Per N and
 * mode: packets lost, delay from send to the transcoded packet's arrival (p50/p99), and CPU per input packet of the
 * I/O thread and of the codec workers (thread CPU time).
 *
 * <p>Usage: TranscodeBench seconds N... (each N runs inline, then workers, in this JVM).
 */
public final class TranscodeBench {

    private static final RtpTranscoder.Format OPUS = new RtpTranscoder.Format("opus", 48000, 111, -1, 0);
    private static final RtpTranscoder.Format PCMU = new RtpTranscoder.Format("PCMU", 8000, 0, -1, 0);
    private static final int WARMUP_TICKS = 100;
    private static final int PORT_BASE = 46000;

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        byte[][] opus = new byte[50][];
        byte[][] pcmu = new byte[50][];
        try (AudioCodec encoder = AudioCodecs.create("opus", 48000).orElseThrow()) {
            for (int k = 0; k < 50; k++) {
                short[] at48 = new short[960];
                short[] at8 = new short[160];
                for (int i = 0; i < 960; i++) {
                    at48[i] = (short) (9000 * Math.sin(2 * Math.PI * 440 * (k * 960 + i) / 48000.0));
                }
                for (int i = 0; i < 160; i++) {
                    at8[i] = (short) (9000 * Math.sin(2 * Math.PI * 1000 * (k * 160 + i) / 8000.0));
                }
                opus[k] = encoder.encode(at48);
                pcmu[k] = G711.PCMU.encode(at8);
            }
        }
        System.out.printf("%-8s %5s %8s %9s %9s %10s %12s%n", "mode", "calls", "lost%", "p50 ms", "p99 ms",
                "io us/pkt", "codec us/pkt");
        for (int i = 1; i < args.length; i++) {
            int calls = Integer.parseInt(args[i]);
            for (boolean workers : new boolean[] {false, true}) {
                run(calls, workers, seconds, opus, pcmu);
            }
        }
    }

    /** One side of one call as the bench's party sees it. */
    private static final class Party {
        final DatagramChannel channel;
        final int target;
        final long[] sent;
        final int ticks;
        long firstTimestamp = -1;
        int received;
        final List<Long> delays = new ArrayList<>();

        Party(DatagramChannel channel, int target, int ticks) {
            this.channel = channel;
            this.target = target;
            this.sent = new long[ticks];
            this.ticks = ticks;
        }
    }

    private static void run(int calls, boolean workers, int seconds, byte[][] opus, byte[][] pcmu) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int ticks = WARMUP_TICKS + seconds * 50;
        MediaEngine engine = new MediaEngine(loopback, PORT_BASE, PORT_BASE + 4 * calls + 4, Duration.ZERO,
                RtpPolicy.OPEN);
        Executor codec = workers ? engine.codecWorkers() : Runnable::run;
        List<Party> opusParties = new ArrayList<>();
        List<Party> pcmuParties = new ArrayList<>();
        List<RtpTranscoder> transcoders = new ArrayList<>();
        Selector selector = Selector.open();
        for (int c = 0; c < calls; c++) {
            DatagramChannel opusSide = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
            DatagramChannel pcmuSide = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
            RtpRelayEndpoint toOpusParty = engine.openRelayEndpoint(e -> { });
            RtpRelayEndpoint toPcmuParty = engine.openRelayEndpoint(e -> { });
            int opusPort = ((InetSocketAddress) opusSide.getLocalAddress()).getPort();
            int pcmuPort = ((InetSocketAddress) pcmuSide.getLocalAddress()).getPort();
            toOpusParty.remote(new InetSocketAddress(loopback, opusPort), opusPort + 1, false);
            toPcmuParty.remote(new InetSocketAddress(loopback, pcmuPort), pcmuPort + 1, false);
            RtpTranscoder opusToPcmu = new RtpTranscoder(OPUS, PCMU, codec, toPcmuParty::forwardRtp);
            RtpTranscoder pcmuToOpus = new RtpTranscoder(PCMU, OPUS, codec, toOpusParty::forwardRtp);
            transcoders.add(opusToPcmu);
            transcoders.add(pcmuToOpus);
            toOpusParty.relayTo(opusToPcmu);
            toPcmuParty.relayTo(pcmuToOpus);
            Party opusParty = new Party(opusSide, toOpusParty.port(), ticks);
            Party pcmuParty = new Party(pcmuSide, toPcmuParty.port(), ticks);
            opusParties.add(opusParty);
            pcmuParties.add(pcmuParty);
            opusSide.configureBlocking(false);
            pcmuSide.configureBlocking(false);
            // what arrives at one party was sent by the other
            opusSide.register(selector, SelectionKey.OP_READ, new Object[] {opusParty, pcmuParty, 960});
            pcmuSide.register(selector, SelectionKey.OP_READ, new Object[] {pcmuParty, opusParty, 160});
        }
        Thread.sleep(300); // the I/O thread registers the endpoints' sockets

        long start = System.nanoTime() + 50_000_000L;
        volatileDone = false;
        Thread receiver = new Thread(() -> receive(selector, start));
        receiver.start();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] ioBefore = null;
        ByteBuffer out = ByteBuffer.allocate(1500);
        for (int k = 0; k < ticks; k++) {
            long due = start + k * 20_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (k == WARMUP_TICKS) {
                ioBefore = cpu(mx);
            }
            for (int c = 0; c < calls; c++) {
                send(opusParties.get(c), k, 111, 960L * k, c, opus[k % 50], out, loopback);
                send(pcmuParties.get(c), k, 0, 160L * k, c, pcmu[k % 50], out, loopback);
            }
        }
        long[] ioAfter = cpu(mx);
        Thread.sleep(500);
        volatileDone = true;
        selector.wakeup();
        receiver.join();

        long expected = 2L * calls * (ticks - WARMUP_TICKS);
        long received = 0;
        List<Long> delays = new ArrayList<>();
        for (List<Party> parties : List.of(opusParties, pcmuParties)) {
            for (Party p : parties) {
                received += p.received;
                delays.addAll(p.delays);
            }
        }
        long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        double lost = 100.0 * Math.max(0, expected - received) / expected;
        System.out.printf("%-8s %5d %8.2f %9.2f %9.2f %10.1f %12.1f%n", workers ? "workers" : "inline", calls, lost,
                percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                (ioAfter[0] - ioBefore[0]) / 1e3 / expected, (ioAfter[1] - ioBefore[1]) / 1e3 / expected);
        for (RtpTranscoder t : transcoders) {
            t.close();
        }
        engine.close();
        selector.close();
        for (List<Party> parties : List.of(opusParties, pcmuParties)) {
            for (Party p : parties) {
                p.channel.close();
            }
        }
    }

    private static volatile boolean volatileDone;

    private static void send(Party party, int k, int payloadType, long timestamp, int ssrc, byte[] payload,
                             ByteBuffer out, InetAddress loopback) {
        out.clear();
        out.put((byte) 0x80).put((byte) payloadType).putShort((short) k).putInt((int) timestamp).putInt(ssrc)
                .put(payload).flip();
        party.sent[k] = System.nanoTime();
        try {
            party.channel.send(out, new InetSocketAddress(loopback, party.target));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Arrivals: the k-th packet of our transcoder's stream (by its timestamp) answers the sender's k-th. */
    private static void receive(Selector selector, long start) {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        try {
            while (!volatileDone) {
                selector.select(100);
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    Object[] att = (Object[]) key.attachment();
                    Party at = (Party) att[0];
                    Party from = (Party) att[1];
                    int ticksPerPacket = (Integer) att[2];
                    while (true) {
                        buffer.clear();
                        if (at.channel.receive(buffer) == null) {
                            break;
                        }
                        long now = System.nanoTime();
                        long timestamp = buffer.getInt(4) & 0xffffffffL;
                        if (at.firstTimestamp < 0) {
                            at.firstTimestamp = timestamp;
                        }
                        int k = (int) (((timestamp - at.firstTimestamp) & 0xffffffffL) / ticksPerPacket);
                        if (k >= WARMUP_TICKS && k < from.ticks) {
                            at.received++;
                            at.delays.add(now - from.sent[k]);
                        }
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** CPU ns so far of the I/O thread and of all codec workers. */
    private static long[] cpu(ThreadMXBean mx) {
        long io = 0;
        long codec = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long ns = mx.getThreadCpuTime(t.getId());
            if (t.getName().equals("sylk-media-io")) {
                io += ns;
            } else if (t.getName().startsWith("sylk-media-codec-")) {
                codec += ns;
            }
        }
        return new long[] {io, codec};
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, p * sorted.length)];
    }
}
