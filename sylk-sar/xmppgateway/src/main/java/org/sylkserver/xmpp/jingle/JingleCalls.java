package org.sylkserver.xmpp.jingle;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.jingle.element.JingleAction;
import org.jivesoftware.smackx.jingle.element.JingleContent;
import org.jivesoftware.smackx.jingle.element.JingleError;
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.FullJid;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.SipParty;

/**
 * The Jingle calls between XMPP users and our SIP users (spec §5.7). XMPP → SIP: each {@code session-initiate} with
 * a supported RTP audio offer gets {@code ringing} and a SIP call through {@link SipCalls}; the SIP answer accepts the
 * session, a SIP failure or BYE terminates it with the matching reason, a Jingle termination hangs the SIP leg up.
 * SIP → XMPP ({@link #dial}): the servlet's INVITE rings the XMPP user's resource with our {@code session-initiate};
 * its {@code ringing} is a 180, its accept the 200, its termination the failure response or a BYE. Media goes through
 * the media engine's bridges ({@link AudioBridges}); hold is mapped both ways.
 * <p>
 * Limits, for both directions together: at most {@code maxSessions} calls, a quarter of them with one XMPP domain
 * (more are refused: {@code busy}, 486), a session not accepted within {@code answerWait} ends with {@code timeout}
 * (408); requests for unknown sessions get {@code item-not-found} ({@code unknown-session}), malformed ones
 * {@code bad-request} (XEP-0166 §8).
 */
public final class JingleCalls {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.jingle");

    /** What the media of a call does once it is up, whichever side offered. */
    public interface MediaBridge {
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
         * A transport of the Jingle party's transport-info (XEP-0176 §5.5): a DTLS fingerprint sent there rather than
         * with its offer or answer (XEP-0320 §1) is taken while it can be; a failure is reported as the media's
         * ({@link MediaFailure}).
         */
        void transportInfo(JingleTransport transport);

        void close();
    }

    /** The media of an XMPP user's call (the Jingle party offered): our endpoints towards both parties, bridged. */
    public interface AudioBridge extends MediaBridge {
        /** Our offer to the SIP party. */
        SessionDescription sipOffer();

        /**
         * Takes the SIP party's answer; returns our Jingle-side answer to the Jingle party's offer.
         *
         * @param source the address the answer came from (null if unknown): a SIP party behind NAT sends its media
         *               from there while its SDP names a private address
         */
        JingleSdp.Media answer(SessionDescription sipAnswer, java.net.InetAddress source) throws SdpException;
    }

    /** The media of a SIP user's call (the SIP party offered). */
    public interface SipOfferBridge extends MediaBridge {
        /**
         * Our offer to the Jingle party with the SIP party's codecs: over ICE-UDP (XEP-0176) when {@code iceUdp} (the
         * callee lists it), else raw UDP (XEP-0177).
         */
        JingleSdp.Media jingleOffer(boolean iceUdp);

        /** Takes the Jingle party's answer (its session-accept); returns our SDP answer to the SIP party. */
        SessionDescription answer(JingleSdp.Media jingleAnswer) throws SdpException;
    }

    /** What ends a call from the media side (once or more, on any thread). */
    @FunctionalInterface
    public interface MediaFailure {
        /**
         * {@code connectivity-error}: a party stopped sending media for the media engine's RTP timeout once the call
         * was answered (it vanished without hanging up); {@code failed-transport}: the Jingle party's DTLS handshake
         * (XEP-0320) was not done in time; {@code security-error}: it was refused (a certificate that does not match
         * the fingerprint, an alert). XEP-0166 §7.4.
         */
        void failed(JingleReason.Reason reason);
    }

    /** Makes the media of calls. */
    public interface AudioBridges {
        /**
         * Media for a Jingle offer; null when no codec of the offer can be handled (then unsupported-applications),
         * or, having told {@code failure} the reason first (which then ends the session), when the offer's
         * encryption cannot be met (security-error, XEP-0167 §7) or its DTLS-SRTP lacks rtcp-mux
         * (incompatible-parameters).
         *
         * @param failure told when the media of the call fails
         */
        AudioBridge open(JingleSdp.Media jingleOffer, MediaFailure failure);

        /**
         * Media for a SIP party's offer; null when it cannot be relayed (no plain RTP audio stream: 488).
         *
         * @param source  where the INVITE came from (null if unknown): a SIP party behind NAT sends its media from
         *                there
         * @param failure as for {@link #open}
         */
        SipOfferBridge open(SessionDescription sipOffer, java.net.InetAddress source, MediaFailure failure);
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

    /**
     * The SIP side of a SIP user's call to an XMPP user (spec §5.7, SIP → XMPP): the servlet's INVITE, answered by
     * what the Jingle side does. Each method may be called on any thread; the servlet ignores what comes too late.
     */
    public interface SipCaller {
        /** 180 Ringing (the Jingle party's client rings, XEP-0167 §8.4). */
        void ringing();

        /** 200 OK with {@code answer}; false when the INVITE can no longer be answered (it was cancelled). */
        boolean answer(SessionDescription answer);

        /** A final failure response to the INVITE (RFC 3261 §21). */
        void reject(int status);

        /** BYE, once answered. */
        void hangUp();

        /** A re-INVITE with {@code offer} once answered (the Jingle party's hold or resume). */
        void reOffer(SessionDescription offer);
    }

    /** What the SIP caller does to its call (the servlet hands it on). */
    public interface CallerEvents {
        /** CANCEL before the answer (the container answered the INVITE 487). */
        void cancelled();

        /** BYE. */
        void hungUp();

        /** A re-INVITE's offer: our answer, or null to refuse it (488). */
        SessionDescription reOffered(SessionDescription offer);

        /**
         * A conference-info document (RFC 4575) of the calling focus's conference event package: passed on to the
         * Jingle party (XEP-0298 §6) when the call is a focus's and its session is active; else, or when it is no
         * such document, dropped.
         */
        default void conferenceInfo(byte[] document) {
        }
    }

    /** Full JIDs of an XMPP user whose presence reached us: candidates to ring for a call to the bare JID. */
    public interface KnownResources {
        List<FullJid> of(BareJid user);
    }

    /** Spec §5.7 (SIP → XMPP): at most this many of the callee's resources are asked for their features. */
    static final int MAX_CANDIDATES = 8;

    private final Consumer<IQ> sender;
    private final ScheduledExecutorService timer;
    private final Set<String> domains;
    private final AudioBridges bridges;
    private final SipCalls sip;
    private final int maxSessions;
    private final Duration answerWait;
    private final KnownResources resources;
    /** Every call in progress, for the limits (a SIP user's call from its discovery on). */
    private final Set<Tracked> calls = ConcurrentHashMap.newKeySet();
    /** The calls with a Jingle session, by remote full JID and sid: where the remote party's requests go. */
    private final Map<String, Tracked> sessions = new ConcurrentHashMap<>();
    /** Our service discovery requests (SIP → XMPP callee discovery) awaiting their answer, by stanza id. */
    private final Map<String, Dialled> discoveries = new ConcurrentHashMap<>();

    /** A call in progress of either direction. */
    private interface Tracked {
        /** The XMPP domain of the Jingle party (the per-domain limit counts it). */
        String domain();

        /** The Jingle session, null while a SIP user's call is still looking for the resource to ring. */
        JingleSession session();

        /** Ends the call from our side with {@code reason}: both legs ended, media closed. */
        void end(JingleReason.Reason reason);

        /** The call's media, null before it has any. */
        MediaBridge media();
    }

    public JingleCalls(Consumer<IQ> sender, ScheduledExecutorService timer, Set<String> domains, AudioBridges bridges,
                       SipCalls sip, int maxSessions, Duration answerWait) {
        this(sender, timer, domains, bridges, sip, maxSessions, answerWait, user -> List.of());
    }

    /** @param resources the resources of XMPP users known from their presence (SIP users' calls ring them) */
    public JingleCalls(Consumer<IQ> sender, ScheduledExecutorService timer, Set<String> domains, AudioBridges bridges,
                       SipCalls sip, int maxSessions, Duration answerWait, KnownResources resources) {
        this.resources = resources;
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
        for (Tracked call : calls) {
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
        Tracked call = sessions.get(key(from, request.sid()));
        if (call != null) {
            IQ answer = call.session().received(iq, request);
            sender.accept(answer);
            MediaBridge media = call.media();
            if (request.action() == JingleAction.transport_info && answer.getType() == IQ.Type.result
                    && media != null) {
                request.contents().stream().map(JingleRequest.Content::transport).filter(t -> t != null)
                        .forEach(media::transportInfo);
            }
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
        Dialled discovering = discoveries.remove(iq.getStanzaId());
        if (discovering != null) {
            discovering.discovered(iq);
            return true;
        }
        for (Tracked call : calls) {
            JingleSession session = call.session();
            if (session != null && session.response(iq)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes a call into the limits: at most {@code maxSessions} calls, a quarter of them with one XMPP domain;
     * false (and logged) when it does not fit.
     */
    private boolean admit(Tracked call, String who) {
        synchronized (calls) {
            String domain = call.domain();
            long withDomain = calls.stream().filter(c -> c.domain().equals(domain)).count();
            if (calls.size() >= maxSessions || withDomain >= perDomain()) {
                LOG.info("Jingle call " + who + " refused: " + calls.size() + " calls in progress, " + withDomain
                        + " with " + domain + " (at most " + maxSessions + ", " + perDomain() + " per XMPP domain)");
                return false;
            }
            calls.add(call);
            return true;
        }
    }

    /** XEP-0166 §6.3: the initiate was acknowledged; now the session is refused or the SIP call placed. */
    private void initiate(FullJid from, FullJid to, JingleRequest request) {
        Call call = new Call(from.getDomain().toString());
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
        if (offer.transport() instanceof JingleTransport.IceUdp ice && ice.fingerprint() != null) {
            String problem = ice.fingerprint().problem();
            if (problem != null) {
                LOG.info("Jingle call from " + from + " refused: " + problem);
                session.terminate(JingleReason.Reason.security_error);
                return;
            }
        }
        if (!admit(call, "from " + from)) {
            session.terminate(JingleReason.Reason.busy);
            return;
        }
        sessions.put(key(from, request.sid()), call);
        call.offer = offer;
        call.bridge = bridges.open(new JingleSdp.Media(offer.description(), offer.transport(),
                JingleSdp.direction(offer.senders(), true)), reason -> {
                    if (!call.over.get()) {
                        LOG.info("Jingle call " + from + " -> " + to + ": media failed (" + reason + "), ended");
                        call.end(reason);
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
    private final class Call implements Tracked, JingleSession.Listener, SipEvents {
        private final String domain;
        private volatile JingleSession session;
        private volatile JingleRequest.Content offer;
        private volatile AudioBridge bridge;
        private volatile SipCall sip;
        /** Whether the SIP party answered (re-INVITEs and hold apply from then on). */
        private volatile boolean up;
        private final AtomicBoolean over = new AtomicBoolean();

        Call(String domain) {
            this.domain = domain;
        }

        @Override
        public String domain() {
            return domain;
        }

        @Override
        public JingleSession session() {
            return session;
        }

        @Override
        public MediaBridge media() {
            return bridge;
        }

        /** Ends the call from our side: Jingle terminate with {@code reason}, the SIP leg hung up, media closed. */
        @Override
        public void end(JingleReason.Reason reason) {
            session.terminate(reason);
            release();
        }

        private void release() {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            calls.remove(this);
            sessions.remove(key(session.remote(), session.sid()), this);
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

        @Override
        public void hold(boolean held) {
            SipCall placed = sip;
            if (placed != null && up && !over.get()) {
                placed.reOffer(bridge.sipReOffer(held));
            }
        }

        @Override
        public SessionDescription reOffered(SessionDescription offer) {
            return over.get() || !up ? null : reAnswer(session, bridge, offer);
        }

        @Override
        public void ended(JingleReason.Reason reason) {
            release();
        }
    }

    /**
     * Spec §5.7: the SIP party's re-INVITE: hold ({@code sendonly} or {@code inactive}, RFC 3264 §8.4) or resume
     * becomes a Jingle session-info hold or active (XEP-0167 §8.1, §8.2); other proposals are refused (null: 488).
     */
    private static SessionDescription reAnswer(JingleSession session, MediaBridge bridge, SessionDescription offer) {
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

    /**
     * Spec §5.7, SIP → XMPP: a SIP user's INVITE with an audio offer for an XMPP user. Refused at once (through
     * {@code caller}) with 400 when the addresses are no JIDs, 403 for a caller outside our domains, 404 for a callee
     * in them, 486 beyond the limits, 488 for an offer the media cannot relay. A Request-URI with {@code gr} rings
     * that resource (the original refused it, quirk Q14); else the callee's resources are discovered (XEP-0030: its
     * bare JID's disco#items and the resources its presence told us of, each asked for disco#info) and the first to
     * answer with Jingle RTP support (XEP-0167 §10) gets our session-initiate; none within twice the stanza timeout:
     * 480. The session-accept answers the INVITE, a termination before it fails it with the mapped status
     * ({@link JingleCallee#sipStatus}), no answer within {@code answerWait} ends both with timeout (408).
     *
     * @param contactGr the {@code gr} of the caller's Contact, the resource of our Jingle party (spec §5.3), or null
     * @param source    where the INVITE came from (null if unknown)
     * @return what the servlet hands on of the SIP caller; null when the call was refused
     */
    public CallerEvents dial(String fromUri, String contactGr, String requestUri, SessionDescription offer,
                             java.net.InetAddress source, SipCaller caller) {
        return dial(fromUri, contactGr, requestUri, offer, source, caller, false, null);
    }

    /**
     * Spec §5.7: the call of a conference focus (From a room of our MUC domains, Contact {@code ;isfocus}: the
     * gateway checked both) for an XMPP user, as {@link #dial} but for the caller's domain: the session-initiate
     * comes from the room's JID (the MUC component) and carries XEP-0298 §5's
     * {@code <conference-info isfocus='true'/>}; the callee's resources are asked for their features by the
     * inviter (its Referred-By, spec §5.7) when there is one, else by the room.
     */
    public CallerEvents dialFromConference(String roomUri, String contactGr, EntityBareJid inviter,
                                           String requestUri, SessionDescription offer, java.net.InetAddress source,
                                           SipCaller caller) {
        return dial(roomUri, contactGr, requestUri, offer, source, caller, true, inviter);
    }

    private CallerEvents dial(String fromUri, String contactGr, String requestUri, SessionDescription offer,
                              java.net.InetAddress source, SipCaller caller, boolean focus, EntityBareJid inviter) {
        SipParty from;
        EntityBareJid callee;
        FullJid local;
        try {
            from = SipParty.parse(fromUri);
            SipParty to = SipParty.parse(requestUri);
            callee = Addresses.bareJid(to.user(), to.host());
            local = Addresses.fullJid(from.user(), from.host(), contactGr);
        } catch (IllegalArgumentException e) {
            caller.reject(400);
            return null;
        }
        if (!focus && !domains.contains(from.host())) {
            caller.reject(403);
            return null;
        }
        if (domains.contains(callee.getDomain().toString())) {
            caller.reject(404); // our own users are SIP users: not the gateway's to call
            return null;
        }
        Dialled call = new Dialled(callee, local, caller, focus, inviter != null ? inviter : local);
        if (!admit(call, local + " -> " + callee)) {
            caller.reject(486);
            return null;
        }
        call.bridge = bridges.open(offer, source, reason -> {
            if (!call.over.get()) {
                LOG.info("Jingle call " + local + " -> " + callee + ": media failed (" + reason + "), ended");
                call.end(reason);
            }
        });
        if (call.bridge == null) {
            calls.remove(call);
            caller.reject(488);
            return null;
        }
        FullJid direct = JingleCallee.direct(requestUri);
        synchronized (call) {
            if (direct != null) {
                call.ring(direct, false); // no disco#info asked: raw UDP
            } else {
                call.discover(resources.of(callee));
            }
        }
        return call;
    }

    /**
     * A SIP user's call to an XMPP user: first the discovery of the resource to ring (guarded by its monitor), then
     * the Jingle session we initiate. Like {@link Call}, the session calls it under the session's lock, so those
     * callbacks do not take this monitor; {@code over} makes the release happen once.
     */
    private final class Dialled implements Tracked, JingleSession.Listener, CallerEvents {
        private final EntityBareJid callee;
        private final FullJid local;
        private final SipCaller caller;
        /** Whether a conference focus calls (XEP-0298), and who asks the callee's resources for their features. */
        private final boolean focus;
        private final org.jxmpp.jid.Jid asker;
        private volatile SipOfferBridge bridge;
        private volatile JingleSession session;
        /** Whether the INVITE was answered (re-INVITEs and hold apply from then on). */
        private volatile boolean up;
        /** Whether the SIP caller ended the call itself (CANCEL, BYE): nothing more goes to it. */
        private volatile boolean sipOver;
        private final AtomicBoolean over = new AtomicBoolean();
        /** The full JIDs asked for their features, and the ids of the discovery requests awaiting an answer. */
        private final Set<FullJid> asked = new HashSet<>();
        private final Set<String> outstanding = new HashSet<>();
        private ScheduledFuture<?> discoveryTimeout;

        Dialled(EntityBareJid callee, FullJid local, SipCaller caller, boolean focus, org.jxmpp.jid.Jid asker) {
            this.callee = callee;
            this.local = local;
            this.caller = caller;
            this.focus = focus;
            this.asker = asker;
        }

        @Override
        public String domain() {
            return callee.getDomain().toString();
        }

        @Override
        public JingleSession session() {
            return session;
        }

        @Override
        public MediaBridge media() {
            return bridge;
        }

        /** XEP-0030 §4.2 items of the bare JID, §3.1 info of each resource known from presence. */
        void discover(List<FullJid> known) {
            DiscoverItems items = new DiscoverItems();
            items.setType(IQ.Type.get);
            items.setTo(callee);
            ask(items);
            known.forEach(this::askInfo);
            discoveryTimeout = timer.schedule(this::discoveryOver, 2 * JingleSession.STANZA_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        private void askInfo(FullJid resource) {
            if (asked.size() < MAX_CANDIDATES && asked.add(resource)) {
                DiscoverInfo info = new DiscoverInfo();
                info.setType(IQ.Type.get);
                info.setTo(resource);
                ask(info);
            }
        }

        private void ask(IQ request) {
            String id = "disco-" + UUID.randomUUID();
            request.setStanzaId(id);
            request.setFrom(asker);
            outstanding.add(id);
            discoveries.put(id, this);
            sender.accept(request);
        }

        /** The answer to one of our discovery requests (an error counts as no Jingle support there). */
        synchronized void discovered(IQ answer) {
            if (!outstanding.remove(answer.getStanzaId()) || session != null || over.get()) {
                return;
            }
            if (answer.getType() == IQ.Type.result && answer instanceof DiscoverItems items) {
                for (DiscoverItems.Item item : items.getItems()) {
                    FullJid resource = item.getEntityID().asFullJidIfPossible();
                    if (resource != null && resource.asBareJid().equals(callee)) {
                        askInfo(resource);
                    }
                }
            } else if (answer.getType() == IQ.Type.result && answer instanceof DiscoverInfo info
                    && answer.getFrom() != null) {
                Set<String> features = new HashSet<>();
                info.getFeatures().forEach(feature -> features.add(feature.getVar()));
                FullJid chosen = JingleCallee.first(callee.toString(),
                        List.of(new JingleCallee.Item(answer.getFrom().toString(), features)));
                if (chosen != null) {
                    ring(chosen, features.contains(JingleTransport.ICE_UDP));
                    return;
                }
            }
            if (outstanding.isEmpty()) {
                nobody();
            }
        }

        private synchronized void discoveryOver() {
            if (session == null && !over.get()) {
                nobody();
            }
        }

        private void nobody() {
            LOG.info("Jingle call " + local + " -> " + callee + ": no resource with Jingle RTP audio (asked " + asked
                    + ")");
            finish(480, null);
        }

        /**
         * XEP-0166 §6.2: our session-initiate with the SIP party's codecs to {@code remote}, over ICE-UDP when it
         * listed that (XEP-0176 §7.1, preferred: today's clients take nothing else), else raw UDP.
         */
        void ring(FullJid remote, boolean iceUdp) {
            if (over.get()) {
                return;
            }
            stopDiscovery();
            JingleSdp.Media offer = bridge.jingleOffer(iceUdp);
            JingleSession initiated = new JingleSession("sylk-" + UUID.randomUUID(), local, remote, true, sender,
                    timer, JingleSession.STANZA_TIMEOUT, answerWait, this);
            session = initiated;
            sessions.put(key(remote, initiated.sid()), this);
            LOG.info("Jingle call " + local + " -> " + remote + ": session-initiate " + initiated.sid());
            initiated.initiate(new JingleRequest.Content("audio", JingleContent.Creator.initiator,
                    JingleSdp.senders(offer.direction(), true), offer.description(), offer.transport()),
                    focus ? ConferenceInfo.focus() : null);
        }

        private void stopDiscovery() {
            if (discoveryTimeout != null) {
                discoveryTimeout.cancel(false);
            }
            outstanding.forEach(discoveries::remove);
            outstanding.clear();
        }

        @Override
        public void end(JingleReason.Reason reason) {
            finish(JingleCallee.sipStatus(reason), reason);
        }

        @Override
        public void conferenceInfo(byte[] document) {
            JingleSession current = session;
            if (!focus || current == null || over.get()) {
                return;
            }
            try {
                current.conferenceInfo(ConferenceInfo.update(document, current.sid()));
            } catch (IllegalArgumentException e) {
                LOG.info("Jingle call " + local + " -> " + current.remote() + ": conference-info not passed on: "
                        + e.getMessage());
            }
        }

        /**
         * Releases the call once: the Jingle session terminated with {@code terminate} (null: it has ended already),
         * the SIP caller rejected with {@code status} (or hung up once answered), the media closed. The monitor
         * orders it with {@link #ring}: a session initiated is terminated here, none is initiated after.
         */
        private void finish(int status, JingleReason.Reason terminate) {
            JingleSession initiated;
            synchronized (this) {
                if (!over.compareAndSet(false, true)) {
                    return;
                }
                stopDiscovery();
                initiated = session;
            }
            calls.remove(this);
            if (initiated != null) {
                if (terminate != null) {
                    initiated.terminate(terminate);
                }
                sessions.remove(key(initiated.remote(), initiated.sid()), this);
            }
            if (!sipOver) {
                if (up) {
                    caller.hangUp();
                } else {
                    caller.reject(status);
                }
            }
            bridge.close();
        }

        /** XEP-0166 §6.5: the callee accepted; its answer becomes our 200 OK (spec §5.7). */
        @Override
        public void accepted(JingleRequest.Content content) {
            if (over.get()) {
                return;
            }
            SessionDescription answer;
            try {
                answer = bridge.answer(new JingleSdp.Media(content.description(), content.transport(),
                        JingleSdp.direction(content.senders(), false)));
            } catch (SdpException | RuntimeException e) {
                LOG.info("Jingle answer in session " + session.sid() + " not usable: " + e.getMessage());
                end(JingleReason.Reason.incompatible_parameters);
                return;
            }
            if (!caller.answer(answer)) {
                sipOver = true; // cancelled meanwhile
                end(JingleReason.Reason.cancel);
                return;
            }
            up = true;
        }

        @Override
        public void ringing() {
            if (!over.get()) {
                caller.ringing();
            }
        }

        @Override
        public void hold(boolean held) {
            if (up && !over.get() && !sipOver) {
                caller.reOffer(bridge.sipReOffer(held));
            }
        }

        @Override
        public void ended(JingleReason.Reason reason) {
            finish(JingleCallee.sipStatus(reason), null);
        }

        @Override
        public void cancelled() {
            sipOver = true;
            end(JingleReason.Reason.cancel);
        }

        @Override
        public void hungUp() {
            sipOver = true;
            end(JingleReason.Reason.success);
        }

        @Override
        public SessionDescription reOffered(SessionDescription offer) {
            return over.get() || !up ? null : reAnswer(session, bridge, offer);
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
