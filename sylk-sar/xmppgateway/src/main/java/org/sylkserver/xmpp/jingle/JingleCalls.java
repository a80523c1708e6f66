package org.sylkserver.xmpp.jingle;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.jingle.element.JingleAction;
import org.jivesoftware.smackx.jingle.element.JingleError;
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.jxmpp.jid.FullJid;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The Jingle calls of XMPP users to our SIP users (spec §5.7, XMPP → SIP): each {@code session-initiate} with a
 * supported RTP audio offer gets {@code ringing} and a SIP call through {@link SipCalls}; the SIP answer accepts the
 * session, a SIP failure or BYE terminates it with the matching reason, a Jingle termination hangs the SIP leg up.
 * Media goes through an {@link AudioBridge} (both legs end at our media engine).
 * <p>
 * Limits: at most {@code maxSessions} sessions, a quarter of them from one XMPP domain (more are refused with
 * {@code busy}), a session not accepted within
 * {@code answerWait} ends with {@code timeout}; requests for unknown sessions get {@code item-not-found}
 * ({@code unknown-session}), malformed ones {@code bad-request} (XEP-0166 §8).
 */
public final class JingleCalls {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.jingle");

    /** The media of one call: our endpoints towards the Jingle party and towards the SIP party, bridged. */
    public interface AudioBridge {
        /** Our offer to the SIP party. */
        SessionDescription sipOffer();

        /**
         * Our re-offer to the SIP party once the call is up (spec §5.7 hold mapping): {@code sendonly} while the
         * Jingle party holds the call, else {@code sendrecv} (RFC 3264 §8.4).
         */
        SessionDescription sipReOffer(boolean held);

        /**
         * Our answer to the SIP party's re-offer: only a change of direction (hold, resume) is taken.
         *
         * @throws SdpException for any other change (a new address, other codecs): the re-INVITE is refused
         */
        SessionDescription sipReAnswer(SessionDescription reOffer) throws SdpException;

        /**
         * Takes the SIP party's answer; returns our Jingle-side answer to the Jingle party's offer.
         *
         * @param source the address the answer came from (null if unknown): a SIP party behind NAT sends its media
         *               from there while its SDP names a private address
         */
        JingleSdp.Media answer(SessionDescription sipAnswer, java.net.InetAddress source) throws SdpException;

        void close();
    }

    /** Makes the media of calls. */
    public interface AudioBridges {
        /**
         * Media for a Jingle offer; null when no codec of the offer can be handled (then unsupported).
         *
         * @param silence called (once or more, on any thread) when a party stopped sending media for the media
         *                engine's RTP timeout once the call was answered: a party that vanished without hanging up
         */
        AudioBridge open(JingleSdp.Media jingleOffer, Runnable silence);
    }

    /** What a SIP call reports back. */
    public interface SipEvents {
        /** The 2xx with its SDP answer; {@code source} is where it came from (null if unknown). */
        void answered(SessionDescription answer, java.net.InetAddress source);

        /** A final failure response (status ≥ 300) or no response at all (408). */
        void failed(int status);

        /** The SIP party hung up (BYE). */
        void hungUp();

        /** The SIP party's re-INVITE offer: our answer, or null to refuse it (488). */
        SessionDescription reOffered(SessionDescription offer);
    }

    /** A SIP call in progress. */
    public interface SipCall {
        /** CANCEL before the answer, BYE after. */
        void hangUp();

        /** A re-INVITE with {@code offer} once the call is answered (hold, resume). */
        void reOffer(SessionDescription offer);
    }

    /** Places SIP calls (the servlet: INVITE through the outbound proxy like the gateway's other requests). */
    public interface SipCalls {
        SipCall call(String fromUri, String toUri, SessionDescription offer, SipEvents events);
    }

    private final Consumer<IQ> sender;
    private final ScheduledExecutorService timer;
    private final Set<String> domains;
    private final AudioBridges bridges;
    private final SipCalls sip;
    private final int maxSessions;
    private final Duration answerWait;
    private final Map<String, Call> calls = new ConcurrentHashMap<>();

    public JingleCalls(Consumer<IQ> sender, ScheduledExecutorService timer, Set<String> domains, AudioBridges bridges,
                       SipCalls sip, int maxSessions, Duration answerWait) {
        this.sender = sender;
        this.timer = timer;
        this.domains = Set.copyOf(domains);
        this.bridges = bridges;
        this.sip = sip;
        this.maxSessions = maxSessions;
        this.answerWait = answerWait;
    }

    /** Calls in progress (for the limit and for tests). */
    public int size() {
        return calls.size();
    }

    /** Ends every call (the gateway stops): Jingle terminate with {@code success}, SIP hung up, media closed. */
    public void close() {
        for (Call call : calls.values()) {
            call.end(JingleReason.Reason.success);
        }
    }

    /** The most calls one XMPP domain may hold: a quarter of all, so that one federated server cannot take them all. */
    private int perDomain() {
        return Math.max(1, maxSessions / 4);
    }

    private static String key(FullJid remote, String sid) {
        return remote + " " + sid;
    }

    /**
     * A Jingle IQ set for one of our users: answered through the sender, before anything the answer leads to (the
     * acknowledgement of a session-initiate precedes our ringing, XEP-0166 §6.3). {@code iqXml} is the stanza as
     * received (the informational payloads Smack drops are read from it).
     */
    public void request(IQ iq, String iqXml) {
        JingleRequest request;
        try {
            var jingle = JingleRequest.jingleElement(iqXml);
            if (jingle == null) {
                throw new MalformedJingleException("no <jingle/> element");
            }
            request = JingleRequest.read(jingle);
        } catch (MalformedJingleException e) {
            LOG.info("malformed Jingle request from " + iq.getFrom() + ": " + e.getMessage());
            sender.accept(IQ.createErrorResponse(iq, StanzaError.Condition.bad_request));
            return;
        }
        FullJid from = iq.getFrom() != null ? iq.getFrom().asFullJidIfPossible() : null;
        FullJid to = iq.getTo() != null ? iq.getTo().asFullJidIfPossible() : null;
        if (from == null) {
            sender.accept(IQ.createErrorResponse(iq, StanzaError.Condition.bad_request));
            return;
        }
        Call call = calls.get(key(from, request.sid()));
        if (call != null) {
            sender.accept(call.session.received(iq, request));
            return;
        }
        if (request.action() != JingleAction.session_initiate) {
            sender.accept(JingleSession.error(iq, StanzaError.Condition.item_not_found, JingleError.UNKNOWN_SESSION));
            return;
        }
        if (to == null) {
            // a session is between full JIDs (XEP-0166 §6.1); our users' JIDs get the resource the caller chose
            sender.accept(IQ.createErrorResponse(iq, StanzaError.Condition.bad_request));
            return;
        }
        sender.accept(IQ.createResultIQ(iq));
        initiate(from, to, request);
    }

    /** The result or error of one of our Jingle IQs; false when it is none of ours. */
    public boolean response(IQ iq) {
        for (Call call : calls.values()) {
            if (call.session.response(iq)) {
                return true;
            }
        }
        return false;
    }

    /** XEP-0166 §6.3: the initiate was acknowledged; now the session is refused or the SIP call placed. */
    private void initiate(FullJid from, FullJid to, JingleRequest request) {
        Call call = new Call();
        JingleSession session = new JingleSession(request.sid(), to, from, false, sender, timer,
                JingleSession.STANZA_TIMEOUT, answerWait, call);
        call.session = session;
        if (!domains.contains(to.getDomain().toString())) {
            session.terminate(JingleReason.Reason.general_error);
            return;
        }
        JingleRequest.Content offer = request.contents().stream()
                .filter(c -> c.description() != null && c.description().media().equals("audio")).findFirst()
                .orElse(null);
        if (offer == null) {
            session.terminate(JingleReason.Reason.unsupported_applications);
            return;
        }
        if (offer.transport() == null) {
            session.terminate(JingleReason.Reason.unsupported_transports);
            return;
        }
        synchronized (calls) {
            String domain = from.getDomain().toString();
            long fromDomain = calls.values().stream()
                    .filter(c -> c.session.remote().getDomain().toString().equals(domain)).count();
            if (calls.size() >= maxSessions || fromDomain >= perDomain()) {
                LOG.info("Jingle call from " + from + " refused: " + calls.size() + " calls in progress, "
                        + fromDomain + " from " + domain + " (at most " + maxSessions + ", " + perDomain()
                        + " per XMPP domain)");
                session.terminate(JingleReason.Reason.busy);
                return;
            }
            calls.put(key(from, request.sid()), call);
        }
        call.offer = offer;
        call.bridge = bridges.open(new JingleSdp.Media(offer.description(), offer.transport(),
                JingleSdp.direction(offer.senders(), true)), () -> {
                    if (!call.over.get()) {
                        LOG.info("Jingle call " + from + " -> " + to + ": no media for the RTP timeout, ended");
                        call.end(JingleReason.Reason.connectivity_error);
                    }
                });
        if (call.bridge == null) {
            call.end(JingleReason.Reason.unsupported_applications);
            return;
        }
        session.ringing();
        SipCall placed = sip.call("sip:" + from.asBareJid(), "sip:" + to.asBareJid(), call.bridge.sipOffer(), call);
        call.sip = placed;
        if (call.over.get() && placed != null) {
            placed.hangUp(); // the Jingle side ended while the INVITE was being sent
        }
    }

    /**
     * One call: the Jingle session and the SIP call, each ending the other. Not locked itself (the session has its
     * lock and calls the listener under it): {@code over} makes the release happen once.
     */
    private final class Call implements JingleSession.Listener, SipEvents {
        private volatile JingleSession session;
        private volatile JingleRequest.Content offer;
        private volatile AudioBridge bridge;
        private volatile SipCall sip;
        /** Whether the SIP party answered (re-INVITEs and hold apply from then on). */
        private volatile boolean up;
        private final AtomicBoolean over = new AtomicBoolean();

        /** Ends the call from our side: Jingle terminate with {@code reason}, the SIP leg hung up, media closed. */
        void end(JingleReason.Reason reason) {
            session.terminate(reason);
            release();
        }

        private void release() {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            calls.remove(key(session.remote(), session.sid()), this);
            if (sip != null) {
                sip.hangUp();
            }
            if (bridge != null) {
                bridge.close();
            }
        }

        @Override
        public void answered(SessionDescription answer, java.net.InetAddress source) {
            if (over.get()) {
                return;
            }
            try {
                JingleSdp.Media ours = bridge.answer(answer, source);
                up = true;
                session.accept(new JingleRequest.Content(offer.name(), offer.creator(),
                        JingleSdp.senders(ours.direction(), false), ours.description(), ours.transport()));
            } catch (SdpException | RuntimeException e) {
                LOG.info("SIP answer for Jingle session " + session.sid() + " not usable: " + e.getMessage());
                end(JingleReason.Reason.failed_application);
            }
        }

        @Override
        public void failed(int status) {
            sip = null; // the SIP call is over already
            end(reason(status));
        }

        @Override
        public void hungUp() {
            sip = null;
            end(JingleReason.Reason.success);
        }

        @Override
        public void accepted(JingleRequest.Content content) {
            // we are the responder: the Jingle party never accepts
        }

        @Override
        public void ringing() {
        }

        /** Spec §5.7: the Jingle party's hold or active (XEP-0167 §8.1, §8.2) becomes a SIP re-INVITE. */
        @Override
        public void hold(boolean held) {
            SipCall placed = sip;
            if (placed != null && up && !over.get()) {
                placed.reOffer(bridge.sipReOffer(held));
            }
        }

        /**
         * Spec §5.7: the SIP party's re-INVITE: hold ({@code sendonly} or {@code inactive}, RFC 3264 §8.4) or resume
         * becomes a Jingle session-info hold or active; other proposals are refused.
         */
        @Override
        public SessionDescription reOffered(SessionDescription offer) {
            if (over.get() || !up) {
                return null;
            }
            try {
                SessionDescription answer = bridge.sipReAnswer(offer);
                String direction = JingleSdp.fromSdp(offer).direction();
                session.hold(direction.equals("sendonly") || direction.equals("inactive"));
                return answer;
            } catch (SdpException | RuntimeException e) {
                LOG.info("re-INVITE in Jingle session " + session.sid() + " refused: " + e.getMessage());
                return null;
            }
        }

        @Override
        public void ended(JingleReason.Reason reason) {
            release();
        }
    }

    /** The Jingle reason (XEP-0166 §7.4) of a SIP failure status (RFC 3261 §21). */
    static JingleReason.Reason reason(int status) {
        return switch (status) {
            case 486, 600 -> JingleReason.Reason.busy;
            case 603 -> JingleReason.Reason.decline;
            case 404, 410, 480, 604 -> JingleReason.Reason.gone;
            case 408 -> JingleReason.Reason.timeout;
            case 487 -> JingleReason.Reason.cancel;
            case 415, 488, 606 -> JingleReason.Reason.incompatible_parameters;
            default -> JingleReason.Reason.general_error;
        };
    }
}
