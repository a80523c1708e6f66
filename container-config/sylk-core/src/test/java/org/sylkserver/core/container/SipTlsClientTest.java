package org.sylkserver.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.config.SipConnections;
import org.sylkserver.core.tls.PeerVerification;
import org.sylkserver.core.tls.TestCertificates;

/**
 * Requests we send over SIP/TLS on a connection we open, with the stack configured as the container runs it
 * ({@link ContainerBase#sipStackProperties}: the non-blocking listeners, {@code SipTlsTrust},
 * {@code SipServerIdentity}), to a JDK TLS server standing in for a proxy. RFC 3261 §18.1.1 / §26.2.1 (a request to
 * a {@code transport=tls} URI goes over TLS), RFC 5922 §7 and spec §8.1 ({@code verify_server}, {@code ca_file}).
 */
class SipTlsClientTest {

    @TempDir
    Path dir;

    private SipStack stack;
    private final List<AutoCloseable> peers = new ArrayList<>();
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable peer : peers) {
            peer.close();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    /** verify_server = false: the request arrives readable over the connection we open (it used to be garbage). */
    @Test
    void rfc3261_s26_2_1_aRequestToATlsUriArrivesOverTheConnectionWeOpen() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        Peer peer = peer(TestCertificates.selfSigned("proxy.example.com"));
        SipProvider provider = start(authority, false);

        send(provider, peer.port);

        assertEquals("OPTIONS sip:proxy@127.0.0.1:" + peer.port + ";transport=tls SIP/2.0",
                peer.requestLine.get(10, TimeUnit.SECONDS));
        assertTrue(events.poll(10, TimeUnit.SECONDS) instanceof ResponseEvent, "the peer's 200 came back");
    }

    /** verify_server = true: a server with a ca_file certificate naming the address we connect to is accepted. */
    @Test
    void rfc5922_s7_verifyServerAcceptsAServerCertifiedByCaFileForItsAddress() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        Peer peer = peer(TestCertificates.issue(authority, "proxy.example.com",
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        SipProvider provider = start(authority, true);

        send(provider, peer.port);

        assertNotNull(peer.requestLine.get(10, TimeUnit.SECONDS));
        Object event = events.poll(10, TimeUnit.SECONDS);
        assertTrue(event instanceof ResponseEvent response && response.getResponse().getStatusCode() == 200,
                "the peer's 200 came back: " + event);
    }

    /** verify_server = true: a self-signed server and one of ca_file certified for another name never get it. */
    @Test
    void rfc5922_s7_verifyServerRefusesAStrangerAndAWrongName() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        Peer stranger = peer(TestCertificates.selfSigned("127.0.0.1",
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        Peer wrongName = peer(TestCertificates.issue(authority, "other.example.com",
                new GeneralName(GeneralName.dNSName, "other.example.com")));
        SipProvider provider = start(authority, true);

        for (Peer peer : List.of(stranger, wrongName)) {
            try {
                send(provider, peer.port);
            } catch (javax.sip.SipException refusedAtOnce) {
                // the handshake failed while sending: refused all the same
            }
            assertNull(peer.requestLine.completeOnTimeout(null, 5, TimeUnit.SECONDS).get(),
                    "the request reached a server that is not verified");
        }
        assertTrue(events.stream().noneMatch(ResponseEvent.class::isInstance), "no answer came back: " + events);
    }

    private SipProvider start(TestCertificates.Issued authority, boolean verifyServer) throws Exception {
        TestCertificates.Issued ours = TestCertificates.issue(authority, "sylk.example.com");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("sylk", ours.keys().getPrivate(), "pw".toCharArray(), new X509Certificate[] {ours.certificate()});
        Path keyStore = dir.resolve("sip-tls.p12");
        try (OutputStream out = Files.newOutputStream(keyStore)) {
            keys.store(out, "pw".toCharArray());
        }
        Path trustStore = null;
        if (verifyServer) {
            Path caFile = authority.writePem(dir.resolve("ca.crt"));
            trustStore = dir.resolve("sip-ca.p12");
            PeerVerification.of(ServerConfig.load(dir, dir.resolve("var"), Map.of("Server.verify_server", "true",
                    "Server.ca_file", caFile.toString()))).writeTrustStore(trustStore);
        }
        int port = freePort();
        ContainerSettings settings = new ContainerSettings("127.0.0.1", port, port, port, "127.0.0.1", freePort(),
                keyStore, "pw", null, "", List.of(), SipConnections.DEFAULTS, null, null, trustStore);
        Properties properties = new ContainerBase(dir.resolve("container")).sipStackProperties(settings);
        properties.setProperty("javax.sip.STACK_NAME", "SipTlsClientTest-" + port);
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        factory.resetFactory();
        stack = factory.createSipStack(properties);
        ListeningPoint tls = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TLS);
        SipProvider provider = stack.createSipProvider(tls);
        provider.addSipListener(new Recorder());
        stack.start();
        return provider;
    }

    private void send(SipProvider provider, int peerPort) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        AddressFactory addresses = factory.createAddressFactory();
        HeaderFactory headers = factory.createHeaderFactory();
        MessageFactory messages = factory.createMessageFactory();
        SipURI target = addresses.createSipURI("proxy", "127.0.0.1:" + peerPort);
        target.setTransportParam("tls");
        SipURI from = addresses.createSipURI("sylk", "sylk.example.com");
        ListeningPoint ours = provider.getListeningPoint(ListeningPoint.TLS);
        ViaHeader via = headers.createViaHeader("127.0.0.1", ours.getPort(), ListeningPoint.TLS, null);
        Request request = messages.createRequest(target, Request.OPTIONS, provider.getNewCallId(),
                headers.createCSeqHeader(1L, Request.OPTIONS),
                headers.createFromHeader(addresses.createAddress(from), "from-tag"),
                headers.createToHeader(addresses.createAddress(target), null), List.of(via),
                headers.createMaxForwardsHeader(70));
        ClientTransaction transaction = provider.getNewClientTransaction(request);
        transaction.sendRequest();
    }

    private Peer peer(TestCertificates.Issued certificate) throws Exception {
        SSLServerSocket socket = (SSLServerSocket) certificate.context(new javax.net.ssl.TrustManager[] {
                PeerVerification.ANY_PEER}).getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress());
        Peer peer = new Peer(socket);
        peers.add(peer);
        Thread reader = new Thread(peer::serve, "tls-peer-" + peer.port);
        reader.setDaemon(true);
        reader.start();
        return peer;
    }

    /** A TLS server that reads one request, hands its first line to the test and answers an OPTIONS 200. */
    private static final class Peer implements AutoCloseable {

        final SSLServerSocket socket;
        final int port;
        final CompletableFuture<String> requestLine = new CompletableFuture<>();

        Peer(SSLServerSocket socket) {
            this.socket = socket;
            this.port = socket.getLocalPort();
        }

        void serve() {
            while (!socket.isClosed()) {
                try (SSLSocket connection = (SSLSocket) socket.accept()) {
                    connection.setSoTimeout(20_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                            StandardCharsets.UTF_8));
                    String first = in.readLine();
                    StringBuilder response = new StringBuilder("SIP/2.0 200 OK\r\n");
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        String name = line.substring(0, Math.max(0, line.indexOf(':'))).trim().toLowerCase();
                        if (List.of("via", "from", "to", "call-id", "cseq", "v", "f", "t", "i").contains(name)) {
                            response.append(line).append("\r\n");
                        }
                    }
                    response.append("Content-Length: 0\r\n\r\n");
                    requestLine.complete(first);
                    if (first != null && first.startsWith("OPTIONS ")) {
                        connection.getOutputStream().write(response.toString().getBytes(StandardCharsets.UTF_8));
                        connection.getOutputStream().flush();
                        // keep the connection as a proxy would, until the test ends
                        while (in.readLine() != null) {
                            // drain
                        }
                    }
                } catch (IOException e) {
                    // a refused handshake or the test's end
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private final class Recorder implements SipListener {
        @Override
        public void processResponse(ResponseEvent event) {
            events.add(event);
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            events.add(event);
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            events.add(event);
        }

        @Override
        public void processRequest(RequestEvent event) {
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
