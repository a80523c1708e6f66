package org.sylkserver.core.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.Transaction;
import javax.sip.TransactionState;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.stack.SIPTransactionImpl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.sylkserver.core.config.SipConnections;
import org.sylkserver.core.stack.javax.sip.ClientTransactionReleasedAtCompletion;
import org.sylkserver.core.stack.javax.sip.ServerTransactionReleasedAtCompletion;
import org.sylkserver.core.stack.javax.sip.SipStackImpl;

/**
 * The container's JAIN-SIP stack ({@link SipStackImpl}, found by the path name the generated server.xml gives
 * Restcomm) and its non-INVITE transactions over UDP, with a TU that answers every MESSAGE 200 and a raw UDP socket
 * as the peer.
 */
class ContainerSipStackTest {

    @TempDir
    Path dir;

    private SipStack stack;
    private int port;
    private MessageFactory messages;
    private final BlockingQueue<ServerTransaction> answered = new LinkedBlockingQueue<>();
    private final BlockingQueue<TransactionTerminatedEvent> terminated = new LinkedBlockingQueue<>();
    private final BlockingQueue<Object> requestsAtTermination = new LinkedBlockingQueue<>();
    private final BlockingQueue<ResponseEvent> responses = new LinkedBlockingQueue<>();
    private SipProvider provider;

    @BeforeEach
    void start() throws Exception {
        LoopbackSipStack loopback = LoopbackSipStack.create(dir, "ContainerSipStackTest", SipStackImpl.PATH_NAME);
        stack = loopback.stack();
        port = loopback.port();
        messages = SipFactory.getInstance().createMessageFactory();
        provider = stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP));
        provider.addSipListener(new AnsweringTu(provider));
        stack.start();
    }

    @AfterEach
    void stop() {
        stack.stop();
        SipFactory.getInstance().resetFactory();
        SipFactory.getInstance().setPathName("gov.nist");
    }

    @Test
    void theContainersStackIsOurs() {
        assertEquals(SipStackImpl.class, stack.getClass());
        assertTrue(new ContainerBase(dir).serverXml(new ContainerSettings("127.0.0.1", port, null, null, "127.0.0.1",
                0, null, null, null, "", List.of(), SipConnections.DEFAULTS, null, null, null))
                .contains("sipPathName=\"" + SipStackImpl.PATH_NAME + "\""));
    }

    /**
     * RFC 3261 §17.2.2: after its final response a non-INVITE server transaction over UDP stays Completed for Timer J
     * (32 s) and answers a retransmission of the request with that response, without passing it to the TU. The TU
     * hears at once that the transaction is done with (it held the request's objects those 32 s), the transaction
     * still answers the retransmission with the same bytes, and the TU neither sees the request again nor hears of
     * the termination twice.
     */
    @Test
    void rfc3261_s17_2_2_theTuIsReleasedAtTheFinalResponseAndRetransmissionsAreStillAnswered() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] request = message("z9hG4bK-released-1", peer.getLocalPort());
            peer.setSoTimeout(5000);
            send(peer, request);
            byte[] first = receive(peer);
            assertTrue(new String(first, StandardCharsets.UTF_8).startsWith("SIP/2.0 200 "));
            ServerTransaction transaction = answered.poll(5, TimeUnit.SECONDS);
            assertTrue(transaction instanceof ServerTransactionReleasedAtCompletion, String.valueOf(transaction));

            TransactionTerminatedEvent event = terminated.poll(5, TimeUnit.SECONDS);
            assertNotNull(event, "the TU was not told within 5 s (the stack tells it when Timer J fires, after 32 s)");
            assertEquals(transaction, event.getServerTransaction());
            assertEquals(TransactionState.COMPLETED, transaction.getState(), "Timer J runs on");

            send(peer, request);
            assertArrayEquals(first, receive(peer), "the retransmission is answered with the same response");
            assertNull(answered.poll(1, TimeUnit.SECONDS), "the retransmission reached the TU");
            assertNull(terminated.poll(0, TimeUnit.SECONDS), "the TU was told twice");
        }
    }

    /**
     * RFC 6665 §4.2.1.2: after answering an un-SUBSCRIBE the notifier still sends the final NOTIFY in the dialog, so a
     * SUBSCRIBE's transaction keeps its TU until Timer J, as the stack does (the container would invalidate the dialog
     * at once: LongLivedIT's final NOTIFY failed).
     */
    @Test
    void rfc6665_s4_2_1_2_aSubscribeKeepsItsTuUntilTimerJ() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(5000);
            send(peer, request("SUBSCRIBE", "z9hG4bK-subscribe-1", peer.getLocalPort()));
            assertTrue(new String(receive(peer), StandardCharsets.UTF_8).startsWith("SIP/2.0 200 "));
            ServerTransaction transaction = answered.poll(5, TimeUnit.SECONDS);
            assertNotNull(transaction);
            assertNull(terminated.poll(2, TimeUnit.SECONDS), "the TU was let go at the SUBSCRIBE's 200");
            assertEquals(TransactionState.COMPLETED, transaction.getState());
        }
    }

    /**
     * RFC 3261 §17.1.2.2: an answered non-INVITE client transaction over UDP terminates after Timer K (T4, 5 s).
     * The stack encoded its request to bytes at the final response and parsed them again at that moment, for a TU
     * that would ask for it (Restcomm only logs it at debug level); ours keeps no bytes and parses nothing, and the TU
     * is told as before.
     */
    @Test
    void rfc3261_s17_1_2_2_anAnsweredMessageKeepsNoCopyOfItsRequestAndTerminatesWithoutParsingIt() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(5000);
            ClientTransaction transaction = provider.getNewClientTransaction(outgoing(peer.getLocalPort()));
            transaction.sendRequest();
            String request = new String(receive(peer), StandardCharsets.UTF_8);
            byte[] ok = okFor(request).getBytes(StandardCharsets.UTF_8);
            peer.send(new DatagramPacket(ok, ok.length, InetAddress.getLoopbackAddress(), port));
            assertEquals(200, responses.poll(5, TimeUnit.SECONDS).getResponse().getStatusCode());
            // the references are released once the TU has the response, on the stack's thread
            Field released = SIPTransactionImpl.class.getDeclaredField("originalRequest");
            released.setAccessible(true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (released.get(transaction) != null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertNull(released.get(transaction), "the request was not released at the final response");
            assertNull(transaction.getRequest(), "the request was kept as bytes to be parsed again");

            TransactionTerminatedEvent event = terminated.poll(15, TimeUnit.SECONDS);
            assertNotNull(event, "no termination after Timer K");
            assertEquals(transaction, event.getClientTransaction());
            assertEquals(Optional.empty(), requestsAtTermination.poll(), "the request was parsed again");
        }
    }

    /**
     * RFC 3261 §17.1.2.2: a MESSAGE's client transaction over UDP stays Completed for Timer K (T4, 5 s) after its
     * final response, absorbing retransmissions of it without the TU. The TU hears at once that the transaction is
     * done with (it held the request's servlet objects and sessions those 5 s), a retransmitted 200 does not reach it,
     * and it is not told twice when Timer K ends the transaction.
     */
    @Test
    void rfc3261_s17_1_2_2_anAnsweredMessageLetsItsTuGoAtTheFinalResponse() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(5000);
            ClientTransaction transaction = provider.getNewClientTransaction(outgoing(peer.getLocalPort()));
            assertTrue(transaction instanceof ClientTransactionReleasedAtCompletion, String.valueOf(transaction));
            transaction.sendRequest();
            byte[] ok = okFor(new String(receive(peer), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            peer.send(new DatagramPacket(ok, ok.length, InetAddress.getLoopbackAddress(), port));
            assertEquals(200, responses.poll(5, TimeUnit.SECONDS).getResponse().getStatusCode());

            TransactionTerminatedEvent event = terminated.poll(1, TimeUnit.SECONDS);
            assertNotNull(event, "the TU was not told within 1 s (the stack tells it when Timer K fires, after 5 s)");
            assertEquals(transaction, event.getClientTransaction());
            assertEquals(TransactionState.COMPLETED, transaction.getState(), "Timer K runs on");

            peer.send(new DatagramPacket(ok, ok.length, InetAddress.getLoopbackAddress(), port));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (transaction.getState() != TransactionState.TERMINATED && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(TransactionState.TERMINATED, transaction.getState(), "Timer K did not end the transaction");
            assertNull(responses.poll(0, TimeUnit.SECONDS), "the retransmitted 200 reached the TU");
            assertNull(terminated.poll(0, TimeUnit.SECONDS), "the TU was told twice");
        }
    }

    private Request outgoing(int peerPort) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        AddressFactory addresses = factory.createAddressFactory();
        HeaderFactory headers = factory.createHeaderFactory();
        SipURI target = addresses.createSipURI("bob", "127.0.0.1:" + peerPort);
        Request request = messages.createRequest(target, Request.MESSAGE, provider.getNewCallId(),
                headers.createCSeqHeader(1L, Request.MESSAGE),
                headers.createFromHeader(addresses.createAddress(addresses.createSipURI("alice", "example.com")), "f1"),
                headers.createToHeader(addresses.createAddress(target), null),
                List.of(headers.createViaHeader("127.0.0.1", port, ListeningPoint.UDP, null)),
                headers.createMaxForwardsHeader(70));
        request.setContent("hello", headers.createContentTypeHeader("text", "plain"));
        return request;
    }

    /** A 200 for a request: its Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2). */
    private static String okFor(String request) {
        StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : request.split("\r\n")) {
            String name = line.substring(0, Math.max(0, line.indexOf(':'))).strip().toLowerCase();
            if (List.of("via", "from", "to", "call-id", "cseq").contains(name)) {
                ok.append(line).append(name.equals("to") ? ";tag=b1" : "").append("\r\n");
            }
        }
        return ok.append("Content-Length: 0\r\n\r\n").toString();
    }

    /** A MESSAGE whose Via names the peer's socket, where the responses go (RFC 3261 §18.2.2). */
    private byte[] message(String branch, int peerPort) {
        return request("MESSAGE", branch, peerPort);
    }

    private byte[] request(String method, String branch, int peerPort) {
        return (method + " sip:bob@127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + peerPort + ";branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@example.com>;tag=a1\r\n"
                + "To: <sip:bob@example.com>\r\n"
                + "Call-ID: " + branch + "@127.0.0.1\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + (method.equals("SUBSCRIBE") ? "Event: presence\r\nExpires: 0\r\nContact: <sip:alice@127.0.0.1:" + peerPort
                        + ">\r\n" : "")
                + "Content-Type: text/plain\r\n"
                + "Content-Length: 5\r\n\r\nhello").getBytes(StandardCharsets.UTF_8);
    }

    private void send(DatagramSocket peer, byte[] bytes) throws Exception {
        peer.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
    }

    private static byte[] receive(DatagramSocket peer) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        peer.receive(packet);
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    private final class AnsweringTu implements SipListener {

        private final SipProvider provider;

        AnsweringTu(SipProvider provider) {
            this.provider = provider;
        }

        @Override
        public void processRequest(RequestEvent event) {
            try {
                ServerTransaction transaction = event.getServerTransaction() != null ? event.getServerTransaction()
                        : provider.getNewServerTransaction(event.getRequest());
                Response ok = messages.createResponse(200, event.getRequest());
                ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag("b1");
                if (event.getRequest().getExpires() != null) {
                    ok.setExpires(event.getRequest().getExpires()); // RFC 6665 §4.2.1.1: a SUBSCRIBE's 2xx has one
                }
                transaction.sendResponse(ok);
                answered.add(transaction);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
            Transaction transaction = event.isServerTransaction() ? event.getServerTransaction()
                    : event.getClientTransaction();
            requestsAtTermination.add(Optional.ofNullable(transaction.getRequest()));
            terminated.add(event);
        }

        @Override
        public void processResponse(ResponseEvent event) {
            responses.add(event);
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
        }
    }
}
