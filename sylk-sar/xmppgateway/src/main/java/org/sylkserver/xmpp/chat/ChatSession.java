package org.sylkserver.xmpp.chat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
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

/**
 * One MSRP chat session of a SIP user bridged to an XMPP user's chat (spec §5.4.3, RFC 7573), the SIP user having
 * called: CPIM text from the MSRP side becomes a {@code chat} message with {@code <active/>} asking for a receipt
 * (XEP-0184 §5), and the message's success REPORT (RFC 4975 §7.1.2) waits for that receipt (RFC 7573 §7.3: the
 * receipt is the delivery); is-composing ↔ chat states (XEP-0085 §5, RFC 3994; {@link ChatStates}); XMPP chat
 * messages of the peer go into the session; the end of either side ends the other: the SIP side's end sends
 * {@code gone}, the XMPP {@code gone} ends the SIP call, and so does silence on the SIP side for
 * {@code sip_session_timeout}.
 *
 * <p>States: {@link State#CONNECTING} (answered, the MSRP connection not bound yet) → {@link State#UP} →
 * {@link State#ENDED}. Methods are synchronized: the line's reader thread, the S2S thread and the timer call them.
 */
public final class ChatSession implements ChatLine.Listener {

    /** A message whose receipt does not come within this gets a 408 failure REPORT (spec §5.4.3: 30 s). */
    public static final Duration RECEIPT_WAIT = Duration.ofSeconds(30);
    /** The refresh of the is-composing indications made from chat states (spec §5.4.3). */
    private static final int COMPOSING_REFRESH = 30;

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
    private long nextId;

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
            restartInactivity();
        }
        try {
            return made.answer(offer);
        } catch (Exception e) {
            end(null);
            throw e;
        }
    }

    @Override
    public synchronized void connected() {
        if (state == State.CONNECTING) {
            state = State.UP;
        }
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
        MessageBuilder out = StanzaBuilder.buildMessage(sipUser.getResourceOrThrow() + "-" + (++nextId))
                .ofType(Message.Type.chat).from(sipUser).to(boundPeer);
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
     */
    public void xmppMessage(Message message) {
        ChatLine.Report report = null;
        ChatLine.Report failed = null;
        CpimMessage toSip = null;
        boolean gone;
        ChatLine on;
        synchronized (this) {
            if (state == State.ENDED) {
                return;
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
            if (!gone && body != null && !body.isEmpty()) {
                toSip = cpim(message.getFrom(), "text/plain", body.getBytes(StandardCharsets.UTF_8));
            } else if (chatState == ChatState.composing || chatState == ChatState.paused) {
                toSip = cpim(message.getFrom(), IsComposing.CONTENT_TYPE, new IsComposing(chatState == ChatState.composing,
                        COMPOSING_REFRESH, OffsetDateTime.now(), "text/plain").toXml());
            }
        }
        if (report != null) {
            report.send();
        }
        if (failed != null) {
            failed.fail(503, "Service Unavailable");
            return;
        }
        if (message.getType() == Message.Type.error) {
            return;
        }
        if (gone) {
            end("the XMPP user left the chat (gone)");
            return;
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
            } else {
                on.sendQuietly(toSip);
            }
        }
    }

    /** CPIM From the XMPP sender (its resource as {@code gr}, spec §5.3) To the SIP user. */
    private CpimMessage cpim(Jid sender, String contentType, byte[] content) {
        String from = Addresses.sipUri(sender) + (sender.hasResource()
                ? ";gr=" + Addresses.gruuOf(sender.getResourceOrThrow().toString()) : "");
        return CpimMessage.builder().from(CpimMessage.Address.of(from))
                .to(CpimMessage.Address.of(Addresses.sipUri(sipUser))).contentHeader("Content-Type", contentType)
                .content(content).build();
    }

    @Override
    public void closed(String why) {
        end("the MSRP connection ended: " + why);
    }

    /** The SIP call ended (BYE, failure): the XMPP peer gets {@code gone} (spec §5.4.3). */
    public void sipEnded() {
        Jid to;
        synchronized (this) {
            to = boundPeer;
        }
        if (finish()) {
            xmpp.accept(StanzaBuilder.buildMessage().ofType(Message.Type.chat).from(sipUser).to(to)
                    .addExtension(new ChatStateExtension(ChatState.gone)).build());
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
        ChatLine closing;
        synchronized (this) {
            if (state == State.ENDED) {
                return false;
            }
            state = State.ENDED;
            closing = line;
            awaitingReceipts.clear();
            if (inactivityTimer != null) {
                inactivityTimer.cancel(false);
            }
        }
        if (closing != null) {
            closing.close();
        }
        ended.accept(this);
        return true;
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
