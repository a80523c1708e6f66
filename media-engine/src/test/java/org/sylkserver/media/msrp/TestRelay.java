package org.sylkserver.media.msrp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.DigestChallenge;
import org.sylkserver.protocols.msrp.MalformedMsrpException;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpMessage;
import org.sylkserver.protocols.msrp.MsrpParser;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpResponse;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * An MSRP relay stand-in (RFC 4976) for tests: challenges AUTH with a Digest 401, answers the right credentials
 * with 200, Use-Path and Expires and wrong ones with 403, then forwards requests by To-Path (popping itself,
 * adding itself to the From-Path) and their responses back, hop by hop. Clients are known by the session-id of
 * the Use-Path URI they were given; requests from anyone else must be going to a client, and what goes back to
 * such a peer uses the connection it came on (peers by URI).
 */
public final class TestRelay implements AutoCloseable {

    private static final String REALM = "relay.test";
    private static final Pattern PARAM = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]+))");

    private final ServerSocket socket;
    private final String username;
    private final String password;
    private final int expires;
    private final MsrpUri uri;
    /** Successful AUTHs so far. */
    public final AtomicInteger authorized = new AtomicInteger();
    /** A permit per successful AUTH, to wait for them. */
    final java.util.concurrent.Semaphore authorizations = new java.util.concurrent.Semaphore(0);
    /** AUTHs refused with 403. */
    final AtomicInteger forbidden = new AtomicInteger();
    private final Map<String, Hop> clients = new ConcurrentHashMap<>();
    private final Map<String, Hop> peers = new ConcurrentHashMap<>();
    private final Map<String, Waiting> transactions = new ConcurrentHashMap<>();
    private final Map<String, Boolean> nonces = new ConcurrentHashMap<>();
    private final List<Hop> hops = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Waiting(Hop from, MsrpUri previous, MsrpUri self) {
    }

    public TestRelay(String username, String password, int expires) throws IOException {
        this.username = username;
        this.password = password;
        this.expires = expires;
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        uri = MsrpUri.of(false, "127.0.0.1", socket.getLocalPort(), null, "tcp");
        Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    start(socket.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The URI to configure. */
    public MsrpUri uri() {
        return uri;
    }

    private Hop start(Socket s) throws IOException {
        Hop hop = new Hop(s);
        hops.add(hop);
        Thread reader = new Thread(hop::read, "test-relay-hop");
        reader.setDaemon(true);
        reader.start();
        return hop;
    }

    private final class Hop {
        final Socket socket;
        final OutputStream out;
        volatile String clientId;

        Hop(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        synchronized void send(MsrpMessage message) throws IOException {
            out.write(message.toBytes());
            out.flush();
        }

        void read() {
            MsrpParser parser = new MsrpParser();
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = socket.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    parser.feed(buffer, 0, n);
                    MsrpMessage message;
                    while ((message = parser.next()) != null) {
                        if (message instanceof MsrpRequest request) {
                            request(this, request);
                        } else {
                            MsrpResponse response = (MsrpResponse) message;
                            Waiting waiting = transactions.remove(response.transactionId());
                            if (waiting != null) {
                                waiting.from.send(new MsrpResponse(response.transactionId(), response.code(),
                                        response.comment(), List.of(waiting.previous), List.of(waiting.self)));
                            }
                        }
                    }
                }
            } catch (IOException | MalformedMsrpException e) {
                // the hop went away
            } finally {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    private void request(Hop from, MsrpRequest request) throws IOException {
        MsrpUri self = request.toPath().get(0);
        if (request.method().equals("AUTH")) {
            from.send(auth(from, request));
            return;
        }
        List<MsrpUri> rest = request.toPath().subList(1, request.toPath().size());
        Hop client = self.sessionId() == null ? null : clients.get(self.sessionId());
        Hop next;
        List<MsrpUri> fromPath = new ArrayList<>();
        if (from.clientId == null && !request.fromPath().isEmpty()) {
            // a peer that connected to us: what goes to its URI goes back on its connection (RFC 4975 §5.4)
            peers.putIfAbsent(request.fromPath().get(0).toString(), from);
        }
        if (from.clientId != null && !rest.isEmpty()) {
            MsrpUri hop = rest.get(0);
            next = peers.computeIfAbsent(hop.toString(), k -> connect(hop));
            fromPath.add(MsrpUri.of(false, "127.0.0.1", socket.getLocalPort(), from.clientId, "tcp"));
        } else if (client != null && !rest.isEmpty()) {
            next = client;
            fromPath.add(uri);
        } else {
            from.send(new MsrpResponse(request.transactionId(), 403, "Forbidden", List.of(request.fromPath().get(0)),
                    List.of(self)));
            return;
        }
        fromPath.addAll(request.fromPath());
        if (!request.method().equals(MsrpRequest.REPORT)) {
            transactions.put(request.transactionId(), new Waiting(from, request.fromPath().get(0), self));
        }
        next.send(new MsrpRequest(request.transactionId(), request.method(), rest, fromPath, request.headers(),
                request.body(), request.continuation()));
    }

    private Hop connect(MsrpUri hop) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(hop.host(), hop.port()), 5000);
            return start(s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** RFC 4976 §7.1: challenge, then check the digest the way RFC 2617 §3.2.2 computes it. */
    private MsrpResponse auth(Hop from, MsrpRequest request) {
        List<MsrpUri> back = List.of(request.fromPath().get(0));
        List<MsrpUri> self = List.of(request.toPath().get(0));
        String authorization = request.header("Authorization").orElse(null);
        if (authorization == null) {
            String nonce = MsrpServer.randomId(16);
            nonces.put(nonce, true);
            return new MsrpResponse(request.transactionId(), 401, "Unauthorized", back, self, List.of(
                    new MsrpHeader("WWW-Authenticate", "Digest realm=\"" + REALM + "\", nonce=\"" + nonce
                            + "\", qop=\"auth\", algorithm=MD5")), Continuation.COMPLETE);
        }
        Map<String, String> p = new java.util.HashMap<>();
        Matcher m = PARAM.matcher(authorization.substring("Digest ".length()));
        while (m.find()) {
            p.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
        }
        String ha1 = DigestChallenge.md5(username + ":" + REALM + ":" + password);
        String ha2 = DigestChallenge.md5("AUTH:" + p.get("uri"));
        String expected = DigestChallenge.md5(ha1 + ":" + p.get("nonce") + ":" + p.get("nc") + ":" + p.get("cnonce")
                + ":auth:" + ha2);
        if (!username.equals(p.get("username")) || nonces.remove(String.valueOf(p.get("nonce"))) == null
                || !expected.equals(p.get("response")) || !uri.toString().equals(p.get("uri"))) {
            forbidden.incrementAndGet();
            return new MsrpResponse(request.transactionId(), 403, "Forbidden", back, self);
        }
        String clientId = MsrpServer.randomId(8);
        from.clientId = clientId;
        clients.put(clientId, from);
        authorized.incrementAndGet();
        authorizations.release();
        return new MsrpResponse(request.transactionId(), 200, "OK", back, self, List.of(
                new MsrpHeader("Use-Path", MsrpUri.of(false, "127.0.0.1", socket.getLocalPort(), clientId, "tcp")
                        .toString()), new MsrpHeader("Expires", String.valueOf(expires))), Continuation.COMPLETE);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Hop hop : hops) {
            hop.socket.close();
        }
    }
}
