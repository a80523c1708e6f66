package org.sylkserver.xmpp.jingle;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.jingle.element.Jingle;
import org.jivesoftware.smackx.jingle.element.JingleAction;
import org.jivesoftware.smackx.jingle.element.JingleContent;
import org.jivesoftware.smackx.jingle.element.JingleError;
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.jivesoftware.smackx.jingle.element.UnknownJingleContentDescription;
import org.jivesoftware.smackx.jingle.element.UnknownJingleContentTransport;
import org.jxmpp.jid.FullJid;

/**
 * One Jingle session of the gateway with an XMPP party (XEP-0166 §6): {@link State#PENDING} from
 * {@code session-initiate} until {@code session-accept}, then {@link State#ACTIVE}, {@link State#ENDED} after a
 * {@code session-terminate} either way, a failed or unanswered ({@link #STANZA_TIMEOUT}) initiate or accept, or when
 * the session is not accepted within its answer wait.
 * <p>
 * Every method is synchronized on the session (stanzas and timers of one session are handled one at a time); the
 * listener is called under that lock and must not block.
 */
public final class JingleSession {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.jingle");

    /** Spec §5.7: how long a Jingle IQ of ours may stay unanswered. */
    public static final Duration STANZA_TIMEOUT = Duration.ofSeconds(3);

    public enum State { PENDING, ACTIVE, ENDED }

    /** What the other leg of the call needs to hear. */
    public interface Listener {
        /** The responder accepted (we initiated): its content. */
        void accepted(JingleRequest.Content content);

        /** The responder's client is ringing (XEP-0167 §8.4). */
        void ringing();

        /** The XMPP party put the call on hold ({@code true}) or took it back (XEP-0167 §8.1, §8.2). */
        void hold(boolean held);

        /** The session ended other than by our own {@link #terminate}: the peer's reason, or ours on a failure. */
        void ended(JingleReason.Reason reason);
    }

    private final String sid;
    private final FullJid local;
    private final FullJid remote;
    private final boolean initiator;
    private final Consumer<IQ> sender;
    private final ScheduledExecutorService timer;
    private final Duration stanzaTimeout;
    private final Listener listener;
    /** Our IQs awaiting their result, by stanza id: the action and its timeout. */
    private final Map<String, Outstanding> outstanding = new HashMap<>();
    private final ScheduledFuture<?> answerTimeout;
    private State state = State.PENDING;

    private record Outstanding(JingleAction action, ScheduledFuture<?> timeout) {
    }

    /**
     * @param initiator  whether we send the {@code session-initiate} (SIP → XMPP) or received it (XMPP → SIP)
     * @param sender     puts our IQs on the S2S link
     * @param answerWait how long the session may stay pending before it ends with reason {@code timeout}
     */
    public JingleSession(String sid, FullJid local, FullJid remote, boolean initiator, Consumer<IQ> sender,
                         ScheduledExecutorService timer, Duration stanzaTimeout, Duration answerWait,
                         Listener listener) {
        this.sid = sid;
        this.local = local;
        this.remote = remote;
        this.initiator = initiator;
        this.sender = sender;
        this.timer = timer;
        this.stanzaTimeout = stanzaTimeout;
        this.listener = listener;
        this.answerTimeout = timer.schedule(this::notAnswered, answerWait.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String sid() {
        return sid;
    }

    public FullJid remote() {
        return remote;
    }

    public synchronized State state() {
        return state;
    }

    /** XEP-0166 §6.2: we offer the content (we are the initiator, the session is new). */
    public synchronized void initiate(JingleRequest.Content content) {
        initiate(content, null);
    }

    /**
     * XEP-0166 §6.2 with {@code extra} (null for none) in the jingle element besides the content: XEP-0298 §5's
     * conference-info when we call as a conference focus.
     */
    public synchronized void initiate(JingleRequest.Content content, ExtensionElement extra) {
        require(initiator && state == State.PENDING && outstanding.isEmpty(), "initiate");
        Jingle jingle = builder(JingleAction.session_initiate).setInitiator(local).addJingleContent(content(content))
                .build();
        if (extra != null) {
            jingle.addExtension(extra);
        }
        send(jingle);
    }

    /** XEP-0167 §8.4: tells the initiator that the called party is being alerted. */
    public synchronized void ringing() {
        if (!initiator && state == State.PENDING) {
            send(info(JingleRequest.Info.RINGING));
        }
    }

    /** XEP-0166 §6.5: we accept the initiator's offer with our answer. */
    public synchronized void accept(JingleRequest.Content content) {
        require(!initiator && state == State.PENDING, "accept");
        transition(State.ACTIVE);
        send(builder(JingleAction.session_accept).setResponder(local).addJingleContent(content(content)).build());
    }

    /** Spec §5.7: the SIP side put the call on hold or took it back (XEP-0167 §8.2 hold, §8.1 active). */
    public synchronized void hold(boolean held) {
        if (state == State.ACTIVE) {
            send(info(held ? JingleRequest.Info.HOLD : JingleRequest.Info.ACTIVE));
        }
    }

    /**
     * XEP-0298 §6: the conference's state (from {@link ConferenceInfo#update}) to the Jingle party of an active
     * session. Its answer is not waited for: an error does not end the call.
     */
    public synchronized void conferenceInfo(StandardExtensionElement document) {
        if (state == State.ACTIVE) {
            sender.accept(ConferenceInfo.iq(local, remote, document));
        }
    }

    /** XEP-0166 §6.7: we end the session (no listener call: the caller knows). */
    public synchronized void terminate(JingleReason.Reason reason) {
        if (state == State.ENDED) {
            return;
        }
        transition(State.ENDED);
        send(builder(JingleAction.session_terminate).setReason(reason).build());
    }

    /**
     * A Jingle request of the remote party for this session: the IQ answering it (XEP-0166 §6.3.1 result, §8 errors:
     * {@code out-of-order} for an action the state does not allow, {@code unsupported-info} for an informational
     * payload we do not know).
     */
    public synchronized IQ received(IQ iq, JingleRequest request) {
        if (state == State.ENDED) {
            return error(iq, StanzaError.Condition.item_not_found, JingleError.UNKNOWN_SESSION);
        }
        switch (request.action()) {
            case session_accept -> {
                if (!initiator || state != State.PENDING || request.contents().isEmpty()) {
                    return error(iq, StanzaError.Condition.unexpected_request, JingleError.OUT_OF_ORDER);
                }
                transition(State.ACTIVE);
                listener.accepted(request.contents().get(0));
            }
            case session_terminate -> {
                transition(State.ENDED);
                listener.ended(request.reason() != null ? request.reason() : JingleReason.Reason.success);
            }
            case session_info -> {
                if (request.info() == JingleRequest.Info.UNKNOWN) {
                    return error(iq, StanzaError.Condition.feature_not_implemented, JingleError.UNSUPPORTED_INFO);
                }
                if (request.info() == JingleRequest.Info.RINGING && initiator && state == State.PENDING) {
                    listener.ringing();
                } else if (request.info() == JingleRequest.Info.HOLD) {
                    listener.hold(true);
                } else if (request.info() == JingleRequest.Info.ACTIVE || request.info() == JingleRequest.Info.UNHOLD) {
                    listener.hold(false);
                }
            }
            case session_initiate -> {
                return error(iq, StanzaError.Condition.unexpected_request, JingleError.OUT_OF_ORDER);
            }
            case transport_info -> {
                // XEP-0176 §5.5 trickle: acknowledged; our lite agent needs none of the peer's candidates (its checks
                // come to our host candidate, and media goes where they came from); raw UDP has nothing to trickle
            }
            default -> {
                return error(iq, StanzaError.Condition.feature_not_implemented, null);
            }
        }
        return IQ.createResultIQ(iq);
    }

    /** The result or error answering one of our IQs; false when it answers none of this session's. */
    public synchronized boolean response(IQ iq) {
        Outstanding sent = outstanding.remove(iq.getStanzaId());
        if (sent == null) {
            return false;
        }
        sent.timeout().cancel(false);
        if (iq.getType() == IQ.Type.error) {
            StanzaError.Condition condition = iq.getError() != null ? iq.getError().getCondition() : null;
            failed(sent.action(), condition == StanzaError.Condition.item_not_found
                    || condition == StanzaError.Condition.recipient_unavailable
                    || condition == StanzaError.Condition.service_unavailable
                    ? JingleReason.Reason.gone : JingleReason.Reason.general_error);
        }
        return true;
    }

    /** An initiate or accept that fails or stays unanswered ends the session; other IQs are informational. */
    private void failed(JingleAction action, JingleReason.Reason reason) {
        if (state == State.ENDED
                || action != JingleAction.session_initiate && action != JingleAction.session_accept) {
            LOG.fine(() -> "Jingle " + action + " of " + sid + " failed: " + reason);
            return;
        }
        LOG.info("Jingle session " + sid + " with " + remote + ": " + action + " failed (" + reason + ")");
        if (action == JingleAction.session_accept) {
            send(builder(JingleAction.session_terminate).setReason(reason).build());
        }
        transition(State.ENDED);
        listener.ended(reason);
    }

    private synchronized void stanzaTimedOut(String id) {
        Outstanding sent = outstanding.remove(id);
        if (sent != null) {
            failed(sent.action(), JingleReason.Reason.timeout);
        }
    }

    private synchronized void notAnswered() {
        if (state == State.PENDING) {
            LOG.info("Jingle session " + sid + " with " + remote + " was not accepted in time");
            send(builder(JingleAction.session_terminate).setReason(JingleReason.Reason.timeout).build());
            transition(State.ENDED);
            listener.ended(JingleReason.Reason.timeout);
        }
    }

    private void transition(State next) {
        LOG.fine(() -> "Jingle session " + sid + ": " + state + " -> " + next);
        state = next;
        if (next == State.ENDED) {
            answerTimeout.cancel(false);
            outstanding.values().forEach(sent -> sent.timeout().cancel(false));
            outstanding.clear();
        }
    }

    private void require(boolean allowed, String what) {
        if (!allowed) {
            throw new IllegalStateException("Jingle session " + sid + " cannot " + what + " when " + state);
        }
    }

    private Jingle.Builder builder(JingleAction action) {
        return Jingle.builder(nextId()).ofType(IQ.Type.set).from(local).to(remote).setAction(action).setSessionId(sid);
    }

    private Jingle info(JingleRequest.Info info) {
        Jingle jingle = builder(JingleAction.session_info).build();
        jingle.addExtension(info.toElement());
        return jingle;
    }

    private static JingleContent content(JingleRequest.Content content) {
        return JingleContent.getBuilder().setCreator(content.creator()).setName(content.name())
                .setSenders(content.senders())
                .setDescription(new UnknownJingleContentDescription(content.description().toElement()))
                .setTransport(new UnknownJingleContentTransport(content.transport().toElement())).build();
    }

    private void send(Jingle jingle) {
        if (jingle.getAction() != JingleAction.session_terminate) {
            String id = jingle.getStanzaId();
            outstanding.put(id, new Outstanding(jingle.getAction(),
                    timer.schedule(() -> stanzaTimedOut(id), stanzaTimeout.toMillis(), TimeUnit.MILLISECONDS)));
        }
        sender.accept(jingle);
    }

    private static String nextId() {
        return "jingle-" + UUID.randomUUID();
    }

    /** An error answering a Jingle request (XEP-0166 §8), with the Jingle condition when there is one. */
    static IQ error(IQ request, StanzaError.Condition condition, JingleError jingleError) {
        StanzaError.Builder error = StanzaError.getBuilder(condition);
        if (jingleError != null) {
            error.addExtension(jingleError);
        }
        return IQ.createErrorResponse(request, error);
    }
}
