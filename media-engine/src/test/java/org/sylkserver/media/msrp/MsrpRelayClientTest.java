package org.sylkserver.media.msrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.msrp.OutgoingMessage.Outcome;
import org.sylkserver.media.msrp.OutgoingMessage.State;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MessageAssembler;
import org.sylkserver.protocols.msrp.MessageSink;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/** Reaching a peer through an MSRP relay: RFC 4976 §7.1 AUTH, Use-Path, renewal, forwarding. */
class MsrpRelayClientTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private TestRelay relay;
    private MsrpServer near;
    private MsrpServer far;
    private MsrpRelayClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        near.close();
        if (far != null) {
            far.close();
        }
        relay.close();
    }

    /**
     * RFC 4976 §7.1: AUTH, 401 with a Digest challenge, AUTH with the credentials, 200 with Use-Path; then a 5 MB
     * message in 2 KiB chunks goes through the relay to the far side, arrives whole, and its success REPORT
     * (RFC 4975 §7.1.2) comes back through the relay to the sender.
     */
    @Test
    void authenticatesAndSendsAChunkedMessageThroughTheRelay_rfc4976_s7_1() throws Exception {
        relay = new TestRelay("sylk", "s3cret", 3600);
        near = new MsrpServer(LOOPBACK, 0);
        far = new MsrpServer(LOOPBACK, 0);
        Path original = MsrpClientTest.randomFile(dir.resolve("original"), 5L * 1024 * 1024);
        BlockingQueue<Path> stored = new LinkedBlockingQueue<>();
        BlockingQueue<List<MsrpUri>> senders = new LinkedBlockingQueue<>();
        MessageAssembler assembler = new MessageAssembler(first -> MessageSink.toFile(dir.resolve("copy"),
                stored::add), 10L * 1024 * 1024);
        MsrpUri[] farSession = new MsrpUri[1];
        farSession[0] = far.open((request, connection) -> {
            if (!request.hasBody()) {
                senders.add(request.fromPath());
                return 200;
            }
            int code = assembler.accept(request);
            if (request.continuation() == Continuation.COMPLETE && code == 200) {
                long total = request.byteRange().orElseThrow().total();
                try {
                    connection.send(new MsrpRequest(MsrpServer.randomId(8), MsrpRequest.REPORT, request.fromPath(),
                            List.of(farSession[0]), List.of(new MsrpHeader("Message-ID",
                            request.messageId().orElseThrow()), new MsrpHeader("Byte-Range", "1-" + total + "/"
                            + total), new MsrpHeader("Status", "000 200 OK")), null, Continuation.COMPLETE));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return code;
        });

        client = MsrpRelayClient.authenticate(near, new RelayConfig(relay.uri(), "sylk", "s3cret"));
        assertEquals(1, relay.authorized.get());
        assertEquals(relay.uri().port(), client.usePath().get(0).port());
        MsrpUri nearSession = near.open((request, connection) -> 200);
        assertEquals(client.usePath().get(0), client.localPath(nearSession).get(0), "our a=path starts at the relay");

        MsrpConnection connection = client.connect(nearSession, List.of(farSession[0]));
        assertEquals(List.of(client.usePath().get(0), nearSession), senders.poll(5, TimeUnit.SECONDS),
                "the far side sees the relay, then us");
        BlockingQueue<MsrpRequest> reports = new LinkedBlockingQueue<>();
        OutgoingMessage message = connection.sendMessage(client.toPath(List.of(farSession[0])), List.of(nearSession),
                MessageBody.of(original), SendOptions.of("application/octet-stream").withChunkSize(2048)
                        .withReports("yes", "yes"), reports::add);
        Outcome outcome = message.outcome().get(15, TimeUnit.SECONDS);
        assertEquals(State.DELIVERED, outcome.state(), outcome.reason());
        assertEquals(5L * 1024 * 1024, outcome.acknowledged());
        Path copy = stored.poll(5, TimeUnit.SECONDS);
        assertNotNull(copy);
        assertEquals(MsrpClientTest.sha256(original), MsrpClientTest.sha256(copy));
        MsrpRequest report = reports.poll(5, TimeUnit.SECONDS);
        assertNotNull(report, "the success REPORT reached the sender's listener");
        assertEquals(200, report.status().orElseThrow().code());
        assertEquals(message.messageId(), report.messageId().orElseThrow());
    }

    /** RFC 4976 §7.1: wrong credentials get 403, and authenticate says so. */
    @Test
    void wrongCredentialsAreRefused_rfc4976_s7_1() throws Exception {
        relay = new TestRelay("sylk", "s3cret", 3600);
        near = new MsrpServer(LOOPBACK, 0);
        IOException refused = assertThrows(IOException.class, () -> MsrpRelayClient.authenticate(near,
                new RelayConfig(relay.uri(), "sylk", "guess")));
        assertTrue(refused.getMessage().contains("403"), refused.getMessage());
        assertEquals(1, relay.forbidden.get());
        assertEquals(0, relay.authorized.get());
    }

    /** RFC 4976 §7.1: the authorization lasts Expires seconds; it is renewed before it lapses. */
    @Test
    void theAuthorizationIsRenewedBeforeItExpires_rfc4976_s7_1() throws Exception {
        relay = new TestRelay("sylk", "s3cret", 2);
        near = new MsrpServer(LOOPBACK, 0);
        client = MsrpRelayClient.authenticate(near, new RelayConfig(relay.uri(), "sylk", "s3cret"));
        assertTrue(relay.authorizations.tryAcquire(2, 2, TimeUnit.SECONDS), "renewed within the 2 s lifetime");
        assertEquals(2, relay.authorized.get(), "renewed within the 2 s lifetime");
    }
}
