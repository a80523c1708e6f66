package org.sylkserver.xmpp;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.IqData;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.PresenceBuilder;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smackx.jingle.element.Jingle;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.sylkserver.core.LogThrottle;
import org.sylkserver.core.Version;
import org.sylkserver.xmpp.chat.ChatSession;
import org.sylkserver.xmpp.chat.ChatSessions;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.SipParty;
import org.sylkserver.xmpp.im.SipToXmpp;
import org.sylkserver.xmpp.im.Stanzas;
import org.sylkserver.xmpp.im.XmppToSip;
import org.sylkserver.xmpp.jingle.JingleCalls;
import org.sylkserver.xmpp.muc.ConferenceCall;
import org.sylkserver.xmpp.muc.MucInvitations;
import org.sylkserver.xmpp.muc.MucRooms;
import org.sylkserver.xmpp.muc.MucSettings;
import org.sylkserver.xmpp.presence.PresenceFlow;
import org.sylkserver.xmpp.presence.PidfReader;
import org.sylkserver.xmpp.presence.PresenceFlows;
import org.sylkserver.xmpp.presence.PresentResources;
import org.sylkserver.xmpp.presence.SipPresenceFlow;
import org.sylkserver.xmpp.s2s.S2sService;
import org.sylkserver.xmpp.s2s.StreamElement;
import org.sylkserver.xmpp.service.Services;

/**
 * The gateway between our SIP domains and the XMPP federation (spec §5): SIP MESSAGEs become XMPP messages on the
 * S2S links, XMPP messages for our users become SIP MESSAGEs (XMPP chat, with {@code use_msrp_for_chat}, MSRP chat
 * sessions), IQs are answered by {@link Services}, Jingle calls of XMPP users to SIP users go to {@link JingleCalls}
 * (spec §5.7).
 * Independent of the servlet API: SIP goes out through {@link SipMessages}.
 */
public final class XmppGateway {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    /** Sends SIP MESSAGEs. */
    public interface SipMessages {
        void send(XmppToSip.SipMessage message);
    }

    /** The SIP subscriptions of XMPP watchers (spec §5.5.2). */
    public interface SipSubscriptions {
        /** Sends the SIP SUBSCRIBE (Event presence) of a new flow. */
        void subscribe(SipPresenceFlow flow);

        /** Ends the flow's SIP subscription (SUBSCRIBE with Expires 0). */
        void unsubscribe(SipPresenceFlow flow);
    }

    /** Puts a stanza's XML on the S2S link between two domains; false when the link's queue is full. */
    interface Outbox {
        boolean send(String fromDomain, String toDomain, String xml);
    }

    /** Spec §5.7: Jingle calls of XMPP users to SIP users in progress at once (more are refused busy). */
    static final int MAX_JINGLE_CALLS = 100;
    /** Spec §5.7: how long such a call may ring before it ends with timeout (and the SIP call is cancelled). */
    static final java.time.Duration JINGLE_ANSWER_WAIT = java.time.Duration.ofSeconds(90);

    /** Threads handling the pairs' stanzas at once (a SIP step that blocks holds one). */
    static final int STANZA_THREADS = 16;

    /** How many XMPP users' resources are remembered from their presence, and how many resources of each. */
    static final int MAX_PRESENT_USERS = 10_000;
    static final int MAX_PRESENT_RESOURCES = 8;

    private final XmppGatewaySettings settings;
    private final S2sService s2s;
    private final Outbox outbox;
    private final SipMessages sip;
    private final SipSubscriptions subscriptions;
    /** XMPP watchers of SIP users by {@code watcher JID + " " + SIP user}. */
    private final Map<String, SipPresenceFlow> sipFlows = new ConcurrentHashMap<>();
    private final SipToXmpp toXmpp;
    private final XmppToSip toSip;
    private final Services services;
    /** The XMPP users in our MUC rooms (spec §5.6). */
    private final MucRooms rooms;
    /** Conferences calling XMPP users in (spec §5.6.3). */
    private final MucInvitations invitations;
    /** SIP users' MSRP chat sessions with XMPP users (spec §5.4.3). */
    private final ChatSessions chats;
    /** XMPP users' Jingle calls to SIP users (spec §5.7). */
    private final JingleCalls jingle;
    /** XMPP users' resources known from their presence: whom a SIP user's call to a bare JID rings (spec §5.7). */
    private final PresentResources present = new PresentResources(MAX_PRESENT_USERS, MAX_PRESENT_RESOURCES);
    /** The threads of {@link #stanzas}, when the gateway made them (none given). */
    private final ExecutorService stanzaPool;
    /** Received stanzas, handled in order per pair, off the S2S reader threads. */
    private final PairQueues stanzas;
    /** Warnings a remote server can cause at will: one line per 10 s each. */
    private final LogThrottle refusals = new LogThrottle(Duration.ofSeconds(10));
    private final LogThrottle drops = new LogThrottle(Duration.ofSeconds(10));
    private final LogThrottle misunderstood = new LogThrottle(Duration.ofSeconds(10));
    private final PresenceFlows presenceFlows = new PresenceFlows(
            flow -> presenceToXmpp(flow, Presence.Type.subscribe), flow -> presenceToXmpp(flow, Presence.Type.probe));

    /**
     * @param conferences places the calls of MUC occupants into the rooms' conferences (spec §5.6.1)
     * @param muc         the limits of those ({@code [muc]})
     * @param sipUsers    calls SIP users for the chat sessions XMPP users start (spec §5.4.3)
     * @param jingleSip   calls SIP users for the Jingle calls of XMPP users (spec §5.7)
     * @param bridges     the media of those calls
     */
    public XmppGateway(XmppGatewaySettings settings, S2sService s2s, SipMessages sip, SipSubscriptions subscriptions,
                       ConferenceCall.Dialer conferences, MucSettings muc, ScheduledExecutorService timer,
                       ConferenceCall.Dialer sipUsers, JingleCalls.SipCalls jingleSip,
                       JingleCalls.AudioBridges bridges) {
        this(settings, s2s, s2s::send, sip, subscriptions, conferences, muc, timer, sipUsers, jingleSip, bridges, null);
    }

    /**
     * As the public constructor, with the stanzas going to {@code outbox} instead of {@code s2s}, and the received
     * ones handled on {@code pool} ({@code null}: threads of the gateway's own) (for tests).
     */
    XmppGateway(XmppGatewaySettings settings, S2sService s2s, Outbox outbox, SipMessages sip,
                SipSubscriptions subscriptions, ConferenceCall.Dialer conferences, MucSettings muc,
                ScheduledExecutorService timer, ConferenceCall.Dialer sipUsers, JingleCalls.SipCalls jingleSip,
                JingleCalls.AudioBridges bridges, Executor pool) {
        this.settings = settings;
        this.stanzaPool = pool == null ? stanzaThreads() : null;
        // beyond the limits (pair_queue_limit, max_queued_stanzas) the reader waits while the queues move (TCP slows
        // the sender down); a queue stuck for pair_queue_wait gets resource-constraint (RFC 6120 §8.3.3.18)
        this.stanzas = new PairQueues(pool == null ? stanzaPool : pool, settings.pairQueueLimit(),
                settings.maxQueuedStanzas(), settings.pairQueueWait());
        this.s2s = s2s;
        this.outbox = outbox;
        this.sip = sip;
        this.subscriptions = subscriptions;
        this.toXmpp = new SipToXmpp(settings.domains(), settings.useMsrpForChat());
        this.toSip = new XmppToSip(settings.useMsrpForChat(), settings.useCpim());
        this.services = new Services(settings, Version.current());
        this.rooms = new MucRooms(conferences, this::sendStanza, muc.maxSessions(), muc.queueSize());
        this.invitations = new MucInvitations(this::sendStanza, MucInvitations.WAIT);
        this.chats = new ChatSessions(this::sendStanza, timer, settings.sipSessionTimeout(), ChatSession.RECEIPT_WAIT,
                settings.maxChatSessions(), sipUsers, ChatSession.ANSWER_WAIT);
        this.jingle = new JingleCalls(this::sendStanza, timer, settings.domains(), bridges, jingleSip,
                MAX_JINGLE_CALLS, JINGLE_ANSWER_WAIT, present::of);
        s2s.handler(this::stanza);
    }

    /** {@link #STANZA_THREADS} daemon threads, each let go after a minute without work. */
    private static ExecutorService stanzaThreads() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(STANZA_THREADS, STANZA_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "xmpp-stanzas-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * A SIP MESSAGE for an XMPP user: the answer to give; the stanza, if any, is on its way. A stanza the link to
     * the recipient's server cannot take (its queue is full: the remote server reads slower than we send) gets 503
     * (RFC 3261 §21.5.4, temporary overload), so the sender knows it was not delivered and may send it again.
     */
    public SipToXmpp.Outcome message(String contentType, byte[] body, String from, String requestUri) {
        SipToXmpp.Outcome outcome = toXmpp.translate(contentType, body, from, requestUri);
        Stanza stanza = outcome.stanza();
        if (stanza != null) {
            if (settings.logMessages()) {
                LOG.info("SIP MESSAGE " + from + " -> " + requestUri + " sent as XMPP " + Stanzas.serverXml(stanza));
            }
            if (!sendStanza(stanza)) {
                return new SipToXmpp.Outcome(503, "XMPP Link Congested", null);
            }
        }
        return outcome;
    }

    /**
     * Spec §5.6.3: a conference focus's INVITE for an XMPP user, From the room, Referred-By the inviter; the
     * answer to give now (status 0: later, through {@code answer}).
     */
    public MucInvitations.Outcome conferenceInvitation(String from, String requestUri, String referredBy,
                                                       MucInvitations.Answer answer) {
        return invitations.invite(from, requestUri, referredBy, answer);
    }

    /**
     * Spec §5.4.3 steps 2-3: a SIP user's call with a chat to an XMPP user: 606 for a caller outside our domains,
     * 400 for addresses that are no JIDs; else what {@link ChatSessions#open} says.
     *
     * @param contact the caller's Contact URI (its {@code gr} the SIP leg's resource)
     */
    public ChatSessions.Opening chatCall(String from, String contact, String requestUri) {
        SipParty caller;
        SipParty callee;
        try {
            SipParty sender = SipParty.parse(from);
            if (!settings.domains().contains(sender.host())) {
                return new ChatSessions.Opening(null, 606, "Not Acceptable");
            }
            caller = new SipParty(sender.user(), sender.host(), gruu(contact));
            callee = SipParty.parse(requestUri);
        } catch (IllegalArgumentException e) {
            return new ChatSessions.Opening(null, 400, "Not an XMPP address");
        }
        return chats.open(caller, callee);
    }

    /** The {@code gr} of a Contact URI, or null (none, or a Contact without a user part). */
    private static String gruu(String contact) {
        try {
            return contact != null ? SipParty.parse(contact).gr() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Spec §5.7: a SIP user's call with an audio offer to an XMPP user becomes a Jingle session (see
     * {@link JingleCalls#dial}).
     */
    public JingleCalls.CallerEvents jingleCall(String from, String contact, String requestUri,
                                               org.sylkserver.protocols.sdp.SessionDescription offer,
                                               java.net.InetAddress source, JingleCalls.SipCaller caller) {
        return jingle.dial(from, gruu(contact), requestUri, offer, source, caller);
    }

    /**
     * Spec §5.7: a conference focus's INVITE with an audio offer (From a room of our MUC domains, Referred-By the
     * inviter) becomes a Jingle session from the room carrying XEP-0298's focus indication (see
     * {@link JingleCalls#dialFromConference}); a Referred-By naming no user@host: 488, as for an invitation (§5.6.3).
     * Without Referred-By the room itself asks for the callee's features.
     */
    public JingleCalls.CallerEvents conferenceJingleCall(String from, String contact, String referredBy,
                                                         String requestUri,
                                                         org.sylkserver.protocols.sdp.SessionDescription offer,
                                                         java.net.InetAddress source, JingleCalls.SipCaller caller) {
        org.jxmpp.jid.EntityBareJid inviter = null;
        if (referredBy != null) {
            try {
                inviter = MucInvitations.inviter(referredBy);
            } catch (IllegalArgumentException e) {
                caller.reject(488);
                return null;
            }
        }
        return jingle.dialFromConference(from, gruu(contact), inviter, requestUri, offer, source, caller);
    }

    /** Whether {@code host} is one of our MUC domains (a room's conference calls from there, spec §5.6.3). */
    public boolean isMucDomain(String host) {
        return settings.mucDomains().contains(host.toLowerCase(Locale.ROOT));
    }

    /** What a SIP SUBSCRIBE for an XMPP user's presence gets: a refusal, or the flow to join (spec §5.5.1). */
    public record Subscription(int status, String reason, PresenceFlow flow) {
    }

    /**
     * A SIP SUBSCRIBE for an XMPP user's presence: 489 for another event package, 400 without From/To or when they
     * are no JIDs, 606 for a watcher outside our domains; else the flow of the pair (made, and the XMPP
     * {@code subscribe} and {@code probe} sent, when new).
     */
    public Subscription subscribe(String event, String from, String requestUri) {
        if (event == null || !event.split(";")[0].strip().equalsIgnoreCase("presence")) {
            return new Subscription(489, "Bad Event", null);
        }
        if (from == null || requestUri == null) {
            return new Subscription(400, "Missing From or To", null);
        }
        SipParty watcher;
        SipParty watched;
        try {
            watcher = SipParty.parse(from);
            watched = SipParty.parse(requestUri);
            Addresses.bareJid(watched.user(), watched.host());
        } catch (IllegalArgumentException e) {
            return new Subscription(400, "Not an XMPP address", null);
        }
        if (!settings.domains().contains(watcher.host())) {
            return new Subscription(606, "Not Acceptable", null);
        }
        PresenceFlow flow = presenceFlows.flow("sip:" + watcher.user() + "@" + watcher.host(),
                watched.user() + "@" + watched.host());
        return new Subscription(flow.state() == PresenceFlow.State.ACTIVE ? 200 : 202,
                flow.state() == PresenceFlow.State.ACTIVE ? "OK" : "Accepted", flow);
    }

    /** A SIP subscription left its flow (un-SUBSCRIBE, or its dialog ended). */
    public void unsubscribe(PresenceFlow flow, PresenceFlow.Watcher watcher) {
        presenceFlows.leave(flow, watcher);
    }

    /** Spec §5.5.1 step 3: the flow's subscribe or probe, from the SIP watcher's JID to the XMPP user. */
    private void presenceToXmpp(PresenceFlow flow, Presence.Type type) {
        sendStanza(StanzaBuilder.buildPresence().ofType(type)
                .from(JidCreate.bareFromOrThrowUnchecked(flow.watcherUri().substring("sip:".length())))
                .to(JidCreate.bareFromOrThrowUnchecked(flow.bareJid())).build());
    }

    /** Queues a stanza on the link to its recipient's server; false (and logged) when the link cannot take it. */
    private boolean sendStanza(Stanza stanza) {
        if (!outbox.send(stanza.getFrom().getDomain().toString(), stanza.getTo().getDomain().toString(),
                Stanzas.serverXml(stanza))) {
            long count = drops.occurred();
            if (count > 0) {
                LOG.warning("XMPP stanza to " + stanza.getTo() + " dropped: the link's queue is full (" + count
                        + " dropped since the last warning)");
            }
            return false;
        }
        return true;
    }

    /**
     * Presence for one of our domains: for a SIP user, into the flow of (user, sender) if there is one; for a room
     * of a MUC domain, subscriptions are approved at once and probes answered available (spec §5.5.2 step 5).
     * An XMPP {@code subscribe} or {@code probe} for a SIP user starts (or answers from) the flow of spec §5.5.2.
     */
    private void presence(Presence presence) {
        String toDomain = presence.getTo().getDomain().toString();
        if (settings.mucDomains().contains(toDomain) && presence.getTo().hasResource()) {
            rooms.presence(presence); // to room/nick: joining, leaving, changing nickname (XEP-0045 §7)
            if (presence.getType() == Presence.Type.available && presence.getTo().asEntityBareJidIfPossible() != null) {
                invitations.joined(presence.getTo().asEntityBareJidIfPossible(), presence.getFrom().asBareJid());
            }
            return;
        }
        if (settings.mucDomains().contains(toDomain) && presence.getTo().hasLocalpart()) {
            Presence.Type answer = switch (presence.getType()) {
                case subscribe -> Presence.Type.subscribed;
                case unsubscribe -> Presence.Type.unsubscribed;
                default -> null;
            };
            if (answer != null) {
                sendStanza(StanzaBuilder.buildPresence().ofType(answer).from(presence.getTo().asBareJid())
                        .to(presence.getFrom().asBareJid()).build());
            }
            if (presence.getType() == Presence.Type.subscribe || presence.getType() == Presence.Type.probe) {
                sendStanza(StanzaBuilder.buildPresence().ofType(Presence.Type.available)
                        .from(presence.getTo().asBareJid()).to(presence.getFrom()).addExtension(services.caps(true))
                        .build());
            }
            return;
        }
        if (settings.logPresence()) {
            LOG.info("XMPP presence " + presence.getType() + " " + presence.getFrom() + " -> " + presence.getTo());
        }
        String watcher = presence.getFrom().asBareJid().toString();
        String sipUser = presence.getTo().asBareJid().toString();
        switch (presence.getType()) {
            case subscribe, probe -> {
                watchSipUser(watcher, sipUser, presence.getType());
                return;
            }
            case unsubscribe -> {
                SipPresenceFlow flow = sipFlows.remove(watcher + " " + sipUser);
                if (flow != null && flow.end()) {
                    subscriptions.unsubscribe(flow);
                }
                return;
            }
            default -> { }
        }
        String resource = presence.getFrom().hasResource() ? presence.getFrom().getResourceOrThrow().toString() : null;
        presenceFlows.presence("sip:" + presence.getTo().asBareJid(), presence.getFrom().asBareJid().toString(),
                resource, presence);
    }

    /**
     * Spec §5.5.2 step 1: an XMPP user asks for a SIP user's presence. A new flow subscribes on the SIP side; an
     * active one answers at once ({@code subscribed} again for a subscribe, the known availability).
     */
    private void watchSipUser(String watcher, String sipUser, Presence.Type asked) {
        boolean[] made = new boolean[1];
        SipPresenceFlow flow = sipFlows.compute(watcher + " " + sipUser, (key, existing) -> {
            if (existing != null && existing.state() != SipPresenceFlow.State.ENDED) {
                return existing;
            }
            made[0] = true;
            return new SipPresenceFlow(watcher, sipUser);
        });
        if (made[0]) {
            subscriptions.subscribe(flow);
        } else if (flow.state() == SipPresenceFlow.State.ACTIVE) {
            if (asked == Presence.Type.subscribe) {
                sendPresence(flow, null, Presence.Type.subscribed, null, null);
            }
            flow.current().forEach(tuple -> sendTuple(flow, tuple));
        }
    }

    /**
     * A NOTIFY of a flow's SIP subscription (spec §5.5.2 steps 2-3): {@code active} → XMPP {@code subscribed}
     * (once), PIDF → availability per tuple, a rejection → {@code unsubscribed} and the flow ends.
     *
     * @return whether the SIP side should subscribe again (terminated for another reason than a rejection)
     */
    public boolean sipNotify(SipPresenceFlow flow, String subscriptionState, byte[] pidf) {
        String state = subscriptionState == null ? "" : subscriptionState.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (state.equals("active") && flow.activated()) {
            sendPresence(flow, null, Presence.Type.subscribed, null, null);
        }
        if (pidf != null && pidf.length > 0) {
            try {
                flow.update(PidfReader.read(pidf)).forEach(tuple -> sendTuple(flow, tuple));
            } catch (IllegalArgumentException e) {
                LOG.info("presence of " + flow.sipUser() + " not understood: " + e.getMessage());
            }
        }
        if (state.equals("terminated")) {
            if (subscriptionState.contains("reason=rejected")) {
                sipSubscriptionEnded(flow, true);
                return false;
            }
            return flow.state() != SipPresenceFlow.State.ENDED;
        }
        return false;
    }

    /** The flow's SIP subscription failed for good; {@code rejected} tells the XMPP watcher with unsubscribed. */
    public void sipSubscriptionEnded(SipPresenceFlow flow, boolean rejected) {
        sipFlows.remove(flow.watcherJid() + " " + flow.sipUser(), flow);
        if (flow.end() && rejected) {
            sendPresence(flow, null, Presence.Type.unsubscribed, null, null);
        }
    }

    private void sendTuple(SipPresenceFlow flow, PidfReader.Tuple tuple) {
        sendPresence(flow, tuple.resource(), tuple.available() ? Presence.Type.available : Presence.Type.unavailable,
                tuple.show(), tuple.note());
    }

    private void sendPresence(SipPresenceFlow flow, String resource, Presence.Type type, Presence.Mode show,
                              String status) {
        Jid from = JidCreate.bareFromOrThrowUnchecked(flow.sipUser());
        if (resource != null && !resource.isEmpty()) {
            try {
                from = JidCreate.fullFrom(flow.sipUser() + "/" + resource);
            } catch (XmppStringprepException e) {
                // a device id that is no resource: the bare JID speaks for it
            }
        }
        PresenceBuilder presence = StanzaBuilder.buildPresence().ofType(type).from(from)
                .to(JidCreate.bareFromOrThrowUnchecked(flow.watcherJid()));
        if (show != null) {
            presence.setMode(show);
        }
        if (status != null && !status.isEmpty()) {
            presence.setStatus(status);
        }
        if (type == Presence.Type.available) {
            // spec §5.2: the presence we emit carries our entity capabilities (XEP-0115)
            presence.addExtension(services.caps(false));
        }
        sendStanza(presence.build());
    }

    /**
     * A stanza from an authenticated stream, addressed to one of our domains (package-private for tests), called on
     * the stream's reader thread: it is handled behind the earlier ones of its (local user, remote JID) pair on
     * {@link #stanzas}, so that what it makes happen on the SIP side holds up no other pair. When that queue is full
     * the reader waits for room (the link is not read meanwhile: TCP slows the remote server down, and nothing is
     * lost); what a queue stuck for {@code pair_queue_wait} cannot take is answered resource-constraint. XMPP users'
     * available resources are noted here, in the order the link brought their presence, which the queues of
     * different pairs would not keep.
     */
    void stanza(StreamElement element) {
        String pair = bare(element.attribute("to")) + " " + bare(element.attribute("from"));
        if (element.name().equals("iq")) {
            if (!stanzas.submit(pair, () -> handled(element, () -> iq(element)))) {
                refuseIq(element);
            }
            return;
        }
        Stanza stanza;
        try {
            stanza = Stanzas.parse(element.xml());
        } catch (Exception e) {
            long count = misunderstood.occurred();
            if (count > 0) {
                LOG.log(Level.INFO, "XMPP stanza not understood (" + count + " since the last line): "
                        + element.xml(), e);
            }
            return;
        }
        if (stanza instanceof Presence presence && presence.getTo() != null
                && settings.domains().contains(presence.getTo().getDomain().toString())) {
            present.presence(presence);
        }
        if (!stanzas.submit(pair, () -> handled(element, () -> handle(stanza)))) {
            logRefusal(element);
            boolean error = stanza instanceof Message message ? message.getType() == Message.Type.error
                    : stanza instanceof Presence presence && presence.getType() == Presence.Type.error;
            if (!error) { // RFC 6120 §8.3.1: no error answers an error
                sendStanza(Stanzas.error(stanza, StanzaError.Condition.resource_constraint, StanzaError.Type.WAIT));
            }
        }
    }

    /** Runs a stanza's handling; a failure is logged with the stanza, and the pair's queue goes on. */
    private static void handled(StreamElement element, Runnable handling) {
        try {
            handling.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "XMPP stanza not handled: " + element.xml(), e);
        }
    }

    /** A JID attribute without its resource, lower case (the same user however a server spells it); "" for none. */
    private static String bare(String jid) {
        if (jid == null) {
            return "";
        }
        int slash = jid.indexOf('/');
        return (slash < 0 ? jid : jid.substring(0, slash)).toLowerCase(Locale.ROOT);
    }

    /** A stanza the queues could not take, in the log at most once per 10 s with the count it stands for. */
    private void logRefusal(StreamElement element) {
        long count = refusals.occurred();
        if (count > 0) {
            LOG.warning("XMPP " + element.name() + " " + element.attribute("from") + " -> " + element.attribute("to")
                    + " refused: its pair's queue or all full and stuck (" + count
                    + " refused since the last warning)");
        }
    }

    /** An IQ request the queues cannot take gets resource-constraint (a result or an error gets nothing). */
    private void refuseIq(StreamElement element) {
        logRefusal(element);
        try {
            IqData envelope = PacketParserUtils.parseIqData(PacketParserUtils.getParserFor(clientXml(element.xml())));
            if ((envelope.getType() == IQ.Type.get || envelope.getType() == IQ.Type.set) && envelope.getFrom() != null
                    && envelope.getTo() != null) {
                sendStanza(IQ.createErrorResponse(new ReceivedIq(envelope), StanzaError.getBuilder(
                        StanzaError.Condition.resource_constraint).setType(StanzaError.Type.WAIT)));
            }
        } catch (Exception e) {
            long lines = misunderstood.occurred();
            if (lines > 0) {
                LOG.log(Level.INFO, "XMPP IQ not understood (" + lines + " since the last line): " + element.xml(), e);
            }
        }
    }

    /** A received message or presence, on its pair's queue. */
    private void handle(Stanza stanza) {
        if (stanza instanceof Message message) {
            if (settings.logMessages()) {
                LOG.info("XMPP message " + message.getFrom() + " -> " + message.getTo());
            }
            if (settings.domains().contains(message.getTo().getDomain().toString())) {
                if (chats.xmppMessage(message)) {
                    return; // the pair's chat session (its receipts and gone whatever use_msrp_for_chat says)
                }
                if (settings.useMsrpForChat() && message.getType() == Message.Type.chat) {
                    chats.xmppChat(message); // spec §5.4.2: chat goes into an MSRP chat session
                    return;
                }
                toSip.translate(message, OffsetDateTime.now()).ifPresent(sip::send);
            } else if (settings.mucDomains().contains(message.getTo().getDomain().toString())
                    && message.getTo().hasLocalpart()) {
                rooms.message(message);
            }
        } else if (stanza instanceof Presence presence) {
            presence(presence);
        }
    }

    /**
     * An IQ: a Jingle request (XEP-0166) goes to the Jingle calls, which answer it; other requests are answered by
     * {@link Services}; a result or error goes to the Jingle session waiting for it (others answer nothing of
     * ours and are dropped, RFC 6120 §8.2.3). The envelope is read by itself first: Smack's Jingle parser throws on
     * requests XEP-0166 §8 wants answered with bad-request (a content without creator).
     */
    private void iq(StreamElement element) {
        String xml = clientXml(element.xml());
        IqData envelope;
        try {
            XmlPullParser parser = PacketParserUtils.getParserFor(xml);
            envelope = PacketParserUtils.parseIqData(parser);
        } catch (Exception e) {
            long lines = misunderstood.occurred();
            if (lines > 0) {
                LOG.log(Level.INFO, "XMPP IQ not understood (" + lines + " since the last line): " + element.xml(), e);
            }
            return;
        }
        if (envelope.getFrom() == null || envelope.getTo() == null) {
            return; // an S2S stanza names both (RFC 6120 §8.1.1.1, §8.1.2.1); there is no one to answer
        }
        IQ.Type type = envelope.getType();
        if ((type == IQ.Type.set || type == IQ.Type.get) && element.hasChild(Jingle.NAMESPACE, Jingle.ELEMENT)) {
            IQ request = new ReceivedIq(envelope);
            if (type == IQ.Type.set) {
                jingle.request(request, xml); // it answers, in order with what it sends next
            } else {
                sendStanza(IQ.createErrorResponse(request,
                        StanzaError.Condition.bad_request));
            }
            return;
        }
        if (type == IQ.Type.result || type == IQ.Type.error) {
            IQ response;
            try {
                response = Stanzas.parse(element.xml()) instanceof IQ parsed ? parsed : new ReceivedIq(envelope);
            } catch (Exception e) {
                response = new ReceivedIq(envelope); // an error we cannot read still ends what it answers
            }
            if (!jingle.response(response)) {
                LOG.fine(() -> "XMPP IQ " + type + " " + envelope.getStanzaId() + " answers nothing of ours");
            }
            return;
        }
        Stanza stanza;
        try {
            stanza = Stanzas.parse(element.xml());
        } catch (Exception e) {
            long lines = misunderstood.occurred();
            if (lines > 0) {
                LOG.log(Level.INFO, "XMPP IQ not understood (" + lines + " since the last line): " + element.xml(), e);
            }
            sendStanza(IQ.createErrorResponse(new ReceivedIq(envelope),
                    StanzaError.Condition.bad_request));
            return;
        }
        if (stanza instanceof IQ iq) {
            sendStanza(services.answer(iq));
        }
    }

    /** The stanza's XML with {@code jabber:server} read as {@code jabber:client} (see {@link Stanzas#parse}). */
    private static String clientXml(String serverXml) {
        int tagEnd = serverXml.indexOf('>');
        String tag = serverXml.substring(0, tagEnd < 0 ? serverXml.length() : tagEnd);
        return tag.replace("xmlns=\"jabber:server\"", "xmlns=\"jabber:client\"")
                .replace("xmlns='jabber:server'", "xmlns='jabber:client'") + serverXml.substring(tag.length());
    }

    /**
     * A received IQ known by its envelope only (type, id, from, to): enough to answer it or match it to ours. Its
     * payload is not repeated in an error answering it (RFC 6120 §8.3.1 leaves that optional).
     */
    private static final class ReceivedIq extends IQ {
        ReceivedIq(IqData envelope) {
            super(envelope, Jingle.ELEMENT, Jingle.NAMESPACE);
        }

        @Override
        protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
            return null;
        }
    }

    public void close() {
        if (stanzaPool != null) {
            stanzaPool.shutdownNow();
        }
        jingle.close();
        chats.close();
        rooms.close();
        invitations.close();
        s2s.close();
    }
}
