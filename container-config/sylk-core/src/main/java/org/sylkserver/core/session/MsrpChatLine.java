package org.sylkserver.core.session;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.core.msrp.MsrpRoute;
import org.sylkserver.media.msrp.MessageBody;
import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.media.msrp.OutgoingMessage;
import org.sylkserver.media.msrp.SendOptions;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MessageAssembler;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MessageSink;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpStatus;
import org.sylkserver.protocols.msrp.QuotedString;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The MSRP chat stream of a call the server places into a conference (a video room's chat bridge, spec §4.7.4; an
 * XMPP occupant of a multi-user chat, spec §5.6.1) on the application's MSRP endpoint: our offer is a
 * {@link ChatStream} offer (CPIM, {@code a=setup:actpass}); after the answer we connect to the conference's path or
 * wait for it to connect to ours (RFC 6135), and the session is up once a connection carries it. Messages go out
 * asking for success and failure reports (RFC 4975 §7.1.2): the REPORT's status, or the failure of a chunk, is the
 * message's delivery. What comes in is put back together from its chunks (the protocols' {@link MessageAssembler}),
 * must be CPIM (else 415), and is acknowledged with a success REPORT when its sender asks for one. A nickname is
 * asked for with RFC 7701's NICKNAME request.
 *
 * <p>Threads: the connection's reader thread delivers requests and REPORTs; connecting happens on {@code connector}
 * (it blocks: TCP, TLS, the binding SEND); the owner calls the rest from its executor.
 */
public final class MsrpChatLine implements ChatLine, MsrpServer.Handler {

    /** Room for the CPIM headers around a message's content. */
    private static final int CPIM_OVERHEAD = 16 * 1024;

    private static final Logger LOG = Logger.getLogger("sylk.msrp.chat");
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * How long a sent message waits for its REPORT before it counts as failed with 408: RFC 4975 sets no limit for a
     * report (§7.1.2), so a conference that never sends one left the sender's message pending until the chat ended;
     * 30 s is the transaction timeout of RFC 4975 §7.1.1 and the gateway's wait for an XMPP receipt.
     */
    static final Duration REPORT_TIMEOUT = Duration.ofSeconds(30);

    private final Duration reportTimeout;
    private final MsrpRoute route;
    private final Executor connector;
    private final InetAddress address;
    private final Listener listener;
    private final ChatStream stream;
    /** Chunks become messages of at most {@code max_message_body_size} (plus CPIM), one such at a time (413 beyond). */
    private final MessageAssembler assembler;
    /** Guarded by this object's monitor. */
    private MsrpPeer peer;
    private MsrpConnection connection;
    /** The listener was told the session is up. */
    private boolean up;
    private boolean closed;

    /**
     * @param route     the application's MSRP endpoint: where our sessions listen and how we connect
     * @param connector runs the blocking connects
     * @param address   the address of our SDP
     * @param maxBody   the largest message content taken from the conference
     */
    public MsrpChatLine(MsrpRoute route, Executor connector, InetAddress address, int maxBody, Listener listener) {
        this(route, connector, address, maxBody, listener, REPORT_TIMEOUT);
    }

    /** As the public constructor, waiting {@code reportTimeout} for a message's REPORT. */
    MsrpChatLine(MsrpRoute route, Executor connector, InetAddress address, int maxBody, Listener listener,
                 Duration reportTimeout) {
        this.reportTimeout = reportTimeout;
        this.route = route;
        this.assembler = new MessageAssembler(first -> MessageSink.inMemory(body -> received(first, body)),
                maxBody + CPIM_OVERHEAD, maxBody + CPIM_OVERHEAD);
        this.connector = connector;
        this.address = address;
        this.listener = listener;
        this.stream = new ChatStream(route, null, answered -> this);
    }

    @Override
    public String offer() {
        return new SessionDescription(AudioAnswerer.sessionLines(new AudioAnswerer.Origin(), address),
                List.of(stream.offer(this))).toString();
    }

    @Override
    public String answer(String offer) throws SdpException {
        MediaSession session = new MediaSession(address);
        MediaSession.Negotiation negotiation = session.negotiate(SessionDescription.parse(offer), List.of(stream),
                "No chat stream offered");
        negotiation.accept();
        accepted(stream.peer());
        return negotiation.answer().toString();
    }

    @Override
    public void answered(String sdp) throws SdpException {
        accepted(stream.answered(SessionDescription.parse(sdp)));
    }

    /** The offer/answer named the peer: we connect to its path, or it connects to ours. */
    private void accepted(MsrpPeer answered) {
        synchronized (this) {
            peer = answered;
        }
        if (answered.weConnect()) {
            connector.execute(this::connect);
        } else {
            // the conference connects (RFC 6135 passive); its binding SEND may have come already
            upWhenBoth();
        }
    }

    private void connect() {
        MsrpPeer to;
        synchronized (this) {
            if (closed) {
                return;
            }
            to = peer;
        }
        try {
            bound(route.connect(stream.localUri(), to.path()));
        } catch (IOException e) {
            listener.closed(e.getMessage());
        }
    }

    /** A connection carries the session: the first one is the session's (a later one is closed). */
    private void bound(MsrpConnection on) {
        boolean first;
        boolean refused;
        synchronized (this) {
            first = connection == null && !closed;
            refused = closed;
            if (first) {
                connection = on;
            }
        }
        if (first) {
            on.whenClosed(() -> {
                boolean expected;
                synchronized (this) {
                    expected = closed;
                }
                if (!expected) {
                    listener.closed("the connection closed");
                }
            });
            upWhenBoth();
        } else if (refused) {
            on.close();
        }
    }

    /** The session is up once the answer named the peer and a connection carries it, in either order. */
    private void upWhenBoth() {
        synchronized (this) {
            if (up || closed || peer == null || connection == null) {
                return;
            }
            up = true;
        }
        listener.connected();
    }

    @Override
    public int request(MsrpRequest request, MsrpConnection from) {
        bound(from);
        if (request.method().equals(MsrpRequest.SEND) && !request.hasBody()) {
            return 200; // the peer's binding SEND or a keep-alive (RFC 4975 §5.4)
        }
        return switch (request.method()) {
            case MsrpRequest.SEND -> assembler.accept(request);
            case MsrpRequest.REPORT -> 200; // about none of the messages we are sending: nothing to do
            default -> 501;
        };
    }

    /** A whole message from the room: CPIM only (spec §3.4 rules alike), acknowledged with a REPORT when asked. */
    private int received(MsrpRequest first, byte[] body) {
        String type = first.contentType().orElse("");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith(CpimMessage.CONTENT_TYPE)) {
            return 415;
        }
        CpimMessage message;
        try {
            message = CpimMessage.parse(body);
        } catch (CpimException e) {
            LOG.fine(() -> "chat line: bad CPIM from the conference: " + e.getMessage());
            return 400;
        }
        if (first.successReport().map(v -> v.equalsIgnoreCase("yes")).orElse(false)) {
            listener.received(message, new HeldReport(first, body.length));
        } else {
            listener.received(message);
        }
        return 200;
    }

    /** The REPORT of a message whose sender asked for one, sent once, as the listener decides. */
    private final class HeldReport implements ChatLine.Report {
        private final MsrpRequest first;
        private final long total;
        private final AtomicBoolean done = new AtomicBoolean();

        HeldReport(MsrpRequest first, long total) {
            this.first = first;
            this.total = total;
        }

        @Override
        public void send() {
            if (done.compareAndSet(false, true)) {
                report(first, total, new MsrpStatus(0, 200, "OK"));
            }
        }

        @Override
        public void fail(int code, String reason) {
            // RFC 4975 §7.1.2: Failure-Report "no" asks for no failure REPORT; absent means yes
            if (done.compareAndSet(false, true)
                    && !first.failureReport().map(v -> v.equalsIgnoreCase("no")).orElse(false)) {
                report(first, total, new MsrpStatus(0, code, reason));
            }
        }
    }

    /** RFC 4975 §7.1.2: the REPORT of a whole message. */
    private void report(MsrpRequest chunk, long total, MsrpStatus status) {
        MsrpConnection on;
        synchronized (this) {
            on = closed ? null : connection;
        }
        if (on == null) {
            return; // the session ended before the delivery was known
        }
        try {
            on.send(MsrpRequest.report(randomId(), chunk, stream.localUri(), total, status));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "chat line: cannot report a message of the conference", e);
        }
    }

    @Override
    public void send(CpimMessage message, ChatLine.Delivery delivery) {
        MsrpConnection on = connection();
        if (on == null) {
            delivery.outcome(0, ENDED_REASON);
            return;
        }
        // the first outcome counts: the REPORT, the refusal, or the timeout (whose timer a completion cancels)
        CompletableFuture<Outcome> first = new CompletableFuture<>();
        first.completeOnTimeout(new Outcome(408, "No REPORT within " + reportTimeout.toSeconds() + " s"),
                reportTimeout.toMillis(), TimeUnit.MILLISECONDS);
        first.thenAccept(ended -> delivery.outcome(ended.code(), ended.reason()));
        ChatLine.Delivery once = (code, reason) -> first.complete(new Outcome(code, reason));
        OutgoingMessage outgoing = on.sendMessage(peer().toPath(), List.of(stream.localUri()),
                MessageBody.of(message.toBytes()), SendOptions.of(CpimMessage.CONTENT_TYPE).withReports("yes", "yes"),
                report -> {
                    MsrpStatus status = report.status().orElse(null);
                    if (status != null) {
                        once.outcome(status.code(), status.comment() != null ? status.comment()
                                : org.sylkserver.protocols.msrp.MsrpResponse.reason(status.code()));
                    }
                });
        outgoing.outcome().thenAccept(outcome -> {
            if (outcome.state() != OutgoingMessage.State.DELIVERED) {
                // refused by the next hop, or lost: no REPORT will come (RFC 4975 §7.1.2 failure)
                once.outcome(outcome.code(), outcome.reason());
            }
        });
    }

    private record Outcome(int code, String reason) {
    }

    @Override
    public void sendQuietly(CpimMessage message) {
        MsrpConnection on = connection();
        if (on != null) {
            on.sendMessage(peer().toPath(), List.of(stream.localUri()), MessageBody.of(message.toBytes()),
                    SendOptions.of(CpimMessage.CONTENT_TYPE).withReports("no", "no"), report -> { });
        }
    }

    @Override
    public void nickname(String nickname, ChatLine.Delivery outcome) {
        MsrpConnection on = connection();
        if (on == null) {
            outcome.outcome(0, ENDED_REASON);
            return;
        }
        // RFC 7701 §6.1: Use-Nickname is a quoted-string (RFC 4975 §9)
        String quoted = QuotedString.quote(nickname);
        MsrpRequest request;
        try {
            request = new MsrpRequest(randomId(), MsrpRequest.NICKNAME, peer().toPath(), List.of(stream.localUri()),
                    List.of(new MsrpHeader("Use-Nickname", quoted)), null, Continuation.COMPLETE);
        } catch (IllegalArgumentException e) {
            outcome.outcome(0, "no valid Use-Nickname: " + e.getMessage());
            return;
        }
        on.transaction(request).whenComplete((response, failure) -> {
            if (response != null) {
                outcome.outcome(response.code(), response.comment() != null ? response.comment()
                        : org.sylkserver.protocols.msrp.MsrpResponse.reason(response.code()));
            } else {
                outcome.outcome(0, "NICKNAME not answered: " + failure.getMessage());
            }
        });
    }

    @Override
    public void close() {
        MsrpConnection on;
        synchronized (this) {
            closed = true;
            on = connection;
        }
        assembler.abortAll();
        stream.close();
        if (on != null) {
            on.close();
        }
    }

    private synchronized MsrpPeer peer() {
        return peer;
    }

    private synchronized MsrpConnection connection() {
        return closed || !up ? null : connection;
    }

    private static String randomId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
