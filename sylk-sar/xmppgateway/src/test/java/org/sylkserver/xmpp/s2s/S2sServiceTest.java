package org.sylkserver.xmpp.s2s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.xmpp.XmppGatewaySettings;

/**
 * Two gateways federating with each other over loopback (RFC 6120 streams, STARTTLS, XEP-0220 dialback), and raw
 * sockets breaking the rules.
 */
class S2sServiceTest {

    private static SSLContext tls;

    @TempDir
    static Path keys;

    private final List<S2sService> services = new java.util.ArrayList<>();

    @BeforeAll
    static void certificate() throws Exception {
        Path store = keys.resolve("s2s.p12");
        Process keytool = new ProcessBuilder("keytool", "-genkeypair", "-keystore", store.toString(), "-storetype",
                "PKCS12", "-storepass", "secret", "-keypass", "secret", "-keyalg", "EC", "-alias", "s2s", "-dname",
                "CN=s2s.test").redirectErrorStream(true).start();
        keytool.getInputStream().readAllBytes();
        assertEquals(0, keytool.waitFor());
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, "secret".toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keyStore, "secret".toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(factory.getKeyManagers(), null, null);
    }

    @AfterEach
    void stop() {
        services.forEach(S2sService::close);
    }

    /** How long a link's write may wait for a peer that does not read, while its queue is full (short here). */
    private static final Duration SEND_TIMEOUT = Duration.ofMillis(500);

    private static XmppGatewaySettings settings(String domain, Map<String, InetSocketAddress> remotes,
                                                Duration dialbackTimeout) {
        return settings(domain, remotes, dialbackTimeout, 100, 20);
    }

    private static XmppGatewaySettings settings(String domain, Map<String, InetSocketAddress> remotes,
                                                Duration dialbackTimeout, int sendQueueLimit, int perAddress) {
        return new XmppGatewaySettings(Set.of(domain), "conference", InetAddress.getLoopbackAddress(), 0, "tcp",
                Path.of("ca.crt"), Path.of("default.crt"), true, true, Duration.ofSeconds(600), 1000, false, false, false,
                false, 4096, dialbackTimeout, sendQueueLimit, SEND_TIMEOUT, 500, perAddress, 100, 10_000,
                Duration.ofSeconds(2), remotes);
    }

    private S2sService start(XmppGatewaySettings settings, LinkedBlockingQueue<StreamElement> received)
            throws IOException {
        S2sService service = new S2sService(settings, tls, new ServerResolver(settings.remoteServers()), XmppTrace.off());
        service.handler(received::add);
        services.add(service);
        return service;
    }

    /** a.test and b.test each listen; a.test knows where b.test is and the other way round. */
    @Test
    void aStanzaCrossesAfterStarttlsAndDialback_xep0220_2() throws Exception {
        LinkedBlockingQueue<StreamElement> atA = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<StreamElement> atB = new LinkedBlockingQueue<>();
        // ports first, then the services that know them
        InetSocketAddress portA = unusedPort();
        InetSocketAddress portB = unusedPort();
        S2sService a = start(settings("a.test", Map.of("b.test", portB), Duration.ofSeconds(5)), atA);
        a.listen(InetAddress.getLoopbackAddress(), portA.getPort());
        S2sService b = start(settings("b.test", Map.of("a.test", portA), Duration.ofSeconds(5)), atB);
        b.listen(InetAddress.getLoopbackAddress(), portB.getPort());

        assertTrue(a.send("a.test", "b.test", "<message from='romeo@a.test/x' to='juliet@b.test'><body>hi</body></message>"));
        StreamElement arrived = atB.poll(10, TimeUnit.SECONDS);
        assertNotNull(arrived, "the message reached b.test");
        assertTrue(arrived.xml().contains("<body>hi</body>"), arrived.xml());
        assertEquals("romeo@a.test/x", arrived.attribute("from"));
        // and back, over b's own link
        assertTrue(b.send("b.test", "a.test", "<message from='juliet@b.test' to='romeo@a.test'><body>yo</body></message>"));
        assertNotNull(atA.poll(10, TimeUnit.SECONDS));
    }

    /**
     * A remote server that accepts and then never reads nor answers holds at most send_queue_limit stanzas and
     * delays nobody else: another domain's link works meanwhile.
     */
    @Test
    void aServerThatNeverAnswersBlocksOnlyItsOwnLink() throws Exception {
        try (java.net.ServerSocket stuck = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            LinkedBlockingQueue<StreamElement> atB = new LinkedBlockingQueue<>();
            InetSocketAddress portB = unusedPort();
            InetSocketAddress portA = unusedPort();
            S2sService a = start(settings("a.test", Map.of("b.test", portB, "stuck.test",
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), stuck.getLocalPort())),
                    Duration.ofSeconds(5), 3, 20), new LinkedBlockingQueue<>());
            a.listen(InetAddress.getLoopbackAddress(), portA.getPort());
            S2sService b = start(settings("b.test", Map.of("a.test", portA), Duration.ofSeconds(5)), atB);
            b.listen(InetAddress.getLoopbackAddress(), portB.getPort());
            String stanza = "<message from='romeo@a.test' to='x@stuck.test'><body>waiting</body></message>";
            for (int i = 0; i < 3; i++) {
                assertTrue(a.send("a.test", "stuck.test", stanza));
            }
            assertFalse(a.send("a.test", "stuck.test", stanza), "send_queue_limit reached");
            assertTrue(a.send("a.test", "b.test", "<message from='romeo@a.test' to='juliet@b.test'><body>hi</body></message>"));
            assertNotNull(atB.poll(10, TimeUnit.SECONDS), "b.test is served meanwhile");
        }
    }

    /**
     * RFC 6120 §4.4: once the remote server has ended its stream, a stanza for it goes over a new link; before, one
     * sent while our writer still had older stanzas to write was queued behind the end of the stream and lost. The
     * remote server (played by the test) reads nothing until then, so that the window stays open.
     */
    @Test
    void aStanzaSentAfterThePeerEndedItsStreamGoesOverANewLink_rfc6120_4_4() throws Exception {
        try (FakeRemote remote = new FakeRemote()) {
            S2sService a = start(settings("a.test", Map.of("b.test", remote.address()), Duration.ofSeconds(5), 1000,
                    20), new LinkedBlockingQueue<>());
            java.util.Set<String> sent = new java.util.TreeSet<>();
            for (int i = 0; i < 120; i++) {
                // 120 × 64 KB: more than the sockets' buffers take, so our writer waits for the peer to read
                assertTrue(a.send("a.test", "b.test", bigMessage("m" + i)));
                sent.add("m" + i);
            }
            Socket first = remote.acceptAndAuthenticate();
            first.getOutputStream().write("</stream:stream>".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(500); // a.test reads the end of the stream
            assertTrue(a.send("a.test", "b.test", bigMessage("late")));
            sent.add("late");
            java.util.Set<String> received = new java.util.TreeSet<>(FakeRemote.ids(FakeRemote.readAll(first)));
            assertFalse(received.contains("late"), "the stanza after the end of the stream is not on the first link");
            try {
                received.addAll(FakeRemote.ids(FakeRemote.readUntil(remote.acceptAndAuthenticate(), "id='late'")));
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("no new link came with the stanza sent after the end of the stream", e);
            }
            assertEquals(sent, received, "every stanza reached b.test, on the first link or the new one");
        }
    }

    /**
     * A remote server that stops reading: when send_queue_limit stanzas wait and a write has waited for it for
     * send_timeout, the link ends with the stream error connection-timeout (RFC 6120 §4.9.3.4) and the waiting stanzas come back to their senders as
     * remote-server-timeout errors (RFC 6120 §8.3.3.16) instead of vanishing; the next stanza makes a new link.
     */
    @Test
    void aPeerThatStopsReadingEndsTheLinkAndItsStanzasBounce_rfc6120_4_9_3_4() throws Exception {
        try (FakeRemote remote = new FakeRemote()) {
            LinkedBlockingQueue<StreamElement> atA = new LinkedBlockingQueue<>();
            S2sService a = start(settings("a.test", Map.of("b.test", remote.address()), Duration.ofSeconds(5), 3, 20),
                    atA);
            assertTrue(a.send("a.test", "b.test", bigMessage("first")));
            Socket first = remote.acceptAndAuthenticate();
            int i = 0;
            // the link takes stanzas until its writer waits and send_queue_limit more are queued; it refuses more
            // until the write has waited for send_timeout: then it ends
            while (atA.isEmpty() && i < 1000) {
                a.send("a.test", "b.test", bigMessage("m" + i++));
                Thread.sleep(1);
            }
            StreamElement bounce = atA.poll(5, TimeUnit.SECONDS);
            assertNotNull(bounce, "a stanza not written bounced");
            assertEquals("error", bounce.attribute("type"), bounce.xml());
            assertEquals("juliet@b.test/balcony", bounce.attribute("from"));
            assertEquals("romeo@a.test/x", bounce.attribute("to"));
            assertTrue(bounce.xml().contains("<remote-server-timeout"), bounce.xml());
            String written = FakeRemote.readAll(first);
            assertTrue(written.contains("<connection-timeout"), "the stream error came after what was written");
            assertTrue(written.endsWith("</stream:stream>"), written.substring(Math.max(0, written.length() - 200)));
            // the next stanza goes over a new link
            a.send("a.test", "b.test", "<message from='romeo@a.test/x' to='juliet@b.test' id='after'/>");
            assertTrue(FakeRemote.readUntil(remote.acceptAndAuthenticate(), "id='after'").contains("id='after'"));
        }
    }

    private static String bigMessage(String id) {
        return "<message from='romeo@a.test/x' to='juliet@b.test/balcony' id='" + id + "'><body>" + "x".repeat(65536)
                + "</body></message>";
    }

    /**
     * b.test played by the test on a raw socket with a small receive buffer: it answers a.test's stream header with
     * its own and empty features, and a.test's dialback key with valid without asking anyone.
     */
    private static final class FakeRemote implements AutoCloseable {
        private final java.net.ServerSocket server = new java.net.ServerSocket();

        FakeRemote() throws IOException {
            server.setReceiveBufferSize(4096);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        Socket acceptAndAuthenticate() throws IOException {
            server.setSoTimeout(10_000);
            Socket socket = server.accept();
            socket.setSoTimeout(10_000);
            readUntil(socket, "version='1.0'>");
            socket.getOutputStream().write(("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream="
                    + "'http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='b.test' id='s1' "
                    + "version='1.0'><stream:features/>").getBytes(StandardCharsets.UTF_8));
            readUntil(socket, "</db:result>");
            socket.getOutputStream().write("<db:result from='b.test' to='a.test' type='valid'/>"
                    .getBytes(StandardCharsets.UTF_8));
            return socket;
        }

        /** Reads until {@code marker} has come (or the connection ends); what came. */
        static String readUntil(Socket socket, String marker) throws IOException {
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[65536];
            for (int n; !read.toString(StandardCharsets.UTF_8).contains(marker)
                    && (n = socket.getInputStream().read(buffer)) > 0; ) {
                read.write(buffer, 0, n);
            }
            return read.toString(StandardCharsets.UTF_8);
        }

        /** Reads until the connection ends. */
        static String readAll(Socket socket) throws IOException {
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(read);
            return read.toString(StandardCharsets.UTF_8);
        }

        static List<String> ids(String xml) {
            return java.util.regex.Pattern.compile("<message [^>]*id='([^']+)'").matcher(xml).results()
                    .map(match -> match.group(1)).toList();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A stream that never completes dialback is closed with connection-timeout (XEP-0220 §2, RFC 6120 §4.9.3.4). */
    @Test
    void aStreamWithoutDialbackTimesOut() throws Exception {
        S2sService service = start(settings("a.test", Map.of(), Duration.ofMillis(500)), new LinkedBlockingQueue<>());
        InetSocketAddress address = service.listen(InetAddress.getLoopbackAddress(), 0);
        String answer = exchange(address, header("a.test"), 5000);
        assertTrue(answer.contains("<connection-timeout"), answer);
        assertTrue(answer.endsWith("</stream:stream>"), answer);
    }

    /** A stanza from a domain not authenticated on the stream ends it with not-authorized (RFC 6120 §4.9.3.12). */
    @Test
    void aStanzaBeforeDialbackIsNotAuthorized() throws Exception {
        S2sService service = start(settings("a.test", Map.of(), Duration.ofSeconds(5)), new LinkedBlockingQueue<>());
        InetSocketAddress address = service.listen(InetAddress.getLoopbackAddress(), 0);
        String answer = exchange(address, header("a.test")
                + "<message from='evil@x.test' to='romeo@a.test'><body>spoof</body></message>", 5000);
        assertTrue(answer.contains("<stream:features>") && answer.contains("<starttls"), answer);
        assertTrue(answer.contains("<not-authorized"), answer);
    }

    @Test
    void aStreamForAnotherDomainIsHostUnknown_rfc6120_4_9_3_6() throws Exception {
        S2sService service = start(settings("a.test", Map.of(), Duration.ofSeconds(5)), new LinkedBlockingQueue<>());
        InetSocketAddress address = service.listen(InetAddress.getLoopbackAddress(), 0);
        String answer = exchange(address, header("elsewhere.test"), 5000);
        assertTrue(answer.contains("<host-unknown"), answer);
    }

    @Test
    void anOversizedStanzaIsAPolicyViolation_rfc6120_4_9_3_12() throws Exception {
        S2sService service = start(settings("a.test", Map.of(), Duration.ofSeconds(5)), new LinkedBlockingQueue<>());
        InetSocketAddress address = service.listen(InetAddress.getLoopbackAddress(), 0);
        String answer = exchange(address, header("a.test") + "<message><body>" + "x".repeat(8000), 5000);
        assertTrue(answer.contains("<policy-violation"), answer);
    }

    @Test
    void anEntityBombIsRefused_rfc6120_11_1() throws Exception {
        S2sService service = start(settings("a.test", Map.of(), Duration.ofSeconds(5)), new LinkedBlockingQueue<>());
        InetSocketAddress address = service.listen(InetAddress.getLoopbackAddress(), 0);
        String answer = exchange(address, "<?xml version='1.0'?><!DOCTYPE stream>" + header("a.test"), 5000);
        assertTrue(answer.contains("<restricted-xml"), answer);
        // RFC 6120 §4.9.1.2: the error comes after a stream header of ours
        assertTrue(answer.startsWith("<?xml version='1.0'?><stream:stream"), answer);
    }

    /** Connections over max_inbound_streams_per_address are closed unread; a freed place is taken again. */
    @Test
    void connectionsOverThePerAddressLimitAreClosedUnread() throws Exception {
        S2sService service = start(settings("a.test", Map.of(), Duration.ofSeconds(30), 100, 2),
                new LinkedBlockingQueue<>());
        InetSocketAddress address = service.listen(InetAddress.getLoopbackAddress(), 0);
        Socket first = new Socket(address.getAddress(), address.getPort());
        try (Socket second = new Socket(address.getAddress(), address.getPort())) {
            // both are served: each gets our stream header back
            for (Socket admitted : new Socket[] {first, second}) {
                admitted.getOutputStream().write(header("a.test").getBytes(StandardCharsets.UTF_8));
                admitted.setSoTimeout(5000);
                assertTrue(admitted.getInputStream().read() != -1, "an admitted stream is answered");
            }
            try (Socket third = new Socket(address.getAddress(), address.getPort())) {
                third.setSoTimeout(5000);
                assertEquals(-1, third.getInputStream().read(), "the third connection is closed unread");
            }
            first.close();
            // the place is freed when the server sees the first connection end
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String answer = "";
            while (System.nanoTime() < deadline && !answer.contains("<stream:stream")) {
                answer = exchange(address, header("elsewhere.test"), 5000);
            }
            assertTrue(answer.contains("<host-unknown"), answer);
        }
    }

    /**
     * A loopback port no one listens on, below Linux's ephemeral range (32768-60999), so that no outgoing connection
     * of this or another process takes it between this check and the test's listen (two gateways must know each
     * other's ports before either listens).
     */
    private static InetSocketAddress unusedPort() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + random.nextInt(10_000);
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no unused loopback port in 20000-29999");
    }

    private static String header(String to) {
        return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                + " xmlns:db='jabber:server:dialback' from='remote.test' to='" + to + "' version='1.0'>";
    }

    /** Writes {@code text}, then reads until the server closes the connection. */
    private static String exchange(InetSocketAddress address, String text, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(timeoutMillis);
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
                    read.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // reset or timeout: what came is what we check
            }
            return read.toString(StandardCharsets.UTF_8);
        }
    }
}
