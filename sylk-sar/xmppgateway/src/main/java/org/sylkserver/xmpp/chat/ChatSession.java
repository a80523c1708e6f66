package org.sylkserver.xmpp.chat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.receipts.DeliveryReceipt;
import org.jivesoftware.smackx.receipts.DeliveryReceiptRequest;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.sylkserver.core.session.ChatLine;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.iscomposing.IsComposing;
import org.sylkserver.protocols.mime.ContentType;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.ChatStates;
import org.sylkserver.xmpp.im.Stanzas;
import org.sylkserver.xmpp.muc.ConferenceCall;

/**
 * One MSRP chat session of a SIP user bridged to an XMPP user's chat (spec §5.4.3, RFC 7573), the SIP user having
 * called: CPIM text from the MSRP side becomes a {@code chat} message with {@code <active/>} asking for a receipt
 * (XEP-0184 §5), and the message's success REPORT (RFC 4975 §7.1.2) waits for that receipt (RFC 7573 §7.3: the
 * receipt is the delivery); is-composing ↔ chat states (XEP-0085 §5, RFC 3994; {@link ChatStates}); XMPP chat
 * messages of the peer go into the session; the end of either side ends the other: the SIP side's end sends
 * {@code gone}, the XMPP {@code gone} ends the SIP call, and so does silence on the SIP side for
 * {@code sip_session_timeout}.
 *
 * <p>The XMPP user may start it too (spec §5.4.3, XMPP-originated): the gateway calls the SIP user ({@link #dial}),
 * the call placed the way MUC occupants' calls are ({@link ConferenceCall.Dialer}: an INVITE with one MSRP chat
 * stream, From the XMPP user's SIP URI, Contact with its resource as {@code gr}). Until the MSRP session is up, XMPP
 * messages wait in a queue of at most {@link #QUEUE_LIMIT} (one more bounces with {@code resource-constraint}); a
 * call that is refused, or not up within its time, bounces each waiting message ({@code recipient-unavailable},
 * {@code remote-server-timeout}) and the session ends.
 *
 * <p>States: {@link State#CONNECTING} (answered or being called, the MSRP connection not bound yet) →
 * {@link State#UP} → {@link State#ENDED}. Methods are synchronized: the line's reader thread, the S2S thread and the timer call them.
 */
public final class ChatSession implements ChatLine.Listener {

    /** A message whose receipt does not come within this gets a 408 failure REPORT (spec §5.4.3: 30 s). */
    public static final Duration RECEIPT_WAIT = Duration.ofSeconds(30);
    /** The refresh of the is-composing indications made from chat states (spec §5.4.3). */
    private static final int COMPOSING_REFRESH = 30;
    /** How long a call the XMPP user started may take to be up (as long as a MUC invitation waits). */
    public static final Duration ANSWER_WAIT = Duration.ofSeconds(90);
    /** XMPP messages waiting for the MSRP session at most (one more is bounced). */
    public static final int QUEUE_LIMIT = 100;

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.chat");

    public enum State { CONNECTING, UP, ENDED }

    /** Where the session ends its SIP call. */
    @FunctionalInterface
    public interface SipCall {
        /** Ends the call with BYE, {@code why} for the log. */
        void hangUp(String why);
    }

    private final EntityFullJid sipUser;
    private final Jid xmppPeer;
    /** Where our stanzas go: the called JID until a bare one answers from a full JID (spec §5.4.3 step 4). */
    private Jid boundPeer;
    private final Consumer<Stanza> xmpp;
    private final ScheduledExecutorService timer;
    private final Duration inactivity;
    private final Duration receiptWait;
    private final Consumer<ChatSession> ended;
    private ChatLine line;
    private SipCall sip;
    private State state = State.CONNECTING;
    /** The held success REPORTs of the messages sent to XMPP, by stanza id, oldest first. */
    private final Map<String, ChatLine.Report> awaitingReceipts = new LinkedHashMap<>();
    private ScheduledFuture<?> inactivityTimer;
    /** XMPP messages that came before the MSRP session was up (spec §5.4.3), oldest first. */
    private final ArrayDeque<Message> waiting = new ArrayDeque<>();
    /** Ends a dialed call that is not up in time. */
    private ScheduledFuture<?> answerTimer;
    private long nextId;
    /** Whether the SIP user called (spec §5.4.3 SIP-originated): the XMPP side is woken up when the session is up. */
    private boolean answered;
    /** Whether {@link #connected} is still sending the waiting messages: newer ones queue behind them. */
    private boolean flushing;

    /**
     * @param sipUser  the SIP user as a JID (its resource: the Contact's {@code gr} or a generated one, spec §5.3)
     * @param xmppPeer the called XMPP user: a full JID when the Request-URI named a resource, else the bare JID
     * @param receiptWait how long a message's REPORT waits for its receipt ({@link #RECEIPT_WAIT})
     * @param ended    hears once that the session is over (its registry forgets it)
     */
    ChatSession(EntityFullJid sipUser, Jid xmppPeer, Consumer<Stanza> xmpp, ScheduledExecutorService timer,
                Duration inactivity, Duration receiptWait, Consumer<ChatSession> ended) {
        this.sipUser = sipUser;
        this.xmppPeer = xmppPeer;
        this.boundPeer = xmppPeer;
        this.xmpp = xmpp;
        this.timer = timer;
        this.inactivity = inactivity;
        this.receiptWait = receiptWait;
        this.ended = ended;
    }

    public EntityFullJid sipUser() {
        return sipUser;
    }

    public Jid xmppPeer() {
        return xmppPeer;
    }

    public synchronized State state() {
        return state;
    }

    /**
     * The call's answer, made by the session's line ({@code lines} makes it with this session as its listener).
     *
     * @throws org.sylkserver.protocols.sdp.SdpException no chat line we take: the session is over
     */
    public String answer(ChatLine.Factory lines, String offer, SipCall call) throws Exception {
        ChatLine made = lines.open(this);
        synchronized (this) {
            line = made;
            sip = call;
            answered = true;
            restartInactivity();
        }
        try {
            return made.answer(offer);
        } catch (Exception e) {
            end(null);
            throw e;
        }
    }

    /**
     * The MSRP session is up: the XMPP messages that waited for it go now, in order (spec §5.4.3). When the SIP user
     * called, the XMPP user first gets {@code composing} and then a message of a single space (spec §5.4.3 step 5):
     * what wakes up XMPP clients that show nothing until a chat begins.
     */
    @Override
    public void connected() {
        List<Message> wakeUp = List.of();
        synchronized (this) {
            if (state != State.CONNECTING) {
                return;
            }
            state = State.UP;
            if (answerTimer != null) {
                answerTimer.cancel(false);
            }
            flushing = true;
            if (answered) {
                wakeUp = List.of(toPeer().addExtension(new ChatStateExtension(ChatState.composing)).build(),
                        toPeer().setBody(" ").addExtension(new ChatStateExtension(ChatState.active)).build());
            }
        }
        wakeUp.forEach(xmpp);
        // one at a time, so that a message arriving meanwhile queues behind the older ones (spec §5.4.3: in order)
        while (true) {
            Message next;
            synchronized (this) {
                next = waiting.poll();
                if (next == null) {
                    flushing = false;
                    return;
                }
            }
            xmppMessage(next, true);
        }
    }

    /** A chat message of the SIP user to the XMPP peer, with the session's next id (caller holds the lock). */
    private MessageBuilder toPeer() {
        return StanzaBuilder.buildMessage(sipUser.getResourceOrThrow() + "-" + (++nextId)).ofType(Message.Type.chat)
                .from(sipUser).to(boundPeer);
    }

    /**
     * Spec §5.4.3, XMPP-originated: calls the SIP user, From the XMPP user's SIP URI with its resource as the
     * Contact's {@code gr} (spec §5.3), To the SIP user, offering the session's MSRP chat line; a call that is not up
     * within {@code answerWait} is ended and its waiting messages bounced with {@code remote-server-timeout}.
     */
    void dial(ConferenceCall.Dialer dialer, Duration answerWait) {
        ConferenceCall placed;
        try {
            ChatLine made = dialer.line(this);
            synchronized (this) {
                if (state == State.ENDED) {
                    made.close(); // ended (gone, the gateway stopping) while the line was made: nothing to dial
                    return;
                }
                line = made;
                restartInactivity();
                answerTimer = timer.schedule(() -> failed("not up within " + answerWait.toSeconds() + " s",
                        StanzaError.Condition.remote_server_timeout, StanzaError.Type.WAIT),
                        answerWait.toMillis(), TimeUnit.MILLISECONDS);
            }
            String gr = xmppPeer.hasResource() ? Addresses.gruuOf(xmppPeer.getResourceOrThrow().toString())
                    : Addresses.generatedResource();
            placed = dialer.dial(Addresses.sipUri(xmppPeer), gr, Addresses.sipUri(sipUser), made.offer(),
                    new DialedCall());
        } catch (IOException | RuntimeException e) {
            failed("the INVITE was not sent: " + e.getMessage(), StanzaError.Condition.recipient_unavailable,
                    StanzaError.Type.WAIT);
            return;
        }
        boolean over;
        synchronized (this) {
            over = state == State.ENDED;
            sip = why -> placed.hangUp();
        }
        if (over) {
            placed.hangUp(); // ended while the INVITE was being made (gone, the gateway stopping)
        }
    }

    /** What the SIP user's side of a dialed session reports. */
    private final class DialedCall implements ConferenceCall.Listener {
        @Override
        public void answered(String sdp, boolean focus) {
            ChatLine on;
            synchronized (ChatSession.this) {
                if (state != State.CONNECTING) {
                    return; // over already (timed out, gone): the call is being hung up
                }
                on = line;
            }
            try {
                on.answered(sdp);
            } catch (Exception e) {
                failed("the answer has no chat stream we take: " + e.getMessage(),
                        StanzaError.Condition.recipient_unavailable, StanzaError.Type.WAIT);
            }
        }

        @Override
        public void rejected(int status, String reason) {
            failed("the call was refused: " + status + " " + reason, StanzaError.Condition.recipient_unavailable,
                    StanzaError.Type.WAIT);
        }

        @Override
        public void ended() {
            sipEnded();
        }

        @Override
        public void conferenceInfo(byte[] document) {
            // no subscription is made for a SIP user's call
        }

        @Override
        public void unsubscribed(String why) {
            // no subscription is made for a SIP user's call
        }
    }

    /**
     * The session could not start: each waiting XMPP message is bounced with {@code condition} (RFC 6120 §8.3), the
     * queue dropped, the session ended and its call hung up.
     */
    private void failed(String why, StanzaError.Condition condition, StanzaError.Type type) {
        SipCall call;
        synchronized (this) {
            call = sip;
        }
        // the waiting messages are taken as the session ends, under one lock: one arriving just before is bounced
        // with them, one just after finds no session and calls again (spec §5.4.3)
        List<Message> dropped = finish(true);
        if (dropped == null) {
            return;
        }
        LOG.info("chat " + xmppPeer + " -> " + sipUser.asBareJid() + " failed: " + why + "; " + dropped.size()
                + " waiting message(s) bounced");
        if (call != null) {
            call.hangUp(why);
        }
        dropped.forEach(message -> xmpp.accept(Stanzas.error(message, condition, type)));
    }

    @Override
    public void received(CpimMessage message) {
        received(message, null);
    }

    /** A message of the SIP user: text to XMPP (its REPORT held for the receipt), is-composing as a chat state. */
    @Override
    public void received(CpimMessage message, ChatLine.Report report) {
        Stanza stanza;
        synchronized (this) {
            if (state == State.ENDED) {
                return;
            }
            restartInactivity();
            stanza = toXmpp(message, report);
        }
        if (stanza == null && report != null) {
            report.send(); // ignored content (spec §5.4.3): nothing will confirm it later
        }
        if (stanza != null) {
            xmpp.accept(stanza);
        }
    }

    private Stanza toXmpp(CpimMessage message, ChatLine.Report report) {
        String type = message.contentType() == null ? "text/plain"
                : ContentType.parse(message.contentType()).mediaType().toLowerCase(Locale.ROOT);
        MessageBuilder out = toPeer();
        switch (type) {
            case "text/plain", "text/html" -> {
                String text = new String(message.content(), StandardCharsets.UTF_8);
                out.setBody(type.equals("text/html") ? org.sylkserver.xmpp.im.Html.text(text) : text)
                        .addExtension(new ChatStateExtension(ChatState.active))
                        .addExtension(new DeliveryReceiptRequest());
                Message built = out.build();
                if (report != null) {
                    String id = built.getStanzaId();
                    awaitingReceipts.put(id, report);
                    timer.schedule(() -> receiptTimedOut(id), receiptWait.toMillis(), TimeUnit.MILLISECONDS);
                }
                return built;
            }
            case IsComposing.CONTENT_TYPE -> {
                try {
                    IsComposing indication = IsComposing.parse(message.content());
                    return out.addExtension(new ChatStateExtension(ChatStates.fromSip(indication))).build();
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
            default -> {
                return null;
            }
        }
    }

    /** Spec §5.4.3: no receipt in time is a 408 failure REPORT. */
    private void receiptTimedOut(String id) {
        ChatLine.Report report;
        synchronized (this) {
            report = awaitingReceipts.remove(id);
        }
        if (report != null) {
            LOG.info("chat " + sipUser + " -> " + xmppPeer + ": no receipt for " + id + " within "
                    + receiptWait.toSeconds() + " s; failure report 408");
            report.fail(408, "Request Timeout");
        }
    }

    /**
     * A message of the XMPP peer: a receipt sends the held REPORT (XEP-0184 §5), {@code gone} ends the session
     * (XEP-0085 §5), a body goes to the SIP user as CPIM {@code text/plain}, other chat states as is-composing.
     * Returns false, and does nothing, when the session has ended meanwhile (the caller finds it another).
     */
    public boolean xmppMessage(Message message) {
        return xmppMessage(message, false);
    }

    /** @param waited whether {@code message} comes out of the queue of {@link #connected} */
    private boolean xmppMessage(Message message, boolean waited) {
        ChatLine.Report report = null;
        ChatLine.Report failed = null;
        CpimMessage toSip = null;
        boolean gone;
        boolean overflow = false;
        ChatLine on;
        synchronized (this) {
            if (state == State.ENDED) {
                return false;
            }
            on = line;
            if (!boundPeer.hasResource() && message.getFrom().hasResource()) {
                boundPeer = message.getFrom(); // spec §5.4.3 step 4: the answering resource binds the session
            }
            if (message.getType() == Message.Type.error) {
                // spec §5.4.3: an error for a message we sent is its 503 failure REPORT; the bounce (which may
                // carry our own body back) goes no further
                failed = message.getStanzaId() == null ? null : awaitingReceipts.remove(message.getStanzaId());
                on = null;
            }
            DeliveryReceipt receipt = DeliveryReceipt.from(message);
            if (receipt != null) {
                report = awaitingReceipts.remove(receipt.getId());
            }
            ChatState chatState = Stanzas.chatState(message);
            gone = chatState == ChatState.gone;
            String body = message.getBody();
            if ((state == State.CONNECTING || flushing && !waited) && !gone && message.getType() != Message.Type.error
                    && receipt == null
                    && (body != null && !body.isEmpty() || chatState != null)) {
                if (waiting.size() < QUEUE_LIMIT) {
                    waiting.add(message);
                    return true;
                }
                overflow = true;
            } else if (!gone && body != null && !body.isEmpty()) {
                toSip = cpim(message.getFrom(), "text/plain", body.getBytes(StandardCharsets.UTF_8));
            } else if (chatState == ChatState.composing || chatState == ChatState.paused) {
                toSip = cpim(message.getFrom(), IsComposing.CONTENT_TYPE, new IsComposing(chatState == ChatState.composing,
                        COMPOSING_REFRESH, OffsetDateTime.now(), "text/plain").toXml());
            }
        }
        if (report != null) {
            report.send();
        }
        if (overflow) {
            LOG.info("chat " + xmppPeer + " -> " + sipUser.asBareJid() + ": " + QUEUE_LIMIT
                    + " messages wait for the MSRP session already; one more bounced");
            xmpp.accept(Stanzas.error(message, StanzaError.Condition.resource_constraint, StanzaError.Type.WAIT));
            return true;
        }
        if (failed != null) {
            failed.fail(503, "Service Unavailable");
            return true;
        }
        if (message.getType() == Message.Type.error) {
            return true;
        }
        if (gone) {
            end("the XMPP user left the chat (gone)");
            return true;
        }
        if (toSip != null && on != null) {
            if (toSip.contentType().startsWith("text/")) {
                // XEP-0184 §5: the receipt asked for is sent once the MSRP success REPORT says it was delivered
                boolean wantsReceipt = DeliveryReceiptRequest.from(message) != null && message.getStanzaId() != null;
                on.send(toSip, (code, reason) -> {
                    if (code == 200 && wantsReceipt) {
                        xmpp.accept(StanzaBuilder.buildMessage().from(sipUser).to(message.getFrom())
                                .addExtension(new DeliveryReceipt(message.getStanzaId())).build());
                    }
                });
                // spec §5.4.3: a message is followed by the idle is-composing that ends its typing
                on.sendQuietly(cpim(message.getFrom(), IsComposing.CONTENT_TYPE,
                        new IsComposing(false, COMPOSING_REFRESH, OffsetDateTime.now(), "text/plain").toXml()));
            } else {
                on.sendQuietly(toSip);
            }
        }
        return true;
    }

    /** CPIM From the XMPP sender (its resource as {@code gr}, spec §5.3) To the SIP user. */
    private CpimMessage cpim(Jid sender, String contentType, byte[] content) {
        String from = Addresses.sipUri(sender) + (sender.hasResource()
                ? ";gr=" + Addresses.gruuOf(sender.getResourceOrThrow().toString()) : "");
        return CpimMessage.builder().from(CpimMessage.Address.of(from))
                .to(CpimMessage.Address.of(Addresses.sipUri(sipUser))).contentHeader("Content-Type", contentType)
                .content(content).build();
    }

    /**
     * The MSRP connection is gone, a failure of the SIP session (spec §5.4.3 "SIP BYE / failure"): before the session
     * was up its waiting messages bounce as when the call is refused; after, the call is hung up and the XMPP peer
     * gets {@code gone}, as for a BYE (before, it heard nothing and went on writing into a session that was over).
     */
    @Override
    public void closed(String why) {
        boolean connecting;
        Jid to;
        SipCall call;
        synchronized (this) {
            connecting = state == State.CONNECTING;
            to = boundPeer;
            call = sip;
        }
        if (connecting) {
            failed("the MSRP connection ended: " + why, StanzaError.Condition.recipient_unavailable,
                    StanzaError.Type.WAIT);
            return;
        }
        if (finish()) {
            if (call != null) {
                call.hangUp("the MSRP connection ended: " + why);
            }
            xmpp.accept(gone(to));
        }
    }

    private Message gone(Jid to) {
        return StanzaBuilder.buildMessage().ofType(Message.Type.chat).from(sipUser).to(to)
                .addExtension(new ChatStateExtension(ChatState.gone)).build();
    }

    /** The SIP call ended (BYE, failure): the XMPP peer gets {@code gone} (spec §5.4.3). */
    public void sipEnded() {
        Jid to;
        synchronized (this) {
            to = boundPeer;
        }
        if (finish()) {
            xmpp.accept(gone(to));
        }
    }

    /** The session ends on our or the XMPP side: the SIP call is hung up ({@code why} null: nothing to hang up). */
    void end(String why) {
        SipCall call;
        synchronized (this) {
            call = sip;
        }
        if (finish() && why != null && call != null) {
            call.hangUp(why);
        }
    }

    /** To {@link State#ENDED}, once: the line closes, held REPORTs are dropped, the registry forgets us. */
    private boolean finish() {
        return finish(false) != null;
    }

    /**
     * To {@link State#ENDED}, once (only from {@link State#CONNECTING} when {@code onlyConnecting}); returns the
     * messages that were waiting, or null when nothing changed.
     */
    private List<Message> finish(boolean onlyConnecting) {
        ChatLine closing;
        List<Message> left;
        synchronized (this) {
            if (state == State.ENDED || onlyConnecting && state != State.CONNECTING) {
                return null;
            }
            state = State.ENDED;
            closing = line;
            awaitingReceipts.clear();
            left = List.copyOf(waiting);
            waiting.clear();
            if (inactivityTimer != null) {
                inactivityTimer.cancel(false);
            }
            if (answerTimer != null) {
                answerTimer.cancel(false);
            }
        }
        if (closing != null) {
            closing.close();
        }
        ended.accept(this);
        return left;
    }

    /** Spec §5.4.3: the SIP side's silence for {@code sip_session_timeout} ends the session. */
    private void restartInactivity() {
        if (inactivityTimer != null) {
            inactivityTimer.cancel(false);
        }
        inactivityTimer = timer.schedule(() -> end("no message for " + inactivity.toSeconds() + " s"),
                inactivity.toMillis(), TimeUnit.MILLISECONDS);
    }
}
