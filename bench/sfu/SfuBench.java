import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.sylkserver.media.webrtc.BrowserPeer;

/**
 * SFU forwarding benchmark (issue 13): rooms of simulated publishers and subscribers against one SFU, each peer a
 * {@link BrowserPeer} (ice4j checks, DTLS handshake, SRTP with the exported keys) on loopback. Publishers send paced
 * VP8-like video (every packet a one-packet key frame, so that no SFU holds it back waiting for one) and Opus at
 * 50 packets/s; every subscriber attaches every publisher of its room and counts what arrives per SSRC from the
 * cleartext header ({@link StreamCounter}), authenticating one packet in {@code --auth-every} with its SRTP context.
 * After a warm-up, one measured window: packets sent and received, loss (from the counts and from sequence gaps,
 * the larger reported), and the SFU's CPU time from /proc/&lt;pid&gt;/stat, hence forwarded packets per second per
 * core. Prints one line starting with RESULT. Built and run by bench/sfu.sh.
 */
public final class SfuBench {

    private static final class Options {
        String target = "sylk";
        URI url = URI.create("ws://127.0.0.1:28088/webrtcgateway/ws");
        int rooms = 1;
        int publishers = 2;
        int subscribers = 5;
        int videoRate = 200;
        int videoBytes = 1200;
        int seconds = 10;
        int warmup = 3;
        int authEvery = 64;
        /** One packet in this many of each stream not sent, and every stream wrapping its sequence numbers; 0: off. */
        int rare;
        int pid;
    }

    /** Why sampled packets failed to unprotect, with counts (printed on stderr after the window). */
    static final java.util.Map<String, AtomicLong> FAILURES = new java.util.concurrent.ConcurrentHashMap<>();

    static final int AUDIO_RATE = 50;
    static final int AUDIO_BYTES = 120;

    /**
     * What the benchmark needs of a peer: {@link BrowserPeer} (ICE, DTLS, SRTP) against an SFU, {@link PlainPeer}
     * (bare UDP) against the baseline relays.
     */
    interface Peer extends AutoCloseable {
        /** Sends one RTP packet (as SRTP where the peer has keys). */
        void send(byte[] packet, int length) throws Exception;

        /** Hands every received packet to {@code sink}, on the peer's reader thread. */
        void sink(BrowserPeer.PacketSink sink);

        /** Authenticates a received packet; throws if it does not (a plain peer has nothing to check). */
        void authenticate(byte[] packet, int length) throws Exception;

        @Override
        void close();
    }

    /** A {@link BrowserPeer} as a {@link Peer}. */
    private record SrtpPeer(BrowserPeer peer) implements Peer {
        @Override
        public void send(byte[] packet, int length) throws Exception {
            peer.sendRtp(packet, length);
        }

        @Override
        public void sink(BrowserPeer.PacketSink sink) {
            peer.sink(sink);
        }

        @Override
        public void authenticate(byte[] packet, int length) throws Exception {
            peer.unprotectRtp(packet, length);
        }

        @Override
        public void close() {
            peer.close();
        }
    }

    /** One publishing peer: its streams' sequence numbers and what it sent. */
    private static final class Publisher {
        final Peer peer;
        final Signalling.Published published;
        final AtomicLong sent = new AtomicLong();
        int videoSequence = ThreadLocalRandom.current().nextInt(65536);
        int audioSequence = ThreadLocalRandom.current().nextInt(65536);
        long videoSent;
        long audioSent;

        Publisher(Peer peer, Signalling.Published published) {
            this.peer = peer;
            this.published = published;
        }
    }

    /** One feed: the subscribing peer, the publisher it watches and its per-SSRC counters. */
    private static final class Leg {
        final Peer peer;
        final Publisher publisher;
        final int authEvery;
        final StreamCounter[] streams = new StreamCounter[4];
        volatile int streamCount;
        final AtomicLong authenticated = new AtomicLong();
        final AtomicLong authFailures = new AtomicLong();
        long packets;
        /** The feed's retransmission payload types (RFC 4588, from the SFU's offer): not counted as received. */
        final java.util.Set<Integer> rtxTypes;
        /** Packets of those types: the SFU's retransmissions and bandwidth probes (one reader thread writes it). */
        volatile long retransmissions;

        Leg(Peer peer, Publisher publisher, int authEvery) {
            this(peer, publisher, authEvery, java.util.Set.of());
        }

        Leg(Peer peer, Publisher publisher, int authEvery, java.util.Set<Integer> rtxTypes) {
            this.peer = peer;
            this.publisher = publisher;
            this.authEvery = authEvery;
            this.rtxTypes = rtxTypes;
        }

        /** The payload types an SDP maps to rtx/90000. */
        static java.util.Set<Integer> rtxTypes(String sdp) {
            java.util.Set<Integer> types = new java.util.HashSet<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("a=rtpmap:(\\d+) rtx/").matcher(sdp);
            while (m.find()) {
                types.add(Integer.parseInt(m.group(1)));
            }
            return types;
        }

        /** The peer's reader thread: RTP only (RTCP, PT 64-95 with the marker bit folded in, is the SFU's). */
        void received(byte[] buffer, int length) {
            int type = buffer[1] & 0x7f;
            if (length < 12 || (type >= 64 && type <= 95)) {
                return;
            }
            if (rtxTypes.contains(type)) {
                // the SFU's repairs and bandwidth probes are no media of the publisher's: counted as received they
                // made up for media packets missing on other feeds (session 25)
                retransmissions++;
                return;
            }
            long ssrc = ((buffer[8] & 0xffL) << 24) | ((buffer[9] & 0xff) << 16) | ((buffer[10] & 0xff) << 8)
                    | (buffer[11] & 0xff);
            int sequence = ((buffer[2] & 0xff) << 8) | (buffer[3] & 0xff);
            StreamCounter stream = null;
            boolean first = false;
            int count = streamCount;
            for (int i = 0; i < count; i++) {
                if (streams[i].ssrc == ssrc) {
                    stream = streams[i];
                }
            }
            if (stream == null) {
                if (count == streams.length) {
                    return;   // more SSRCs than audio, video and their retransmissions: not counted
                }
                streams[count] = new StreamCounter(ssrc, sequence);
                streamCount = count + 1;
                first = true;
            } else {
                stream.received(sequence);
            }
            // a stream's first packet is always authenticated: the SRTP receiver learns the stream's rollover counter
            // only from packets it authenticates (RFC 3711 §3.3.1, ROC 0 at the first); a stream whose sequence
            // numbers wrapped before its first sample was otherwise taken at the wrong ROC, and every later sample
            // of it failed (session 22: 8 of 8 samples of one audio SSRC at 16 rooms, its video fine)
            if (packets++ % authEvery == 0 || first) {
                try {
                    peer.authenticate(buffer, length);
                    authenticated.incrementAndGet();
                } catch (Exception e) {
                    authFailures.incrementAndGet();
                    // what the packet was, and of which stream, tells a server's bad tag on one packet from a
                    // stream whose rollover counter the two ends disagree on (every packet of it fails) or from
                    // something that is no SRTP of this feed
                    String why = (e.getMessage() == null ? e.toString() : e.getMessage())
                            + String.format(" (first byte 0x%02x, type %d, %d bytes, %s SSRC)", buffer[0] & 0xff,
                            type, length, stream == null ? "new" : "known");
                    FAILURES.computeIfAbsent(why, k -> new AtomicLong()).incrementAndGet();
                }
            }
        }

        long received() {
            long sum = 0;
            for (int i = 0; i < streamCount; i++) {
                sum += streams[i].received();
            }
            return sum;
        }

        long gapLost() {
            long sum = 0;
            for (int i = 0; i < streamCount; i++) {
                sum += streams[i].lost();
            }
            return sum;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        if (o == null) {
            return;
        }
        if (o.target.equals("self-check")) {
            StreamCounter.selfCheck();
            sampledAuthenticationSelfCheck();
            return;
        }
        if (o.target.equals("relay")) {
            relay(o);
            return;
        }
        List<Publisher> publishers = new ArrayList<>();
        List<Leg> legs = new ArrayList<>();
        List<BrowserPeer> peers = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService setup = Executors.newFixedThreadPool(8);
        long setupStart = System.nanoTime();
        try (Signalling signalling = o.target.equals("janus") ? new Signalling.Janus(o.url) : new Signalling.SylkRtc(o.url)) {
            // the publishers of every room first, so that each subscriber can attach them all
            List<Future<Publisher>> joining = new ArrayList<>();
            for (int r = 0; r < o.rooms; r++) {
                for (int p = 0; p < o.publishers; p++) {
                    int room = r;
                    int index = p;
                    joining.add(setup.submit(() -> {
                        BrowserPeer peer = new BrowserPeer(false);
                        peers.add(peer);
                        Signalling.Published published = signalling.publish(room, index, peer.offer(true, "active"));
                        peer.connect(published.answer(), Signalling.WAIT);
                        return new Publisher(new SrtpPeer(peer), published);
                    }));
                }
            }
            for (Future<Publisher> f : joining) {
                publishers.add(f.get());
            }
            List<Future<List<Leg>>> subscribing = new ArrayList<>();
            for (int r = 0; r < o.rooms; r++) {
                List<Publisher> inRoom = publishers.subList(r * o.publishers, (r + 1) * o.publishers);
                for (int s = 0; s < o.subscribers; s++) {
                    int room = r;
                    int index = s;
                    subscribing.add(setup.submit(() -> {
                        BrowserPeer own = new BrowserPeer(false);
                        peers.add(own);
                        String[] answer = new String[1];
                        Object viewer = signalling.viewer(room, index, own.offer(false, "active"), a -> answer[0] = a);
                        if (viewer != null) {
                            own.connect(answer[0], Signalling.WAIT);   // a member's own connection, idle
                        }
                        List<Leg> mine = new ArrayList<>();
                        for (Publisher publisher : inRoom) {
                            Signalling.Feed feed = signalling.subscribe(room, viewer, index, publisher.published);
                            BrowserPeer peer = new BrowserPeer(false);
                            peers.add(peer);
                            Leg leg = new Leg(new SrtpPeer(peer), publisher, o.authEvery, Leg.rtxTypes(feed.offer()));
                            feed.answer(peer.answer(feed.offer()));
                            peer.connect(feed.offer(), Signalling.WAIT);
                            peer.sink(leg::received);
                            mine.add(leg);
                        }
                        return mine;
                    }));
                }
            }
            for (Future<List<Leg>> f : subscribing) {
                legs.addAll(f.get());
            }
            System.err.printf("set up %d publishers and %d feeds (%d peers) in %.1f s%n", publishers.size(), legs.size(),
                    peers.size(), (System.nanoTime() - setupStart) / 1e9);
            measure(o, publishers, legs);
        } finally {
            setup.shutdownNow();
            peers.forEach(BrowserPeer::close);
        }
        System.exit(0);
    }

    /**
     * The same rooms against a baseline relay at {@code --url udp://host:port} (bench/sfu/relay: relay.c, JavaRelay):
     * plain UDP peers, the same packets with SRTP's 10-byte tag appended as padding so that every datagram has the
     * size it has against an SFU, the same sender, counters and CPU accounting.
     */
    private static void relay(Options o) throws Exception {
        InetSocketAddress relay = new InetSocketAddress(o.url.getHost(), o.url.getPort());
        List<Publisher> publishers = new ArrayList<>();
        List<Leg> legs = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        try {
            for (int r = 0; r < o.rooms; r++) {
                List<Publisher> inRoom = new ArrayList<>();
                for (int p = 0; p < o.publishers; p++) {
                    PlainPeer peer = new PlainPeer(relay);
                    peers.add(peer);
                    inRoom.add(new Publisher(peer, new Signalling.Published("", String.valueOf(peer.port()))));
                }
                for (int s = 0; s < o.subscribers; s++) {
                    for (Publisher publisher : inRoom) {
                        PlainPeer peer = new PlainPeer(relay);
                        peers.add(peer);
                        peer.subscribe(Integer.parseInt(publisher.published.id()));
                        Leg leg = new Leg(peer, publisher, Integer.MAX_VALUE);
                        peer.sink(leg::received);
                        legs.add(leg);
                    }
                }
                publishers.addAll(inRoom);
            }
            System.err.printf("set up %d publishers and %d feeds on the relay%n", publishers.size(), legs.size());
            measure(o, publishers, legs);
        } finally {
            peers.forEach(Peer::close);
        }
        System.exit(0);
    }

    /**
     * The sampled authentication across a rollover: a feed whose audio wraps (from 65,530) before the first audio
     * packet a sample of 1 in 64 would reach, its video not; every sample must authenticate.
     */
    private static void sampledAuthenticationSelfCheck() throws Exception {
        byte[] key = new byte[16];
        byte[] salt = new byte[14];
        ThreadLocalRandom.current().nextBytes(key);
        var keys = new org.sylkserver.media.srtp.SdesCrypto(1,
                org.sylkserver.media.srtp.CryptoSuite.AES_CM_128_HMAC_SHA1_80, key, salt, "", List.of());
        try (var sender = org.sylkserver.media.srtp.SrtpTransformer.forSending(keys);
             var receiver = org.sylkserver.media.srtp.SrtpTransformer.forReceiving(keys)) {
            Peer peer = new Peer() {
                @Override
                public void send(byte[] packet, int length) {
                }

                @Override
                public void sink(BrowserPeer.PacketSink sink) {
                }

                @Override
                public void authenticate(byte[] packet, int length) throws Exception {
                    receiver.unprotectRtp(packet, length);
                }

                @Override
                public void close() {
                }
            };
            Leg leg = new Leg(peer, null, 64);
            int audio = 65_530;
            for (int i = 0; i < 2_000; i++) {
                boolean isAudio = i % 5 == 4;
                byte[] rtp = new byte[isAudio ? AUDIO_BYTES : 200];
                rtp[0] = (byte) 0x80;
                rtp[1] = (byte) (isAudio ? BrowserPeer.OPUS : BrowserPeer.VP8);
                int sequence = isAudio ? audio++ & 0xffff : 1_000 + i;
                rtp[2] = (byte) (sequence >> 8);
                rtp[3] = (byte) sequence;
                rtp[11] = (byte) (isAudio ? 1 : 2);   // SSRC
                byte[] srtp = sender.protectRtp(rtp, rtp.length);
                leg.received(srtp, srtp.length);
            }
            if (leg.authFailures.get() != 0 || leg.authenticated.get() < 30) {
                throw new IllegalStateException("sampled authentication across a rollover: "
                        + leg.authenticated.get() + " authenticated, " + leg.authFailures.get() + " failed");
            }
        }
        System.out.println("self-check: sampled SRTP authentication ok (across a rollover)");
    }

    private static void measure(Options o, List<Publisher> publishers, List<Leg> legs) throws Exception {
        Sender sender = new Sender(publishers, o);
        Thread thread = new Thread(sender, "sender");
        thread.start();
        Thread.sleep(o.warmup * 1000L);

        // received before sent: a packet sent and received between the two snapshots must not count as lost (the
        // other order made 10-40 packets a window look lost, with no sequence gap, whenever this thread was
        // descheduled between them); the error left is the packets in flight, counted received but not expected
        long[] legReceived0 = legs.stream().mapToLong(Leg::received).toArray();
        long rtx0 = legs.stream().mapToLong(l -> l.retransmissions).sum();
        long received0 = java.util.Arrays.stream(legReceived0).sum();
        long gap0 = legs.stream().mapToLong(Leg::gapLost).sum();
        long[] sent0 = publishers.stream().mapToLong(p -> p.sent.get()).toArray();
        long cpu0 = cpuTicks(o.pid);
        long self0 = cpuTicks((int) ProcessHandle.current().pid());
        long[] machine0 = machineTicks();
        Map<String, long[]> threads0 = threads(o.pid);
        long[] drops0 = socketDrops(o.pid);
        long[] udp0 = udpErrors();
        long start = System.nanoTime();
        java.time.Instant opened = java.time.Instant.now();
        Thread.sleep(o.seconds * 1000L);
        long[] sent1 = publishers.stream().mapToLong(p -> p.sent.get()).toArray();
        // for profiles of the SFU (bench/jfr/JfrTop.java --from --to)
        System.err.println("measured window: --from " + opened + " --to " + java.time.Instant.now());
        FAILURES.forEach((why, count) -> System.err.println("sampled packets failing: " + count + " x " + why));
        sender.stop = true;
        thread.join();
        long sendSeconds = System.nanoTime() - start;
        // where datagrams wait when the window closes: at the SFU's sockets (it is behind) or the peers' (the generator is)
        long[] queuedAtEnd = socketDrops(o.pid);
        Thread.sleep(2000);   // what was in flight (or queued in a starved SFU) when the window closed arrives
        long cpu1 = cpuTicks(o.pid);
        long self1 = cpuTicks((int) ProcessHandle.current().pid());
        long[] machine1 = machineTicks();
        Map<String, long[]> threads1 = threads(o.pid);
        long[] drops1 = socketDrops(o.pid);
        long[] udp1 = udpErrors();
        double window = (System.nanoTime() - start) / 1e9;
        // what went out in the window times the feeds of each publisher; received: everything that arrived since the
        // window opened (the packets in flight at its start, and those sent between the last snapshot and the stop,
        // are counted as received but not as sent: the loss is under-counted by at most those, so the sequence gaps
        // are counted too and the larger figure is reported)
        long expected = 0;
        for (Leg leg : legs) {
            int i = publishers.indexOf(leg.publisher);
            expected += sent1[i] - sent0[i];
        }
        long received = legs.stream().mapToLong(Leg::received).sum() - received0;
        long retransmitted = legs.stream().mapToLong(l -> l.retransmissions).sum() - rtx0;
        // how the loss is spread: feeds that got nothing in the window, and feeds short by more than 1 % (a loss
        // without sequence gaps and without datagrams queued anywhere is packets the SFU did not forward)
        int feedsEmpty = 0;
        int feedsShort = 0;
        for (int l = 0; l < legs.size(); l++) {
            int i = publishers.indexOf(legs.get(l).publisher);
            long due = sent1[i] - sent0[i];
            long got = legs.get(l).received() - legReceived0[l];
            if (got == 0 && due > 0) {
                feedsEmpty++;
            } else if (got < due * 0.99) {
                feedsShort++;
            }
        }
        long gapLost = legs.stream().mapToLong(Leg::gapLost).sum() - gap0;
        long sent = 0;
        for (int i = 0; i < sent0.length; i++) {
            sent += sent1[i] - sent0[i];
        }
        double countLoss = StreamCounter.percent(expected - received, expected);
        double gapLoss = StreamCounter.percent(gapLost, expected);
        long authenticated = legs.stream().mapToLong(l -> l.authenticated.get()).sum();
        long authFailures = legs.stream().mapToLong(l -> l.authFailures.get()).sum();
        double cpuSeconds = (cpu1 - cpu0) / 100.0;   // CLK_TCK is 100 on Linux
        double forwardedPerSecond = received / (sendSeconds / 1e9);
        // the SFU's busiest thread in the window (its I/O thread): CPU and context switches a second
        String busiest = "-";
        long[] most = {0, 0, 0, 0};
        for (Map.Entry<String, long[]> t : threads1.entrySet()) {
            long[] before = threads0.get(t.getKey());
            if (before != null && t.getValue()[0] - before[0] > most[0]) {
                busiest = t.getKey().substring(t.getKey().indexOf(' ') + 1).replace(' ', '_');
                for (int i = 0; i < most.length; i++) {
                    most[i] = t.getValue()[i] - before[i];
                }
            }
        }
        System.out.printf(java.util.Locale.ROOT, "RESULT target=%s rooms=%d publishers=%d subscribers=%d feeds=%d sent_pps=%.0f"
                        + " forwarded_pps=%.0f expected=%d received=%d loss_pct=%.3f gap_loss_pct=%.3f auth_ok=%d"
                        + " auth_failed=%d server_cpu_pct=%.0f pps_per_core=%.0f late_ticks=%d server_drops=%d peer_drops=%d"
                        + " rcvbuf_errors=%d sndbuf_errors=%d busiest_thread=%s busiest_cpu_pct=%.0f busiest_nvcsw_ps=%.0f"
                        + " busiest_vcsw_ps=%.0f generator_cpu_pct=%.0f machine_busy_pct=%.0f machine_cores=%d busiest_wait_pct=%.0f"
                        + " queued_sfu_bytes=%d queued_peers_bytes=%d feeds_empty=%d feeds_short=%d rtx_packets=%d%n",
                o.target, o.rooms, publishers.size(), o.rooms * o.subscribers, legs.size(), sent / (sendSeconds / 1e9),
                forwardedPerSecond, expected, received, Math.max(countLoss, gapLoss), gapLoss, authenticated,
                authFailures, 100 * cpuSeconds / window, cpuSeconds > 0 ? received / cpuSeconds : 0, sender.late,
                drops1[0] - drops0[0], drops1[1] - drops0[1], udp1[0] - udp0[0], udp1[1] - udp0[1], busiest,
                most[0] / window, most[1] / window, most[2] / window, (self1 - self0) / window,
                100.0 * (machine1[0] - machine0[0]) / Math.max(1, machine1[1] - machine0[1]) * machine1[2], machine1[2], most[3] / 1e7 / window,
                queuedAtEnd[2], queuedAtEnd[3], feedsEmpty, feedsShort, retransmitted);
    }

    /**
     * Per thread of process {@code pid} ("tid name" as the key): its user + system CPU in clock ticks, its
     * nonvoluntary and its voluntary context switches, and its ns runnable but not running (/proc/pid/task/tid/stat, status,
     * schedstat).
     */
    static Map<String, long[]> threads(int pid) {
        Map<String, long[]> threads = new java.util.HashMap<>();
        if (pid == 0) {
            return threads;
        }
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long[] values = {Long.parseLong(f[11]) + Long.parseLong(f[12]), 0, 0, 0};
                    try {
                        // schedstat: ns on the CPU, ns runnable but waiting for one, time slices
                        values[3] = Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[1]);
                    } catch (Exception noSchedstat) {
                        // a kernel without CONFIG_SCHED_INFO
                    }
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            values[1] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        } else if (line.startsWith("voluntary_ctxt_switches:")) {
                            values[2] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                    threads.put(task.getFileName() + " " + name, values);
                } catch (Exception gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (Exception e) {
            // no such process
        }
        return threads;
    }

    /**
     * Datagrams the kernel dropped at full receive buffers since the sockets opened (the last column of
     * /proc/net/udp and udp6): [0] on the SFU's sockets (their inodes among /proc/pid/fd), [1] on this process's
     * (the peers'). Tells the SFU's own socket overflowing from the load generator's readers falling behind.
     */
    static long[] socketDrops(int pid) throws Exception {
        java.util.Set<String> sfu = socketInodes(pid == 0 ? "-" : String.valueOf(pid));
        java.util.Set<String> mine = socketInodes("self");
        // dropped at the SFU's and at the peers' sockets, then the bytes queued there now (rx_queue)
        long[] drops = new long[4];
        for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                String inode = f[9];
                long dropped = Long.parseLong(f[f.length - 1]);
                long queued = Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
                if (sfu.contains(inode)) {
                    drops[0] += dropped;
                    drops[2] += queued;
                } else if (mine.contains(inode)) {
                    drops[1] += dropped;
                    drops[3] += queued;
                }
            }
        }
        return drops;
    }

    private static java.util.Set<String> socketInodes(String process) {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (var fds = Files.list(Path.of("/proc", process, "fd"))) {
            fds.forEach(fd -> {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (Exception gone) {
                    // closed meanwhile
                }
            });
        } catch (Exception e) {
            // no such process: nothing of it counted
        }
        return inodes;
    }

    /** The machine's UDP RcvbufErrors and SndbufErrors (/proc/net/snmp), every process's. */
    static long[] udpErrors() throws Exception {
        List<String> udp = Files.readAllLines(Path.of("/proc/net/snmp")).stream().filter(l -> l.startsWith("Udp: ")).toList();
        List<String> names = List.of(udp.get(0).split(" "));
        String[] values = udp.get(1).split(" ");
        return new long[] {Long.parseLong(values[names.indexOf("RcvbufErrors")]),
                Long.parseLong(values[names.indexOf("SndbufErrors")])};
    }

    /**
     * The machine's busy and total CPU time in clock ticks, all cores (the "cpu" line of /proc/stat; idle and iowait
     * are not busy), and its number of cores: whether the SFU and the generator had the cores to themselves or the
     * machine was out of CPU.
     */
    static long[] machineTicks() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
        String[] f = lines.get(0).trim().split(" +");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {   // user nice system idle iowait irq softirq steal
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        long cores = lines.stream().filter(l -> l.matches("cpu[0-9]+ .*")).count();
        return new long[] {total - idle, total, cores};
    }

    /** User + system CPU time of process {@code pid} in clock ticks (fields 14 and 15 of /proc/pid/stat). */
    static long cpuTicks(int pid) throws Exception {
        if (pid == 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);   // fields 14 and 15, counted from field 3
    }

    /**
     * Sends every publisher's packets on one thread, paced on a 1 ms tick from a monotonic clock: each tick sends what
     * is due by then, so a late tick catches up rather than lowering the rate ({@code late} counts ticks of 5 ms or
     * more: the generator, not the SFU, was short of CPU; it then skips rather than bursts, see run()).
     */
    private static final class Sender implements Runnable {
        final List<Publisher> publishers;
        final Options o;
        final byte[] video;
        final byte[] audio;
        volatile boolean stop;
        volatile long late;

        Sender(List<Publisher> publishers, Options o) {
            this.publishers = publishers;
            this.o = o;
            if (o.rare > 0) {
                // within 2 s of the wrap: C2 then compiles the SFU's rollover and gap paths in the warm-up, not
                // in a measured step (a never-taken branch is a trap that throws the compiled method away)
                for (Publisher p : publishers) {
                    p.videoSequence = 65536 - ThreadLocalRandom.current().nextInt(1, 2 * o.videoRate);
                    p.audioSequence = 65536 - ThreadLocalRandom.current().nextInt(1, 2 * AUDIO_RATE);
                }
            }
            video = new byte[o.videoBytes];
            ThreadLocalRandom.current().nextBytes(video);
            video[0] = (byte) 0x80;
            video[1] = (byte) (0x80 | BrowserPeer.VP8);   // marker: every packet ends its frame
            // RFC 7741 §4.2 descriptor: S=1, partition 0; §4.3 header: a key frame (P=0), shown, 640x480
            byte[] vp8 = {0x10, 0x10, 0x02, 0x00, (byte) 0x9d, 0x01, 0x2a, (byte) 0x80, 0x02, (byte) 0xe0, 0x01};
            System.arraycopy(vp8, 0, video, 12, vp8.length);
            audio = new byte[AUDIO_BYTES];
            ThreadLocalRandom.current().nextBytes(audio);
            audio[0] = (byte) 0x80;
            audio[1] = (byte) BrowserPeer.OPUS;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            long previous = start;
            while (!stop) {
                long now = System.nanoTime();
                if (now - previous > 5_000_000) {
                    late++;
                }
                previous = now;
                double elapsed = (now - start) / 1e9;
                for (Publisher p : publishers) {
                    try {
                        // a stalled generator skips what it could not send in time (it never existed: the sequence
                        // numbers stay contiguous) rather than bursting it into the SFU's socket buffers
                        p.videoSent = Math.max(p.videoSent, (long) (elapsed * o.videoRate) - Math.max(1, o.videoRate / 50));
                        p.audioSent = Math.max(p.audioSent, (long) (elapsed * AUDIO_RATE) - 1);
                        for (long due = (long) (elapsed * o.videoRate); p.videoSent < due; p.videoSent++) {
                            send(p, video, p.videoSequence++, p.videoSent * 90_000 / o.videoRate,
                                    BrowserPeer.VIDEO_SSRC);
                        }
                        for (long due = (long) (elapsed * AUDIO_RATE); p.audioSent < due; p.audioSent++) {
                            send(p, audio, p.audioSequence++, p.audioSent * 960, BrowserPeer.AUDIO_SSRC);
                        }
                    } catch (Exception e) {
                        System.err.println("send: " + e);
                    }
                }
                LockSupport.parkNanos(1_000_000);
            }
        }

        private void send(Publisher p, byte[] packet, int sequence, long timestamp, long ssrc) throws Exception {
            if (o.rare > 0 && sequence % o.rare == 0) {
                return;   // a gap
            }
            packet[2] = (byte) (sequence >> 8);
            packet[3] = (byte) sequence;
            for (int i = 0; i < 4; i++) {
                packet[4 + i] = (byte) (timestamp >> (24 - 8 * i));
                packet[8 + i] = (byte) (ssrc >> (24 - 8 * i));
            }
            p.peer.send(packet, packet.length);
            p.sent.incrementAndGet();
        }
    }

    private static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--target" -> o.target = value;
                case "--url" -> o.url = URI.create(value);
                case "--rooms" -> o.rooms = Integer.parseInt(value);
                case "--publishers" -> o.publishers = Integer.parseInt(value);
                case "--subscribers" -> o.subscribers = Integer.parseInt(value);
                case "--video-rate" -> o.videoRate = Integer.parseInt(value);
                case "--video-bytes" -> o.videoBytes = Integer.parseInt(value);
                case "--seconds" -> o.seconds = Integer.parseInt(value);
                case "--warmup" -> o.warmup = Integer.parseInt(value);
                case "--auth-every" -> o.authEvery = Integer.parseInt(value);
                case "--rare" -> o.rare = Integer.parseInt(value);
                case "--pid" -> o.pid = Integer.parseInt(value);
                default -> {
                    System.out.println("""
                            usage: SfuBench [options]
                              --target T        sylk (sylkRTC WebSocket at --url), janus (Janus HTTP API at --url)
                                                or self-check (the loss accounting's own check)
                              --rooms N --publishers P --subscribers S
                                                N rooms, each with P publishers and S subscribers attaching all P
                              --video-rate R --video-bytes B   video packets/s and bytes per publisher (200, 1200);
                                                audio is 50 packets/s of 120 bytes
                              --seconds S --warmup W           measured window and warm-up (10, 3)
                              --auth-every K    authenticate one received packet in K per feed (64)
                              --rare N          what a running SFU meets now and then, for a warm-up: one packet in
                                                N of each stream not sent (a gap: loss in the SFU's reports, its
                                                NACKs) and every stream's sequence numbers wrapping in the first
                                                seconds (RFC 3550 §A.1 cycles, RFC 3711 §3.3.1 rollover); 0: off
                              --pid PID         the SFU process, for its CPU time
                            """);
                    return null;
                }
            }
            i++;
        }
        return o;
    }
}
