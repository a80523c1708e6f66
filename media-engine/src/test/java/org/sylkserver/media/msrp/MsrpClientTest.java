package org.sylkserver.media.msrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.msrp.ConnectionModel.Setup;
import org.sylkserver.media.msrp.OutgoingMessage.Outcome;
import org.sylkserver.media.msrp.OutgoingMessage.State;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MessageAssembler;
import org.sylkserver.protocols.msrp.MessageSink;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/** The active side over real connections: RFC 4975 §5.4 binding, RFC 6135 roles, §5.1/§7.1.1 chunked sending. */
class MsrpClientTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private MsrpServer near;
    private MsrpServer far;

    @AfterEach
    void stop() throws Exception {
        if (near != null) {
            near.close();
        }
        if (far != null) {
            far.close();
        }
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    static Path randomFile(Path file, long size) throws Exception {
        Random random = new Random(size);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
        return file;
    }

    private static MsrpRequest send(String tid, List<MsrpUri> to, MsrpUri from, String text) {
        return new MsrpRequest(tid, MsrpRequest.SEND, to, List.of(from), List.of(new MsrpHeader("Message-ID",
                "m-" + tid), new MsrpHeader("Content-Type", "text/plain")), text.getBytes(StandardCharsets.UTF_8),
                Continuation.COMPLETE);
    }

    /**
     * RFC 6135 §4: offered actpass, we answer active and connect; RFC 4975 §5.4: the empty SEND binds the session
     * and the peer then sends to us on that connection. The other way round we listen and the peer connects.
     */
    @Test
    void theActiveSideConnectsAndBinds_rfc6135_s4_rfc4975_s5_4() throws Exception {
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        BlockingQueue<MsrpRequest> atFar = new LinkedBlockingQueue<>();
        BlockingQueue<MsrpRequest> atNear = new LinkedBlockingQueue<>();
        MsrpUri[] farSession = new MsrpUri[1];
        farSession[0] = far.open((request, connection) -> {
            atFar.add(request);
            if (!request.hasBody()) {
                new Thread(() -> {
                    try {
                        connection.send(send("back0001", request.fromPath(), farSession[0], "welcome"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).start();
            }
            return 200;
        });
        MsrpUri nearSession = near.open((request, connection) -> {
            atNear.add(request);
            return 200;
        });

        Setup answer = ConnectionModel.answer(Setup.ACTPASS);
        assertEquals(ConnectionModel.Role.CONNECT, ConnectionModel.role(false, Setup.ACTPASS, answer, null, false));
        MsrpConnection connection = near.connect(nearSession, List.of(farSession[0]));
        MsrpRequest bind = atFar.poll(5, TimeUnit.SECONDS);
        assertNotNull(bind);
        assertEquals(MsrpRequest.SEND, bind.method());
        assertFalse(bind.hasBody(), "the binding SEND is empty");
        assertEquals(List.of(nearSession), bind.fromPath());
        MsrpRequest welcome = atNear.poll(5, TimeUnit.SECONDS);
        assertArrayEquals("welcome".getBytes(StandardCharsets.UTF_8), welcome.body(), "the peer uses our connection");
        assertTrue(connection.isOpen());

        // we offered actpass and the answer is active: the peer connects to our listening port
        assertEquals(ConnectionModel.Role.LISTEN, ConnectionModel.role(true, Setup.ACTPASS, Setup.ACTIVE, null,
                false));
        far.connect(farSession[0], List.of(nearSession));
        MsrpRequest theirBind = atNear.poll(5, TimeUnit.SECONDS);
        assertFalse(theirBind.hasBody());
        assertEquals(List.of(farSession[0]), theirBind.fromPath());
    }

    /** A session-id the peer does not know is refused (481) and connect says so, with the URI. */
    @Test
    void aRefusedBindingIsAnError_rfc4975_s5_4() throws Exception {
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        MsrpUri nearSession = near.open((request, connection) -> 200);
        MsrpUri nowhere = MsrpUri.of(false, "127.0.0.1", far.port(), "nosuchsession", "tcp");
        IOException refused = assertThrows(IOException.class, () -> near.connect(nearSession, List.of(nowhere)));
        assertTrue(refused.getMessage().contains("481"), refused.getMessage());
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            MsrpUri dead = MsrpUri.of(false, "127.0.0.1", closed.getLocalPort(), "x1234", "tcp");
            closed.close();
            IOException unreachable = assertThrows(IOException.class, () -> near.connect(dead));
            assertTrue(unreachable.getMessage().contains(dead.toString()), unreachable.getMessage());
        }
    }

    /** RFC 4975 §14.2: an msrps URI is reached over TLS. */
    @Test
    void anMsrpsPeerIsReachedOverTls_rfc4975_s14_2() throws Exception {
        SSLContext tls = tls(dir);
        far = new MsrpServer(LOOPBACK, 0, tls);
        near = new MsrpServer(LOOPBACK, 0, tls);
        BlockingQueue<MsrpRequest> atFar = new LinkedBlockingQueue<>();
        MsrpUri farSession = far.open((request, connection) -> {
            atFar.add(request);
            return 200;
        });
        MsrpUri nearSession = near.open((request, connection) -> 200);
        assertEquals("msrps", farSession.scheme());
        MsrpConnection connection = near.connect(nearSession, List.of(farSession));
        Outcome outcome = connection.sendMessage(List.of(farSession), List.of(nearSession),
                MessageBody.of("over TLS".getBytes(StandardCharsets.UTF_8)), SendOptions.of("text/plain"),
                report -> { }).outcome().get(10, TimeUnit.SECONDS);
        assertEquals(State.DELIVERED, outcome.state(), outcome.reason());
        atFar.poll(5, TimeUnit.SECONDS); // the binding SEND
        assertArrayEquals("over TLS".getBytes(StandardCharsets.UTF_8), atFar.poll(5, TimeUnit.SECONDS).body());
    }

    /**
     * Messages on one connection start in the order they were sent (chat text in the order it was written, spec
     * §5.4.3): the first message's body is slow to read, and the second, sent right after it, still arrives second.
     * Before, each message's own sender thread raced the others and the second went out first.
     */
    @Test
    void messagesStartInTheOrderTheyWereSent() throws Exception {
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
        MsrpUri farSession = far.open((request, connection) -> {
            if (request.hasBody()) {
                arrived.add(new String(request.body(), StandardCharsets.UTF_8));
            }
            return 200;
        });
        MsrpUri nearSession = near.open((request, connection) -> 200);
        MsrpConnection connection = near.connect(nearSession, List.of(farSession));
        CountDownLatch reading = new CountDownLatch(1);
        MessageBody slow = new MessageBody() {
            @Override
            public long size() {
                return 5;
            }

            @Override
            public byte[] read(long offset, int length) throws IOException {
                reading.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                return "first".getBytes(StandardCharsets.UTF_8);
            }
        };
        OutgoingMessage first = connection.sendMessage(List.of(farSession), List.of(nearSession), slow,
                SendOptions.of("text/plain"), report -> { });
        assertTrue(reading.await(5, TimeUnit.SECONDS));
        OutgoingMessage second = connection.sendMessage(List.of(farSession), List.of(nearSession),
                MessageBody.of("second".getBytes(StandardCharsets.UTF_8)), SendOptions.of("text/plain"), report -> { });
        assertEquals(State.DELIVERED, first.outcome().get(10, TimeUnit.SECONDS).state());
        assertEquals(State.DELIVERED, second.outcome().get(10, TimeUnit.SECONDS).state());
        assertEquals("first", arrived.poll(5, TimeUnit.SECONDS));
        assertEquals("second", arrived.poll(5, TimeUnit.SECONDS));
    }

    /** RFC 4975 §7.1.1: cancelling interrupts the message with a chunk ending in #, and the receiver drops it. */
    @Test
    void cancellingSendsAnInterruption_rfc4975_s7_1_1() throws Exception {
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        CountDownLatch firstChunk = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        BlockingQueue<MsrpRequest> chunks = new LinkedBlockingQueue<>();
        Path stored = dir.resolve("incoming");
        MessageAssembler assembler = new MessageAssembler(first -> MessageSink.toFile(stored, file -> { }), 1 << 30);
        MsrpUri farSession = far.open((request, connection) -> {
            if (!request.hasBody()) {
                return 200;
            }
            int code = assembler.accept(request);
            chunks.add(request); // after the assembler acted on it, so the test sees its effect
            firstChunk.countDown();
            try {
                resume.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return code;
        });
        MsrpUri nearSession = near.open((request, connection) -> 200);
        MsrpConnection connection = near.connect(nearSession, List.of(farSession));
        OutgoingMessage message = connection.sendMessage(List.of(farSession), List.of(nearSession),
                MessageBody.of(new byte[100_000]), SendOptions.of("application/octet-stream").withChunkSize(1000)
                        .withWindow(1), report -> { });
        assertTrue(firstChunk.await(5, TimeUnit.SECONDS));
        assertTrue(Files.exists(stored));
        message.cancel();
        resume.countDown();
        Outcome outcome = message.outcome().get(10, TimeUnit.SECONDS);
        assertEquals(State.CANCELLED, outcome.state());
        assertTrue(outcome.acknowledged() <= 1000, "the interruption does not wait for the first chunk's answer");
        chunks.poll();
        MsrpRequest interruption = chunks.poll(5, TimeUnit.SECONDS);
        assertEquals(Continuation.ABORTED, interruption.continuation());
        assertEquals(message.messageId(), interruption.messageId().orElseThrow());
        assertEquals("1001-1000/100000", interruption.byteRange().orElseThrow().toString());
        assertFalse(Files.exists(stored), "the receiver dropped the partial message");
    }

    /** RFC 4975 §7.1.1, §10: a 413 means the receiver wants no more of the message; no further chunk goes out. */
    @Test
    void a413StopsTheMessage_rfc4975_s10() throws Exception {
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        AtomicInteger received = new AtomicInteger();
        MsrpUri farSession = far.open((request, connection) ->
                !request.hasBody() ? 200 : received.incrementAndGet() == 3 ? 413 : 200);
        MsrpUri nearSession = near.open((request, connection) -> 200);
        MsrpConnection connection = near.connect(nearSession, List.of(farSession));
        Outcome outcome = connection.sendMessage(List.of(farSession), List.of(nearSession),
                MessageBody.of(new byte[10_000]), SendOptions.of("application/octet-stream").withChunkSize(1000)
                        .withWindow(1), report -> { }).outcome().get(10, TimeUnit.SECONDS);
        assertEquals(State.REFUSED, outcome.state());
        assertEquals(413, outcome.code());
        assertEquals(2000, outcome.acknowledged());
        connection.bind(nearSession, List.of(farSession)); // anything sent before it has arrived by now
        assertEquals(3, received.get());
    }

    /** A peer that closes the connection in the middle of a message: the outcome is a failure, not a hang. */
    /**
     * A session learns that its connection is gone, whichever side closed it, once per action; an action added
     * after the close runs at once.
     */
    @Test
    void closeActionsRunOnceWhenEitherSideCloses() throws Exception {
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        BlockingQueue<MsrpConnection> farSide = new LinkedBlockingQueue<>();
        MsrpUri farSession = far.open((request, connection) -> {
            farSide.add(connection);
            return 200;
        });
        MsrpUri nearSession = near.open((request, connection) -> 200);
        MsrpConnection connection = near.connect(nearSession, List.of(farSession));
        CountDownLatch nearClosed = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        connection.whenClosed(() -> {
            runs.incrementAndGet();
            nearClosed.countDown();
        });
        // the peer closes: our reader sees the end and closes our side
        farSide.poll(5, TimeUnit.SECONDS).close();
        assertTrue(nearClosed.await(5, TimeUnit.SECONDS), "told of the peer's close");
        connection.close();
        assertEquals(1, runs.get(), "once, however often it is closed");
        AtomicInteger late = new AtomicInteger();
        connection.whenClosed(late::incrementAndGet);
        assertEquals(1, late.get(), "an action added after the close runs at once");
    }

    @Test
    void aPeerClosingMidMessageFailsIt() throws Exception {
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        AtomicInteger received = new AtomicInteger();
        MsrpUri farSession = far.open((request, connection) -> {
            if (request.hasBody() && received.incrementAndGet() == 3) {
                connection.close();
            }
            return 200;
        });
        MsrpUri nearSession = near.open((request, connection) -> 200);
        MsrpConnection connection = near.connect(nearSession, List.of(farSession));
        Outcome outcome = connection.sendMessage(List.of(farSession), List.of(nearSession),
                MessageBody.of(new byte[1_000_000]), SendOptions.of("application/octet-stream").withChunkSize(1000),
                report -> { }).outcome().get(10, TimeUnit.SECONDS);
        assertEquals(State.FAILED, outcome.state(), outcome.reason());
        assertTrue(outcome.acknowledged() < 1_000_000);
    }

    /** §5.1: a 100 MB file goes out in chunks read from disk and is put back together in a file, bit for bit. */
    @Test
    void aLargeFileIsSentAndStoredInChunks_rfc4975_s5_1() throws Exception {
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        Path original = randomFile(dir.resolve("original"), 100L * 1024 * 1024);
        BlockingQueue<Path> stored = new LinkedBlockingQueue<>();
        MessageAssembler assembler = new MessageAssembler(first -> MessageSink.toFile(dir.resolve("copy"),
                stored::add), 200L * 1024 * 1024);
        MsrpUri farSession = far.open((request, connection) -> request.hasBody() ? assembler.accept(request) : 200);
        MsrpUri nearSession = near.open((request, connection) -> 200);
        MsrpConnection connection = near.connect(nearSession, List.of(farSession));
        Outcome outcome = connection.sendMessage(List.of(farSession), List.of(nearSession),
                MessageBody.of(original), SendOptions.of("application/octet-stream").withChunkSize(512 * 1024),
                report -> { }).outcome().get(60, TimeUnit.SECONDS);
        assertEquals(State.DELIVERED, outcome.state(), outcome.reason());
        Path copy = stored.poll(10, TimeUnit.SECONDS);
        assertNotNull(copy);
        assertEquals(sha256(original), sha256(copy));
        assertNull(stored.poll());
    }

    /** A key pair for 127.0.0.1 trusted by the same context: both ends of a loopback TLS connection. */
    static SSLContext tls(Path dir) throws Exception {
        Path store = dir.resolve("msrp.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "secret1",
                "-keypass", "secret1", "-alias", "msrp", "-keyalg", "EC", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "1").redirectErrorStream(true).start();
        assertEquals(0, keytool.waitFor(), new String(keytool.getInputStream().readAllBytes()));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "secret1".toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance("PKIX");
        managers.init(keys, "secret1".toCharArray());
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    /**
     * Issue 11: sends only queue, so a large message sent without waiting for responses (Failure-Report: no, RFC
     * 4975 §7.1.1) is paced by the peer's reading: it never fills the send queue (64 KiB here), and arrives whole.
     */
    @Test
    void aLargeMessageWithoutResponsesIsPacedByTheReader() throws Exception {
        near = new MsrpServer(LOOPBACK, 0, null, new MsrpServer.Limits(1000, 50, java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(30), java.time.Duration.ZERO, 64 * 1024, java.time.Duration.ofSeconds(30)));
        far = new MsrpServer(LOOPBACK, 0);
        AtomicInteger received = new AtomicInteger();
        MsrpUri farSession = far.open((request, connection) -> {
            if (request.hasBody() && request.body().length > 0) {
                received.incrementAndGet();
                try {
                    Thread.sleep(2); // a slow reader
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 200;
        });
        MsrpUri nearSession = near.open((request, connection) -> 200);
        MsrpConnection connection = near.connect(nearSession, List.of(farSession));
        Outcome outcome = connection.sendMessage(List.of(farSession), List.of(nearSession),
                MessageBody.of(new byte[2 * 1024 * 1024]), SendOptions.of("application/octet-stream")
                        .withReports(null, "no"), report -> { }).outcome().get(30, TimeUnit.SECONDS);
        assertEquals(State.DELIVERED, outcome.state(), outcome.toString());
        connection.bind(nearSession, List.of(farSession)); // anything sent before it has arrived by now
        assertEquals(128, received.get());
        assertTrue(connection.isOpen());
    }
}
