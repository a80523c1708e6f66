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
        /**
         * How the peers read: "poll" or "select" (after ICE and DTLS, ice4j freed and every socket read by
         * {@code readers} selector threads, {@link Readers}: polling every {@code pollMicros}, or blocked in select
         * and woken by the datagrams) or "ice4j" (each peer's own reader thread on ice4j's socket, as before session
         * 26).
         */
        String reader = "poll";
        int readers = 1;
        int pollMicros = 1000;
    }

    /** Why sampled packets failed to unprotect, with counts (printed on stderr after the window). */
    static final java.util.Map<String, AtomicLong> FAILURES = new java.util.concurrent.ConcurrentHashMap<>();

    static final int AUDIO_RATE = 50;
    static final int AUDIO_BYTES = 120;
    /** Where in the payload the sender writes its mark ('S', kind, its 32-bit sequence number). */
    static final int MARK_OFFSET = 12;
    /** {@link StreamCounter#kind} of a stream whose opened packets carry no mark: not the publisher's media. */
    static final int UNMARKED = -2;

    /**
     * What the benchmark needs of a peer: {@link BrowserPeer} (ICE, DTLS, SRTP) against an SFU, {@link PlainPeer}
     * (bare UDP) against the baseline relays.
     */
    interface Peer extends AutoCloseable {
        /** Sends one RTP packet (as SRTP where the peer has keys). */
        void send(byte[] packet, int length) throws Exception;

        /** Hands every received packet to {@code sink}, on the peer's reader thread. */
        void sink(BrowserPeer.PacketSink sink);

        /**
         * Authenticates and decrypts a received packet: the RTP packet in clear (a plain peer's is the packet); throws
         * if it does not authenticate.
         */
        byte[] open(byte[] packet, int length) throws Exception;

        @Override
        void close();
    }

    /** A {@link BrowserPeer} as a {@link Peer}; {@code port}: its socket read by {@link Readers}, or null (ice4j's). */
    private record SrtpPeer(BrowserPeer peer, Readers.Port port) implements Peer {
        @Override
        public void send(byte[] packet, int length) throws Exception {
            peer.sendRtp(packet, length);
        }

        @Override
        public void sink(BrowserPeer.PacketSink sink) {
            if (port != null) {
                port.sink = sink;
            } else {
                peer.sink(sink);
            }
        }

        @Override
        public byte[] open(byte[] packet, int length) throws Exception {
            return peer.unprotectRtp(packet, length);
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
        /** Packets sent of each stream (the sender thread's). */
        long videoPackets;
        long audioPackets;
        /**
         * The window's edges, taken by the sender thread between two ticks ({@link Sender#mark}): [0] opening, [1]
         * closing, each {next video sequence number, next audio one, video packets sent, audio packets sent}.
         */
        final long[][] marks = new long[2][4];

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
        /** Opened packets whose sender's number was not the stream's origin + index (the SFU renumbered). */
        final AtomicLong offsetMismatches = new AtomicLong();
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
            long index = 0;
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
                stream = new StreamCounter(ssrc, sequence);
                streams[count] = stream;
                streamCount = count + 1;
                first = true;
            } else {
                index = stream.received(sequence);
            }
            // a stream's first packet is always authenticated: the SRTP receiver learns the stream's rollover counter
            // only from packets it authenticates (RFC 3711 §3.3.1, ROC 0 at the first); a stream whose sequence
            // numbers wrapped before its first sample was otherwise taken at the wrong ROC, and every later sample
            // of it failed (session 22: 8 of 8 samples of one audio SSRC at 16 rooms, its video fine)
            if (packets++ % authEvery == 0 || first) {
                try {
                    byte[] clear = peer.open(buffer, length);
                    authenticated.incrementAndGet();
                    // the sender's number in the payload maps the stream's indices to the sender's window
                    long mark = mark(clear, clear.length);
                    if (mark == -1) {
                        if (stream.origin == StreamCounter.UNKNOWN) {
                            stream.kind = UNMARKED;   // not the publisher's media (an SFU's own stream): not counted
                        }
                    } else {
                        long senderSequence = (int) mark;
                        if (stream.origin == StreamCounter.UNKNOWN) {
                            stream.kind = (int) (mark >>> 32);   // also a stream first taken for unmarked
                            stream.origin = senderSequence - index;
                        } else if (stream.origin + index != senderSequence) {
                            offsetMismatches.incrementAndGet();
                        }
                    }
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

        /**
         * The sender's mark in a packet in clear ({@link Sender#send}): kind (1 video, 0 audio) << 32 | its own
         * sequence number (as an unsigned int), or -1 when there is none. After the RTP header with its CSRCs and
         * header extension (an SFU may add one, RFC 8285), at the payload's byte 12 (video: after the VP8 descriptor
         * and key frame header).
         */
        static long mark(byte[] rtp, int length) {
            if (length < 12) {
                return -1;
            }
            int offset = 12 + 4 * (rtp[0] & 0x0f);
            if ((rtp[0] & 0x10) != 0) {
                if (offset + 4 > length) {
                    return -1;
                }
                offset += 4 + 4 * (((rtp[offset + 2] & 0xff) << 8) | (rtp[offset + 3] & 0xff));
            }
            offset += MARK_OFFSET;
            if (offset + 6 > length || rtp[offset] != 'S' || (rtp[offset + 1] & 0xfe) != 0) {
                return -1;
            }
            long sequence = ((rtp[offset + 2] & 0xffL) << 24) | ((rtp[offset + 3] & 0xff) << 16)
                    | ((rtp[offset + 4] & 0xff) << 8) | (rtp[offset + 5] & 0xff);
            return ((long) rtp[offset + 1] << 32) | sequence;
        }

        /**
         * Distinct packets of this feed's publisher sent in the window (its marks {@code open}, {@code close}) that
         * arrived, by each stream's sequence numbers; -1 when a stream that arrived has no known origin.
         */
        long receivedIn(long[] open, long[] close) {
            long sum = 0;
            for (int i = 0; i < streamCount; i++) {
                StreamCounter stream = streams[i];
                if (stream.kind == UNMARKED) {
                    continue;
                }
                if (stream.origin == StreamCounter.UNKNOWN) {
                    return -1;
                }
                int k = stream.kind == 1 ? 0 : 1;
                sum += stream.receivedBetween(open[k], close[k]);
            }
            return sum;
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
            readersSelfCheck(0);
            readersSelfCheck(1_000_000);
            return;
        }
        if (o.target.equals("relay")) {
            relay(o);
            return;
        }
        READERS = readers(o);
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
                        return new Publisher(connect(peer, published.answer()), published);
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
                            connect(own, answer[0]);   // a member's own connection, idle
                        }
                        List<Leg> mine = new ArrayList<>();
                        for (Publisher publisher : inRoom) {
                            Signalling.Feed feed = signalling.subscribe(room, viewer, index, publisher.published);
                            BrowserPeer peer = new BrowserPeer(false);
                            peers.add(peer);
                            feed.answer(peer.answer(feed.offer()));
                            SrtpPeer connected = connect(peer, feed.offer());
                            Leg leg = new Leg(connected, publisher, o.authEvery, Leg.rtxTypes(feed.offer()));
                            connected.sink(leg::received);
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
            if (READERS != null) {
                READERS.close();
            }
            peers.forEach(BrowserPeer::close);
        }
        System.exit(0);
    }

    /** The peers' selector threads with {@code --reader poll} or {@code select}, else null. */
    static volatile Readers READERS;

    private static Readers readers(Options o) throws java.io.IOException {
        return switch (o.reader) {
            case "poll" -> new Readers(o.readers, o.pollMicros * 1000L);
            case "select" -> new Readers(o.readers, 0);
            case "ice4j" -> null;
            default -> throw new IllegalArgumentException("--reader poll, select or ice4j, not " + o.reader);
        };
    }
    /** Every port the readers read, for the consent figures. */
    static final List<Readers.Port> PORTS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * ICE and DTLS towards the SFU's {@code sdp}; with the poll or select reader the peer is then detached from ice4j and its
     * socket read by {@link #READERS}.
     */
    private static SrtpPeer connect(BrowserPeer peer, String sdp) throws Exception {
        Readers readers = READERS;
        if (readers == null) {
            peer.connect(sdp, Signalling.WAIT);
            return new SrtpPeer(peer, null);
        }
        peer.connect(sdp, Signalling.WAIT, false);
        BrowserPeer.Detached detached = peer.detach();
        Readers.Port port = new Readers.Port(detached.channel(), detached);
        readers.add(port);
        PORTS.add(port);
        return new SrtpPeer(peer, port);
    }

    /**
     * The same rooms against a baseline relay at {@code --url udp://host:port} (bench/sfu/relay: relay.c, JavaRelay):
     * plain UDP peers, the same packets with SRTP's 10-byte tag appended as padding so that every datagram has the
     * size it has against an SFU, the same sender, counters and CPU accounting.
     */
    private static void relay(Options o) throws Exception {
        InetSocketAddress relay = new InetSocketAddress(o.url.getHost(), o.url.getPort());
        READERS = readers(o);
        List<Publisher> publishers = new ArrayList<>();
        List<Leg> legs = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        try {
            for (int r = 0; r < o.rooms; r++) {
                List<Publisher> inRoom = new ArrayList<>();
                for (int p = 0; p < o.publishers; p++) {
                    PlainPeer peer = new PlainPeer(relay, READERS);
                    peers.add(peer);
                    inRoom.add(new Publisher(peer, new Signalling.Published("", String.valueOf(peer.port()))));
                }
                for (int s = 0; s < o.subscribers; s++) {
                    for (Publisher publisher : inRoom) {
                        PlainPeer peer = new PlainPeer(relay, READERS);
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
            if (READERS != null) {
                READERS.close();
            }
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
                public byte[] open(byte[] packet, int length) throws Exception {
                    return receiver.unprotectRtp(packet, length);
                }

                @Override
                public void close() {
                }
            };
            Leg leg = new Leg(peer, null, 64);
            int audio = 65_530;
            // as an SFU forwards them: the video's numbers rewritten by +7,000, a header extension added (RFC 8285,
            // one word), the sender's marks in the payloads; video 1,500 lost
            for (int i = 0; i < 2_000; i++) {
                boolean isAudio = i % 5 == 4;
                byte[] rtp = new byte[isAudio ? AUDIO_BYTES + 8 : 200];
                rtp[0] = (byte) 0x90;
                rtp[1] = (byte) (isAudio ? BrowserPeer.OPUS : BrowserPeer.VP8);
                int ours = isAudio ? 100 + (i - 4) / 5 : 1_000 + i;
                int sequence = isAudio ? audio++ & 0xffff : ours + 7_000;
                rtp[2] = (byte) (sequence >> 8);
                rtp[3] = (byte) sequence;
                rtp[11] = (byte) (isAudio ? 1 : 2);   // SSRC
                rtp[12] = (byte) 0xbe;
                rtp[13] = (byte) 0xde;
                rtp[15] = 1;
                rtp[16] = 0x10;   // ID 1, one byte
                int mark = 20 + MARK_OFFSET;
                rtp[mark] = 'S';
                rtp[mark + 1] = (byte) (isAudio ? 0 : 1);
                for (int b = 0; b < 4; b++) {
                    rtp[mark + 2 + b] = (byte) (ours >> (24 - 8 * b));
                }
                if (ours == 1_500 && !isAudio) {
                    continue;
                }
                byte[] srtp = sender.protectRtp(rtp, rtp.length);
                leg.received(srtp, srtp.length);
            }
            if (leg.authFailures.get() != 0 || leg.authenticated.get() < 30) {
                throw new IllegalStateException("sampled authentication across a rollover: "
                        + leg.authenticated.get() + " authenticated, " + leg.authFailures.get() + " failed");
            }
            // and a stream of the SFU's own without the sender's mark (padding on an SSRC of its own): not counted, and
            // no reason to call the feed unmapped
            for (int i = 0; i < 10; i++) {
                byte[] rtp = new byte[200];
                rtp[0] = (byte) 0x80;
                rtp[1] = (byte) BrowserPeer.VP8;
                rtp[3] = (byte) i;
                rtp[11] = 3;   // SSRC
                byte[] srtp = sender.protectRtp(rtp, rtp.length);
                leg.received(srtp, srtp.length);
            }
            // the window [video 1,200, audio 140) to [video 1,800, audio 260): of the 600 video numbers the 480 not
            // taken by audio's turns, less the lost one; 120 audio
            long inWindow = leg.receivedIn(new long[] {1_200, 140}, new long[] {1_800, 260});
            if (inWindow != 479 + 120 || leg.offsetMismatches.get() != 0) {
                throw new IllegalStateException("the window by the sender's numbers: " + inWindow + " of 599, "
                        + leg.offsetMismatches.get() + " offsets that did not match");
            }
        }
        // per feed: one feed 8 short of 3,168 fails the step even with the total at 0.13 %... and with another
        // feed's count in surplus it still does (the old count summed the feeds)
        Shortfall f = new Shortfall(new long[] {3_168, 3_168, 3_168}, new long[] {3_168, 3_160, 3_167});
        if (f.any != 2 || f.overTenth != 1 || f.max != 8 || f.min != 0 || f.got != 9_495 || f.unmapped != 0
                || new Shortfall(new long[] {10}, new long[] {-1}).unmapped != 1) {
            throw new IllegalStateException("per-feed shortfall: " + f.any + " " + f.overTenth + " " + f.max);
        }
        System.out.println("self-check: sampled SRTP authentication ok (across a rollover); the window counted by the"
                + " sender's numbers through a rewriting SFU; per-feed shortfall");
    }

    /**
     * The select or poll reader on loopback: every datagram of 20,000 read (none lost in Java, none left), and a peer's
     * consent check, sent by the reader on its own, accepted by the SFU's ICE-lite agent (media-engine's
     * {@code IceLite}) and its answer counted.
     */
    private static void readersSelfCheck(long pollNanos) throws Exception {
        var sfu = java.nio.channels.DatagramChannel.open()
                .bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        var ice = new org.sylkserver.media.ice.IceLite();
        var peerChannel = java.nio.channels.DatagramChannel.open();
        peerChannel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
        peerChannel.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress peerAddress = (InetSocketAddress) peerChannel.getLocalAddress();
        var detached = new BrowserPeer.Detached(peerChannel, (InetSocketAddress) sfu.getLocalAddress(), "peerfrag",
                ice.ufrag(), ice.password());
        Readers.Port port = new Readers.Port(peerChannel, detached);
        AtomicLong got = new AtomicLong();
        port.sink = (buffer, length) -> {
            if (length == 1_210 && (buffer[0] & 0xff) == 0x80) {
                got.incrementAndGet();
            }
        };
        try (Readers readers = new Readers(1, pollNanos)) {
            readers.add(port);
            byte[] datagram = new byte[1_210];
            datagram[0] = (byte) 0x80;
            for (int i = 0; i < 20_000; i++) {
                sfu.send(java.nio.ByteBuffer.wrap(datagram), peerAddress);
                if (i % 20 == 19) {   // 20,000/s at most: what a reader must keep up with, not a flood
                    Thread.sleep(1);
                }
            }
            // the consent check within 1 s of the add; answered as the SFU answers it
            sfu.configureBlocking(false);
            java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(2048);
            long deadline = System.nanoTime() + 3_000_000_000L;
            boolean answered = false;
            while (System.nanoTime() < deadline && !answered) {
                in.clear();
                var from = (InetSocketAddress) sfu.receive(in);
                if (from == null) {
                    Thread.sleep(5);
                    continue;
                }
                byte[] check = java.util.Arrays.copyOf(in.array(), in.position());
                var outcome = ice.check(check, from, (InetSocketAddress) sfu.getLocalAddress(),
                        reply -> {
                            try {
                                sfu.send(java.nio.ByteBuffer.wrap(reply), from);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                if (outcome != org.sylkserver.media.ice.IceLite.Outcome.CHECKED) {
                    throw new IllegalStateException("the SFU's ICE agent did not take the consent check: " + outcome);
                }
                answered = true;
            }
            for (int i = 0; i < 200 && (got.get() < 20_000 || port.consentAnswered.get() == 0); i++) {
                Thread.sleep(10);
            }
            // a datagram the kernel dropped at the full socket (a reader starved of CPU by a busy machine) is not the
            // reader's: counted apart
            long dropped = kernelDrops(peerAddress.getPort());
            if (got.get() + dropped != 20_000 || got.get() == 0 || port.consentSent.get() < 1
                    || port.consentAnswered.get() != 1) {
                throw new IllegalStateException((pollNanos == 0 ? "select" : "poll") + " reader: " + got.get()
                        + " of 20,000 datagrams (" + dropped + " dropped by the kernel), consent "
                        + port.consentSent.get() + " sent, " + port.consentAnswered.get() + " answered");
            }
            readersSelfCheckPassed(pollNanos, dropped);
        } finally {
            sfu.close();
            peerChannel.close();
        }
    }

    private static void readersSelfCheckPassed(long pollNanos, long dropped) {
        System.out.println("self-check: " + (pollNanos == 0 ? "select" : "poll") + " reader ok (20,000 datagrams, "
                + dropped + " of them dropped by the kernel at the full socket; a consent check answered by IceLite)");
    }

    private static void measure(Options o, List<Publisher> publishers, List<Leg> legs) throws Exception {
        Sender sender = new Sender(publishers, o);
        Thread thread = new Thread(sender, "sender");
        thread.start();
        Thread.sleep(o.warmup * 1000L);

        // received before sent (the count-based loss, kept for comparison with earlier sessions): a packet sent and
        // received between the two snapshots must not count as lost; its error is the packets in flight, counted
        // received but not expected. The window's verdict counts by sequence numbers instead (see below).
        long[] legReceived0 = legs.stream().mapToLong(Leg::received).toArray();
        long rtx0 = legs.stream().mapToLong(l -> l.retransmissions).sum();
        long gap0 = legs.stream().mapToLong(Leg::gapLost).sum();
        sender.mark(0);
        long cpu0 = cpuTicks(o.pid);
        long self0 = cpuTicks((int) ProcessHandle.current().pid());
        long[] machine0 = machineTicks();
        Map<String, long[]> threads0 = threads(o.pid);
        Map<String, long[]> mine0 = threads((int) ProcessHandle.current().pid());
        long[] drops0 = socketDrops(o.pid);
        long[] udp0 = udpErrors();
        long[] reads0 = READERS == null ? new long[2] : READERS.counts();
        long ipis0 = ipis();
        long start = System.nanoTime();
        java.time.Instant opened = java.time.Instant.now();
        Thread.sleep(o.seconds * 1000L);
        sender.mark(1);
        // for profiles of the SFU (bench/jfr/JfrTop.java --from --to)
        System.err.println("measured window: --from " + opened + " --to " + java.time.Instant.now());
        FAILURES.forEach((why, count) -> System.err.println("sampled packets failing: " + count + " x " + why));
        sender.stop = true;
        thread.join();
        long sendSeconds = System.nanoTime() - start;
        // where datagrams wait when the window closes: at the SFU's sockets (it is behind) or the peers' (the generator is)
        long[] queuedAtEnd = socketDrops(o.pid);
        // each feed's packets of the window by the sender's sequence numbers: exact, nothing in flight at the
        // window's edges counted (the sender took the edges between two ticks); counted as the window closes, 2 s
        // later (the verdict's) and 5 s later, so that a reader that lags shows as a shortfall that shrinks
        long[] due = new long[legs.size()];
        for (int l = 0; l < legs.size(); l++) {
            long[][] m = legs.get(l).publisher.marks;
            due[l] = m[1][2] - m[0][2] + m[1][3] - m[0][3];
        }
        long[] got0 = windowCounts(publishers, legs);
        Thread.sleep(2000);   // what was in flight (or queued in a starved SFU) when the window closed arrives
        long[] got = windowCounts(publishers, legs);
        long cpu1 = cpuTicks(o.pid);
        long self1 = cpuTicks((int) ProcessHandle.current().pid());
        long[] machine1 = machineTicks();
        Map<String, long[]> threads1 = threads(o.pid);
        Map<String, long[]> mine1 = threads((int) ProcessHandle.current().pid());
        long[] drops1 = socketDrops(o.pid);
        long[] udp1 = udpErrors();
        long[] reads1 = READERS == null ? new long[2] : READERS.counts();
        long ipis1 = ipis();
        double window = (System.nanoTime() - start) / 1e9;
        long countReceived = legs.stream().mapToLong(Leg::received).sum() - java.util.Arrays.stream(legReceived0).sum();
        long retransmitted = legs.stream().mapToLong(l -> l.retransmissions).sum() - rtx0;
        long gapLost = legs.stream().mapToLong(Leg::gapLost).sum() - gap0;
        Thread.sleep(3000);
        long[] got5 = windowCounts(publishers, legs);

        long sent = 0;
        for (Publisher p : publishers) {
            sent += p.marks[1][2] - p.marks[0][2] + p.marks[1][3] - p.marks[0][3];
        }
        Shortfall at0 = new Shortfall(due, got0);
        Shortfall at2 = new Shortfall(due, got);
        Shortfall at5 = new Shortfall(due, got5);
        long expected = at2.due;
        long received = at2.got;
        // the old count: everything received since the first snapshot (in flight at the window's edges included)
        double countLoss = StreamCounter.percent(expected - countReceived, expected);
        double gapLoss = StreamCounter.percent(gapLost, expected);
        long authenticated = legs.stream().mapToLong(l -> l.authenticated.get()).sum();
        long authFailures = legs.stream().mapToLong(l -> l.authFailures.get()).sum();
        long mismatches = legs.stream().mapToLong(l -> l.offsetMismatches.get()).sum();
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
        // the generator's own context switches in the window (all its threads): how often the SFU's sends woke it
        long generatorSwitches = 0;
        for (Map.Entry<String, long[]> t : mine1.entrySet()) {
            long[] before = mine0.getOrDefault(t.getKey(), new long[4]);
            generatorSwitches += t.getValue()[1] - before[1] + t.getValue()[2] - before[2];
        }
        // ICE consent (poll and select readers): checks answered in the window, and peers without an answer for 10 s
        long consentSent = 0;
        long consentAnswered = 0;
        int consentStale = 0;
        long now = System.nanoTime();
        for (Readers.Port port : PORTS) {
            consentSent += port.consentSent.get();
            consentAnswered += port.consentAnswered.get();
            if (now - port.lastAnswered > 10_000_000_000L) {
                consentStale++;
            }
        }
        // the verdict: the total within the goal's 0.1 %, and no feed short by more than 0.1 % of its own packets
        // (the window is counted exactly, so a feed's surplus cannot cover another's shortfall, and there is no
        // in-flight allowance), and every feed's streams mapped to the sender's numbers without a mismatch
        double loss = StreamCounter.percent(expected - received, expected);
        boolean pass = loss <= 0.1 && at2.overTenth == 0 && at2.unmapped == 0 && mismatches == 0 && authFailures == 0;
        System.err.printf(java.util.Locale.ROOT, "per feed, short of the window's packets (%d feeds):%n", legs.size());
        for (String[] row : new String[][] {{"at the window's end", null}, {"2 s later (verdict)", null},
                {"5 s later", null}}) {
            Shortfall f = row[0].startsWith("at") ? at0 : row[0].startsWith("2") ? at2 : at5;
            System.err.printf(java.util.Locale.ROOT, "  %-20s %7d packets short (%.3f %%), feeds short %d, over 0.1 %% %d,"
                    + " over 1 %% %d, empty %d; per feed min %d max %d (%.2f %%)%n", row[0], f.due - f.got,
                    StreamCounter.percent(f.due - f.got, f.due), f.any, f.overTenth, f.overOne, f.empty, f.min, f.max,
                    f.maxPercent);
        }
        System.out.printf(java.util.Locale.ROOT, "RESULT target=%s rooms=%d publishers=%d subscribers=%d feeds=%d sent_pps=%.0f"
                        + " forwarded_pps=%.0f expected=%d received=%d loss_pct=%.3f gap_loss_pct=%.3f auth_ok=%d"
                        + " auth_failed=%d server_cpu_pct=%.0f pps_per_core=%.0f late_ticks=%d server_drops=%d peer_drops=%d"
                        + " rcvbuf_errors=%d sndbuf_errors=%d busiest_thread=%s busiest_cpu_pct=%.0f busiest_nvcsw_ps=%.0f"
                        + " busiest_vcsw_ps=%.0f generator_cpu_pct=%.0f machine_busy_pct=%.0f machine_cores=%d busiest_wait_pct=%.0f"
                        + " queued_sfu_bytes=%d queued_peers_bytes=%d feeds_empty=%d feeds_short=%d rtx_packets=%d"
                        + " verdict=%s count_loss_pct=%.3f feeds_short_any=%d feeds_short_over=%d feed_short_min=%d"
                        + " feed_short_max=%d feed_short_max_pct=%.2f short_packets_0s=%d feeds_short_0s=%d"
                        + " short_packets_5s=%d feeds_short_5s=%d offset_mismatches=%d unmapped_feeds=%d reader=%s"
                        + " generator_threads=%d generator_switches_ps=%.0f reader_datagrams_per_wakeup=%.1f"
                        + " consent_sent=%d consent_answered=%d consent_stale=%d ipis_ps=%.0f%n",
                o.target, o.rooms, publishers.size(), o.rooms * o.subscribers, legs.size(), sent / (sendSeconds / 1e9),
                forwardedPerSecond, expected, received, loss, gapLoss, authenticated,
                authFailures, 100 * cpuSeconds / window, cpuSeconds > 0 ? received / cpuSeconds : 0, sender.late,
                drops1[0] - drops0[0], drops1[1] - drops0[1], udp1[0] - udp0[0], udp1[1] - udp0[1], busiest,
                most[0] / window, most[1] / window, most[2] / window, (self1 - self0) / window,
                100.0 * (machine1[0] - machine0[0]) / Math.max(1, machine1[1] - machine0[1]) * machine1[2], machine1[2], most[3] / 1e7 / window,
                queuedAtEnd[2], queuedAtEnd[3], at2.empty, at2.overOne, retransmitted,
                pass ? "pass" : "fail", countLoss, at2.any, at2.overTenth, at2.min, at2.max, at2.maxPercent,
                at0.due - at0.got, at0.any, at5.due - at5.got, at5.any, mismatches, at2.unmapped, o.reader,
                mine1.size(), generatorSwitches / window,
                reads1[1] > reads0[1] ? (double) (reads1[0] - reads0[0]) / (reads1[1] - reads0[1]) : 0,
                consentSent, consentAnswered, consentStale, (ipis1 - ipis0) / window);
    }

    /** Each feed's distinct packets of the window (-1: a stream of it not mapped to the sender's numbers). */
    private static long[] windowCounts(List<Publisher> publishers, List<Leg> legs) {
        long[] got = new long[legs.size()];
        for (int l = 0; l < legs.size(); l++) {
            Leg leg = legs.get(l);
            got[l] = leg.receivedIn(leg.publisher.marks[0], leg.publisher.marks[1]);
        }
        return got;
    }

    /**
     * How the feeds fell short of their packets of the window: in all, and per feed (a feed's count is its own, so
     * no feed's surplus covers another's shortfall; an unmapped feed counts as having received nothing).
     */
    static final class Shortfall {
        long due;
        long got;
        int any;
        int overTenth;
        int overOne;
        int empty;
        int unmapped;
        long min = Long.MAX_VALUE;
        long max;
        double maxPercent;

        Shortfall(long[] dues, long[] gots) {
            for (int l = 0; l < dues.length; l++) {
                long g = gots[l];
                if (g < 0) {
                    unmapped++;
                    g = 0;
                }
                long shortBy = dues[l] - g;
                due += dues[l];
                got += g;
                min = Math.min(min, shortBy);
                max = Math.max(max, shortBy);
                double percent = StreamCounter.percent(shortBy, dues[l]);
                maxPercent = Math.max(maxPercent, percent);
                if (shortBy > 0) {
                    any++;
                }
                if (percent > 0.1) {
                    overTenth++;
                }
                if (percent > 1) {
                    overOne++;
                }
                if (g == 0 && dues[l] > 0) {
                    empty++;
                }
            }
            if (dues.length == 0) {
                min = 0;
            }
        }
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

    /**
     * The machine's rescheduling and function-call interrupts so far, all cores (/proc/interrupts RES and CAL): the
     * inter-processor interrupts a wake-up of a thread on another core costs (in a VM each is an exit to the host).
     */
    static long ipis() {
        long sum = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/interrupts"))) {
                String t = line.trim();
                if (t.startsWith("RES:") || t.startsWith("CAL:")) {
                    for (String f : t.substring(4).trim().split("\\s+")) {
                        if (!f.matches("[0-9]+")) {
                            break;
                        }
                        sum += Long.parseLong(f);
                    }
                }
            }
        } catch (Exception e) {
            // no /proc/interrupts
        }
        return sum;
    }

    /** Datagrams the kernel dropped at the full receive buffer of the UDP socket on local port {@code port}. */
    static long kernelDrops(int port) throws Exception {
        for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {   // a channel is IPv6 (dual stack)
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port) {
                    return Long.parseLong(f[f.length - 1]);
                }
            }
        }
        return 0;
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
        /** A mark asked for ({@link #mark}) and the last one taken. */
        volatile int markWanted = -1;
        volatile int marked = -1;

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
                int wanted = markWanted;
                if (wanted != marked) {
                    // between two ticks: every packet is before or after the edge, none in flight in the sender
                    for (Publisher p : publishers) {
                        long[] m = p.marks[wanted];
                        m[0] = p.videoSequence;
                        m[1] = p.audioSequence;
                        m[2] = p.videoPackets;
                        m[3] = p.audioPackets;
                    }
                    marked = wanted;
                }
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

        /**
         * Takes the window's edge {@code which} (0 opening, 1 closing) on the sender thread between two ticks, and
         * waits for it.
         */
        void mark(int which) throws InterruptedException {
            markWanted = which;
            while (marked != which) {
                Thread.sleep(1);
            }
        }

        private void send(Publisher p, byte[] packet, int sequence, long timestamp, long ssrc) throws Exception {
            boolean video = ssrc == BrowserPeer.VIDEO_SSRC;
            if (o.rare > 0 && sequence % o.rare == 0) {
                return;   // a gap
            }
            packet[2] = (byte) (sequence >> 8);
            packet[3] = (byte) sequence;
            for (int i = 0; i < 4; i++) {
                packet[4 + i] = (byte) (timestamp >> (24 - 8 * i));
                packet[8 + i] = (byte) (ssrc >> (24 - 8 * i));
            }
            // the mark: the receiver maps the SFU's sequence numbers to ours from the packets it decrypts
            int mark = 12 + MARK_OFFSET;
            packet[mark] = 'S';
            packet[mark + 1] = (byte) (video ? 1 : 0);
            for (int i = 0; i < 4; i++) {
                packet[mark + 2 + i] = (byte) (sequence >> (24 - 8 * i));
            }
            p.peer.send(packet, packet.length);
            p.sent.incrementAndGet();
            if (video) {
                p.videoPackets++;
            } else {
                p.audioPackets++;
            }
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
                case "--reader" -> o.reader = value;
                case "--readers" -> o.readers = Integer.parseInt(value);
                case "--poll-us" -> o.pollMicros = Integer.parseInt(value);
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
                              --reader R        poll or select (after ICE and DTLS every peer's socket read
                                                from the kernel by --readers selector threads, which also send the
                                                peers' ICE consent checks: polling every --poll-us, 1000, or blocked
                                                in select and woken by the datagrams) or ice4j (a reader thread per
                                                peer on ice4j's socket, the generator before session 26); poll by
                                                default
                              --readers N       selector threads of the poll and select readers (1)
                            """);
                    return null;
                }
            }
            i++;
        }
        return o;
    }
}
