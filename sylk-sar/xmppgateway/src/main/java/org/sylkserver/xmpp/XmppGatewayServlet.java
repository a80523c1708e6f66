package org.sylkserver.xmpp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.servlet.ServletException;
import javax.servlet.sip.Address;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipSession;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.msrp.MsrpEndpoint;
import org.sylkserver.core.session.MsrpChatLine;
import org.sylkserver.core.sip.ParsedAddresses;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.core.tls.ServerCertificate;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.xmpp.chat.ChatSession;
import org.sylkserver.xmpp.chat.ChatSessions;
import org.sylkserver.xmpp.im.SipToXmpp;
import org.sylkserver.xmpp.im.XmppToSip;
import org.sylkserver.xmpp.muc.MucSettings;
import org.sylkserver.xmpp.presence.Pidf;
import org.sylkserver.xmpp.presence.PresenceFlow;
import org.sylkserver.xmpp.presence.SipPresenceFlow;
import org.sylkserver.xmpp.presence.SubscribeRetry;
import org.sylkserver.xmpp.s2s.S2sService;
import org.sylkserver.xmpp.s2s.ServerResolver;
import org.sylkserver.xmpp.s2s.XmppTrace;
import org.sylkserver.xmpp.sip.RouteFailover;

/**
 * The XMPP gateway's SIP side (spec §5): reads {@code xmppgateway.ini}, starts the S2S service for the configured
 * domains (none: the gateway stays idle and opens no port) and translates SIP MESSAGEs routed here (spec §2.2:
 * {@code application_map} entries for remote XMPP domains, or {@code X-Sylk-App: xmppgateway}) and presence
 * SUBSCRIBEs for XMPP users (spec §5.5.1).
 */
public class XmppGatewayServlet extends SylkSipServlet implements XmppGateway.SipSubscriptions {

    private static final long serialVersionUID = 1L;
    /** How many parsed MESSAGE addresses are kept (the users of that many conversations at once). */
    static final int MESSAGE_ADDRESSES = 10_000;

    private transient XmppGateway gateway;
    /** The MSRP endpoint of the MUC occupants' chat sessions (spec §5.6.1), and what makes their connections. */
    private transient MsrpEndpoint msrp;
    private final transient ExecutorService msrpConnector = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "xmpp-msrp-connect");
        thread.setDaemon(true);
        return thread;
    });
    private transient ServletConferenceCalls conferences;
    /** The SIP legs of XMPP users' Jingle calls (spec §5.7). */
    private transient ServletJingleCalls jingleCalls;
    /** The bytes of one message taken from a SIP user's chat session ({@code [muc] max_message_size}). */
    private transient int maxChatMessage;
    /** The chat session of each SIP call to an XMPP user (spec §5.4.3), by SIP session id. */
    private final transient Map<String, ChatSession> chatCalls = new ConcurrentHashMap<>();
    private transient SipFactory sipFactory;
    /** The From and To of the MESSAGEs made from XMPP messages, parsed once per address. */
    private transient ParsedAddresses messageAddresses;
    /** The SIP subscription dialog of each XMPP watcher's flow (spec §5.5.2), once the SUBSCRIBE was answered. */
    private final transient Map<SipPresenceFlow, SipSession> sipSubscriptions = new ConcurrentHashMap<>();
    /** The ways to the SIP users watched (spec §5.5.2): the outbound proxy's or their domains' addresses. */
    private transient SipRoutes sipRoutes;
    /** A new presence SUBSCRIBE tries those routes in turn within 30 s (spec §5.5.2, RFC 3263 §4.3). */
    private transient RouteFailover<SipRoutes.Hop> subscribeRoutes;
    private final transient ScheduledExecutorService refreshes = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "xmpp-presence-refresh");
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public void init() throws ServletException {
        super.init();
        sipFactory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
        messageAddresses = new ParsedAddresses(sipFactory::createAddress, MESSAGE_ADDRESSES);
        ServerConfig config = SylkRuntime.get().config();
        sipRoutes = new SipRoutes(sipFactory, config.sip().outboundProxy());
        subscribeRoutes = new RouteFailover<>(sipRoutes::of, RouteFailover.BUDGET, refreshes);
        try {
            XmppGatewaySettings settings = XmppGatewaySettings.load(SylkRuntime.get().configDir());
            if (settings.domains().isEmpty()) {
                log.warning("xmppgateway.ini: [general] domains is empty: the XMPP gateway serves no domain and "
                        + "opens no S2S port");
                return;
            }
            SSLContext tls = serverTls(settings, config);
            XmppTrace trace = settings.traceXmpp() ? XmppTrace.to(config.server().traceDir().resolve("xmpp_trace.log"))
                    : XmppTrace.off();
            S2sService s2s = new S2sService(settings, tls, new ServerResolver(settings.remoteServers()), trace);
            MucSettings muc = MucSettings.load(SylkRuntime.get().configDir());
            try {
                msrp = MsrpEndpoint.start(config, SylkRuntime.get().sdpAddress());
            } catch (GeneralSecurityException e) {
                throw new IOException("MSRP listener: " + e.getMessage(), e);
            }
            // spec §5.6.1: MUC occupants' calls through [muc] outbound_proxy, else [SIP] outbound_proxy, else DNS
            conferences = sipCalls(muc, muc.outboundProxy() != null ? muc.outboundProxy() : config.sip().outboundProxy());
            maxChatMessage = muc.maxMessageSize();
            // spec §5.4.3: calls to SIP users for the chat sessions XMPP users start, through [SIP] outbound_proxy or
            // DNS; their responses and BYEs reach them through the conference calls' dispatch (one session attribute)
            ServletConferenceCalls sipUsers = sipCalls(muc, config.sip().outboundProxy());
            // spec §5.7: XMPP users' Jingle calls to SIP users through [SIP] outbound_proxy or DNS, like MESSAGEs
            jingleCalls = new ServletJingleCalls(sipFactory, config.sip().outboundProxy(), refreshes);
            gateway = new XmppGateway(settings, s2s, this::sendSip, this, conferences, muc, refreshes, sipUsers,
                    jingleCalls, new RelayAudioBridges(SylkRuntime.get().media(), SylkRuntime.get().sdpAddress(),
                    config.rtp().srtpPolicy()));
            InetAddress address = settings.localIp() != null ? settings.localIp() : config.sip().localIp();
            InetSocketAddress bound = s2s.listen(address, settings.localPort());
            log.info("XMPP gateway for " + String.join(", ", settings.domains()) + " (MUC "
                    + String.join(", ", settings.mucDomains()) + "): S2S on " + bound + " (" + settings.transport()
                    + (tls != null ? ", STARTTLS" : "") + ")");
        } catch (ConfigException e) {
            throw new ServletException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ServletException("XMPP gateway: " + e.getMessage(), e);
        }
    }

    /** Outgoing chat calls (MSRP on the gateway's own endpoint) through {@code proxy}, or DNS when it is null. */
    private ServletConferenceCalls sipCalls(MucSettings muc, ServerConfig.OutboundProxy proxy) {
        return new ServletConferenceCalls(sipFactory, proxy, msrp.route(), msrpConnector,
                SylkRuntime.get().sdpAddress(), muc.maxMessageSize(), refreshes);
    }

    /**
     * The S2S certificate: {@code certificate} when it exists; else, like SIP (spec §7.2 divergence), the server's
     * own certificate, so STARTTLS, which today's servers require, is still offered.
     */
    private SSLContext serverTls(XmppGatewaySettings settings, ServerConfig config) throws IOException, ConfigException {
        ServerCertificate certificate;
        if (Files.isRegularFile(settings.certificate())) {
            Path store = config.server().spoolDir().resolve("tls/xmpp-tls.p12");
            try {
                certificate = ServerCertificate.load(settings.certificate(), store);
            } catch (ConfigException e) {
                throw new ConfigException("xmppgateway.ini: [general] certificate = '" + settings.certificate() + "': "
                        + e.getMessage(), e);
            }
        } else {
            log.warning("xmppgateway.ini: [general] certificate = '" + settings.certificate()
                    + "': no such file; S2S TLS uses the SIP certificate");
            certificate = ServerCertificate.obtain(config);
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(certificate.keyStore())) {
                store.load(in, certificate.keyStorePassword().toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, certificate.keyStorePassword().toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("S2S TLS: " + e.getMessage(), e);
        }
    }

    @Override
    public void destroy() {
        refreshes.shutdownNow();
        if (gateway != null) {
            gateway.close();
        }
        msrpConnector.shutdownNow();
        if (msrp != null) {
            try {
                msrp.close();
            } catch (IOException e) {
                log.fine(() -> "closing the gateway's MSRP endpoint: " + e.getMessage());
            }
        }
        super.destroy();
    }

    @Override
    protected String applicationName() {
        return "xmppgateway";
    }

    @Override
    protected Set<String> initialMethods() {
        return Set.of("MESSAGE", "SUBSCRIBE", "INVITE");
    }

    @Override
    protected void doMessage(SipServletRequest request) throws IOException {
        if (!request.isInitial()) {
            reply(request, SipServletResponse.SC_OK, "OK");
            return;
        }
        if (gateway == null) {
            reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "XMPP gateway not configured");
            return;
        }
        SipToXmpp.Outcome outcome = gateway.message(request.getContentType(), request.getRawContent(),
                request.getFrom() == null ? null : request.getFrom().getURI().toString(),
                request.getRequestURI().toString());
        reply(request, outcome.status(), outcome.reason());
    }

    /** Longest presence subscription granted, and the default (RFC 6665 §4.1.2.1 leaves it to the notifier). */
    private static final int MAX_EXPIRES = 3600;

    /** A presence SUBSCRIBE for an XMPP user (spec §5.5.1): initial, refresh or un-SUBSCRIBE. */
    @Override
    protected void doSubscribe(SipServletRequest request) throws IOException {
        if (gateway == null) {
            reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "XMPP gateway not configured");
            return;
        }
        int expires = request.getExpires() < 0 ? MAX_EXPIRES : Math.min(request.getExpires(), MAX_EXPIRES);
        SipSession dialog = request.getSession();
        if (!request.isInitial()) {
            SipWatcher watcher = (SipWatcher) dialog.getAttribute(WATCHER);
            PresenceFlow flow = (PresenceFlow) dialog.getAttribute(FLOW);
            if (watcher == null || flow == null) {
                reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Subscription Does Not Exist");
                return;
            }
            SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
            ok.setExpires(expires);
            ok.send();
            watcher.refresh(expires);
            if (expires == 0) {
                watcher.notify("terminated;reason=timeout", null);
                gateway.unsubscribe(flow, watcher);
            }
            return;
        }
        XmppGateway.Subscription subscription = gateway.subscribe(request.getHeader("Event"),
                request.getFrom() == null ? null : request.getFrom().getURI().toString(),
                request.getRequestURI().toString());
        if (subscription.flow() == null) {
            reply(request, subscription.status(), subscription.reason());
            return;
        }
        SipServletResponse accepted = request.createResponse(subscription.status(), subscription.reason());
        accepted.setExpires(expires);
        accepted.send();
        SipWatcher watcher = new SipWatcher(dialog, expires);
        dialog.setAttribute(WATCHER, watcher);
        dialog.setAttribute(FLOW, subscription.flow());
        if (expires == 0) {
            // a fetch (RFC 6665 §4.4.3): one NOTIFY, no subscription
            watcher.notify("terminated;reason=timeout", null);
            gateway.unsubscribe(subscription.flow(), watcher);
            return;
        }
        subscription.flow().watch(watcher);
    }

    private static final String WATCHER = "org.sylkserver.xmpp.watcher";
    private static final String FLOW = "org.sylkserver.xmpp.flow";

    /** How long our presence subscriptions for XMPP watchers last before they are refreshed (RFC 6665 §4.1.2.1). */
    private static final int SUBSCRIBE_EXPIRES = 600;
    private static final String SIP_FLOW = "org.sylkserver.xmpp.sipflow";

    /** Spec §5.5.2 step 1: SUBSCRIBE presence, To the SIP user, From the XMPP watcher's SIP URI. */
    @Override
    public void subscribe(SipPresenceFlow flow) {
        sendSubscribe(flow, null, SUBSCRIBE_EXPIRES);
    }

    @Override
    public void unsubscribe(SipPresenceFlow flow) {
        SipSession dialog = sipSubscriptions.remove(flow);
        if (dialog != null && dialog.isValid()) {
            sendSubscribe(flow, dialog, 0);
        }
    }

    /** On the session of a new presence SUBSCRIBE: the route walk waiting for its answer. */
    private static final String ROUTE_ATTEMPT = "org.sylkserver.xmpp.subscribe.attempt";

    /**
     * A SUBSCRIBE in {@code dialog} (a refresh, an un-SUBSCRIBE) or, without one, a new subscription, which tries
     * the SIP user's routes in turn (spec §5.5.2 step 1).
     */
    private void sendSubscribe(SipPresenceFlow flow, SipSession dialog, int expires) {
        if (dialog == null || !dialog.isValid()) {
            newSubscription(flow, expires);
            return;
        }
        try {
            SipServletRequest subscribe = dialog.createRequest("SUBSCRIBE");
            subscribe.setHeader("Event", "presence");
            subscribe.setHeader("Accept", Pidf.CONTENT_TYPE);
            subscribe.setExpires(expires);
            subscribe.send();
        } catch (IOException | RuntimeException e) {
            if (expires == 0) {
                log.info("presence un-SUBSCRIBE for " + flow.watcherJid() + " to " + flow.sipUser() + " not sent: " + e);
                return;
            }
            subscriptionFailed(flow, expires, 0, "not sent: " + e, null);
        }
    }

    /**
     * Spec §5.5.2 step 1, 3: the flow's SUBSCRIBE through each of the SIP user's routes (RFC 3263 §4.3) until one
     * answers with a success or a refusal {@link SubscribeRetry#endsRouteWalk} says holds everywhere; the last
     * answer decides (a 2xx: subscribed; else {@link SubscribeRetry}).
     */
    private void newSubscription(SipPresenceFlow flow, int expires) {
        Address from;
        Address to;
        try {
            from = sipFactory.createAddress("sip:" + flow.watcherJid());
            to = sipFactory.createAddress("sip:" + flow.sipUser());
        } catch (ServletParseException e) {
            log.warning("presence SUBSCRIBE for " + flow.watcherJid() + " to " + flow.sipUser() + " not sent: " + e);
            gateway.sipSubscriptionEnded(flow, false);
            return;
        }
        subscribeRoutes.<SipServletResponse>send(to.getURI().toString(), (hop, answer) -> {
            try {
                SipServletRequest subscribe = sipFactory.createRequest(sipFactory.createApplicationSession(),
                        "SUBSCRIBE", from, to);
                sipRoutes.apply(hop, subscribe);
                subscribe.setHeader("Event", "presence");
                subscribe.setHeader("Accept", Pidf.CONTENT_TYPE);
                subscribe.setExpires(expires);
                subscribe.getSession().setAttribute(SIP_FLOW, flow);
                subscribe.getSession().setAttribute(ROUTE_ATTEMPT, answer);
                subscribe.send();
            } catch (IOException | RuntimeException e) {
                answer.answered(0, "not sent via " + hop + ": " + e, null);
            }
        }, SubscribeRetry::endsRouteWalk, (status, reason, response) -> {
            if (status >= 200 && status < 300 && response != null) {
                subscriptionAccepted(flow, response);
            } else {
                subscriptionFailed(flow, expires, status, reason, response);
            }
        });
    }

    /**
     * The answer to a presence SUBSCRIBE of ours: to a new one, told to its route walk (true); to one in a dialog
     * (a refresh), false.
     */
    private static boolean toRouteWalk(SipServletResponse response) {
        SipSession session = response.getSession();
        @SuppressWarnings("unchecked")
        RouteFailover.Answer<SipServletResponse> walk = session == null || !session.isValid() ? null
                : (RouteFailover.Answer<SipServletResponse>) session.getAttribute(ROUTE_ATTEMPT);
        if (walk == null) {
            return false;
        }
        session.removeAttribute(ROUTE_ATTEMPT); // a refresh in the dialog it makes is no attempt
        walk.answered(response.getStatus(), response.getReasonPhrase(), response);
        return true;
    }

    /** Spec §5.5.2 step 3: after a failure, subscribe again later ({@link SubscribeRetry}), or give up. */
    private void subscriptionFailed(SipPresenceFlow flow, int expires, int status, String reason,
                                    SipServletResponse response) {
        SubscribeRetry retry = SubscribeRetry.afterResponse(status,
                response == null ? null : response.getHeader("Min-Expires"), expires, ThreadLocalRandom.current());
        if (retry != null) {
            log.info("presence SUBSCRIBE for " + flow.watcherJid() + " to " + flow.sipUser() + ": " + status + " "
                    + reason + "; trying again in " + retry.delaySeconds() + " s with expires " + retry.expires());
            subscribeLater(flow, retry);
            return;
        }
        log.info("presence SUBSCRIBE for " + flow.watcherJid() + " to " + flow.sipUser() + " failed: " + status + " "
                + reason);
        sipSubscriptions.remove(flow);
        gateway.sipSubscriptionEnded(flow, false);
    }

    /** A new subscription for the flow after {@code retry}'s pause, unless the XMPP side ended it meanwhile. */
    private void subscribeLater(SipPresenceFlow flow, SubscribeRetry retry) {
        sipSubscriptions.remove(flow);
        refreshes.schedule(() -> {
            if (flow.state() != SipPresenceFlow.State.ENDED) {
                sendSubscribe(flow, null, retry.expires());
            }
        }, retry.delaySeconds(), TimeUnit.SECONDS);
    }

    /** A NOTIFY of one of our presence subscriptions (spec §5.5.2 steps 2-3). */
    @Override
    protected void doNotify(SipServletRequest request) throws IOException {
        if (conferences != null && conferences.notify(request)) {
            return;
        }
        if (jingleCalls != null && jingleCalls.notify(request)) {
            return; // spec §5.7: the conference-info of a focus's Jingle call
        }
        SipPresenceFlow flow = (SipPresenceFlow) request.getSession().getAttribute(SIP_FLOW);
        if (flow == null || gateway == null) {
            reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Subscription Does Not Exist");
            return;
        }
        request.createResponse(SipServletResponse.SC_OK).send();
        sipSubscriptions.putIfAbsent(flow, request.getSession());
        String contentType = request.getContentType();
        byte[] pidf = contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith(Pidf.CONTENT_TYPE)
                ? request.getRawContent() : null;
        if (gateway.sipNotify(flow, request.getHeader("Subscription-State"), pidf)) {
            sipSubscriptions.remove(flow);
            sendSubscribe(flow, null, SUBSCRIBE_EXPIRES);
        }
    }

    @Override
    protected void doProvisionalResponse(SipServletResponse response) {
        if (jingleCalls != null) {
            jingleCalls.response(response);
        }
    }

    @Override
    protected void doSuccessResponse(SipServletResponse response) {
        if (jingleCalls != null && jingleCalls.response(response)) {
            return;
        }
        if (conferences != null && conferences.response(response)) {
            return;
        }
        SipPresenceFlow flow = "SUBSCRIBE".equals(response.getMethod())
                ? (SipPresenceFlow) response.getSession().getAttribute(SIP_FLOW) : null;
        if (flow == null || response.getRequest().getExpires() == 0 || toRouteWalk(response)) {
            return;
        }
        subscriptionAccepted(flow, response);
    }

    /** A SUBSCRIBE of the flow was accepted: its dialog is kept, and refreshed before it runs out. */
    private void subscriptionAccepted(SipPresenceFlow flow, SipServletResponse response) {
        sipSubscriptions.put(flow, response.getSession());
        int granted = response.getExpires() > 0 ? response.getExpires() : SUBSCRIBE_EXPIRES;
        // refreshed before it runs out, leaving time for a slow answer
        refreshes.schedule(() -> {
            SipSession dialog = sipSubscriptions.get(flow);
            if (flow.state() != SipPresenceFlow.State.ENDED && dialog != null) {
                sendSubscribe(flow, dialog, SUBSCRIBE_EXPIRES);
            }
        }, Math.max(granted - 30, granted / 2), TimeUnit.SECONDS);
    }

    @Override
    protected void doErrorResponse(SipServletResponse response) {
        if (jingleCalls != null && jingleCalls.response(response)) {
            return;
        }
        if (conferences != null && conferences.response(response)) {
            return;
        }
        SipPresenceFlow flow = "SUBSCRIBE".equals(response.getMethod())
                ? (SipPresenceFlow) response.getSession().getAttribute(SIP_FLOW) : null;
        if (flow != null) {
            int expires = response.getRequest().getExpires();
            if (expires == 0) {
                log.info("presence un-SUBSCRIBE for " + flow.watcherJid() + " to " + flow.sipUser() + ": "
                        + response.getStatus() + " " + response.getReasonPhrase());
            } else if (!toRouteWalk(response)) {
                sipSubscriptions.remove(flow);
                subscriptionFailed(flow, expires, response.getStatus(), response.getReasonPhrase(), response);
            }
            return;
        }
        log.info(() -> response.getMethod() + " to " + response.getTo().getURI() + " failed: " + response.getStatus()
                + " " + response.getReasonPhrase());
    }

    /**
     * Spec §5.6.3: a room's conference calling an XMPP user in (From a MUC domain, Contact {@code isfocus}) becomes a
     * MUC invitation; its INVITE is ended with 480 when the user joins, 408 when not within 90 s. Other calls to
     * XMPP users are Jingle audio calls when they offer RTP audio and no chat (spec §5.7), else MSRP chat sessions
     * (spec §5.4.3).
     */
    @Override
    protected void doInvite(SipServletRequest request) throws IOException {
        if (!request.isInitial() && jingleCalls != null && jingleCalls.reInvite(request)) {
            return; // spec §5.7: a Jingle call's hold or resume
        }
        if (!request.isInitial()) {
            // an occupant's chat-only call keeps its one stream (as the video rooms' bridges do, spec §4.7.4)
            reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
            return;
        }
        if (gateway == null) {
            reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "XMPP gateway not configured");
            return;
        }
        javax.servlet.sip.URI from = request.getFrom().getURI();
        boolean fromConference = from instanceof javax.servlet.sip.SipURI sip && gateway.isMucDomain(sip.getHost())
                && ServletConferenceCalls.isFocus(request.getHeader("Contact"));
        SessionDescription audio = audioOffer(request);
        if (audio != null) {
            // spec §5.7: an audio call, a conference's too (then with XEP-0298 conference info)
            jingleCall(request, audio, fromConference);
            return;
        }
        if (!fromConference) {
            chatCall(request);
            return;
        }
        // spec §5.4.3 step 1, §5.6.3: a conference's call with a chat is a MUC invitation
        reply(request, SipServletResponse.SC_RINGING, "Ringing");
        var outcome = gateway.conferenceInvitation(from.toString(), request.getRequestURI().toString(),
                request.getHeader("Referred-By"), (status, reason) -> reply(request, status, reason));
        if (outcome.status() != 0) {
            reply(request, outcome.status(), outcome.reason());
        }
    }

    /**
     * The offer of an INVITE that is an audio call (spec §5.7: an RTP audio stream and no chat stream); null for
     * others (chat calls, and what is no SDP, which the chat call refuses).
     */
    private static SessionDescription audioOffer(SipServletRequest request) throws IOException {
        SessionDescription offer;
        try {
            offer = sdpOffer(request);
        } catch (SdpException e) {
            return null;
        }
        boolean audio = false;
        for (MediaDescription m : offer.media()) {
            if (m.port() == 0) {
                continue;
            }
            if (m.media().equals("message")) {
                return null;
            }
            audio |= m.media().equals("audio") && m.proto().contains("RTP");
        }
        return audio ? offer : null;
    }

    /** Spec §5.7, SIP → XMPP: the audio call becomes a Jingle session with the XMPP user. */
    private void jingleCall(SipServletRequest request, SessionDescription offer, boolean fromConference)
            throws IOException {
        Address contact;
        try {
            contact = request.getAddressHeader("Contact");
        } catch (ServletParseException e) {
            reply(request, SipServletResponse.SC_BAD_REQUEST, "Bad Contact");
            return;
        }
        InetAddress source = signallingSource(request);
        String contactUri = contact != null ? contact.getURI().toString() : null;
        if (fromConference) {
            String referredBy = request.getHeader("Referred-By");
            jingleCalls.dialled(request, caller -> gateway.conferenceJingleCall(
                    request.getFrom().getURI().toString(), contactUri, referredBy,
                    request.getRequestURI().toString(), offer, source, caller), true);
            return;
        }
        jingleCalls.dialled(request, caller -> gateway.jingleCall(request.getFrom().getURI().toString(),
                contactUri, request.getRequestURI().toString(), offer, source, caller));
    }

    @Override
    protected void doAck(SipServletRequest request) {
        if (jingleCalls != null) {
            jingleCalls.ack(request); // a focus's Jingle call subscribes to its conference from now on
        }
    }

    @Override
    protected void doCancel(SipServletRequest request) {
        if (jingleCalls != null) {
            jingleCalls.cancel(request);
        }
    }

    /**
     * Spec §5.4.3: a SIP user's call with an MSRP chat to an XMPP user is answered by the gateway as the chat's MSRP
     * endpoint (606 for a caller outside our domains, 488 without a chat stream or while the pair has a session,
     * 503 beyond {@code max_chat_sessions}); the session's end hangs the call up.
     */
    private void chatCall(SipServletRequest request) throws IOException {
        byte[] body = request.getRawContent();
        String offer = body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8);
        Address contact;
        try {
            contact = request.getAddressHeader("Contact");
        } catch (ServletParseException e) {
            reply(request, SipServletResponse.SC_BAD_REQUEST, "Bad Contact");
            return;
        }
        ChatSessions.Opening opening = gateway.chatCall(request.getFrom().getURI().toString(),
                contact != null ? contact.getURI().toString() : null, request.getRequestURI().toString());
        if (opening.session() == null) {
            reply(request, opening.status(), opening.reason());
            return;
        }
        ChatSession session = opening.session();
        SipSession call = request.getSession();
        String answer;
        try {
            answer = session.answer(listener -> new MsrpChatLine(msrp.route(), msrpConnector,
                    SylkRuntime.get().sdpAddress(), maxChatMessage, listener), offer, why -> hangUp(call, why));
        } catch (Exception e) {
            reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
            log.info(() -> "chat call " + request.getFrom().getURI() + " -> " + request.getRequestURI()
                    + " refused: " + e.getMessage());
            return;
        }
        chatCalls.put(call.getId(), session);
        SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
        ok.setContent(answer, "application/sdp");
        ok.send();
        log.info(() -> "chat session " + session.sipUser() + " <-> " + session.xmppPeer());
    }

    /** The gateway ends a chat session's call (XMPP {@code gone}, inactivity, the MSRP connection lost). */
    private void hangUp(SipSession call, String why) {
        if (chatCalls.remove(call.getId()) == null) {
            return;
        }
        try {
            if (call.isValid()) {
                call.createRequest("BYE").send();
            }
            log.info("chat session call " + call.getId() + " ended: " + why);
        } catch (IOException | IllegalStateException e) {
            log.info("chat session call " + call.getId() + ": no BYE (" + e + ")");
        }
    }

    /**
     * Spec §2.4, §5.4.3: a REFER in the dialog of a chat session's or an occupant's call (a transfer) is refused with
     * 403; out of dialog the gateway takes none (405, {@link #initialMethods}).
     */
    @Override
    protected void doRefer(SipServletRequest request) {
        reply(request, SipServletResponse.SC_FORBIDDEN, "Transfer not allowed");
    }

    /** A BYE of a chat session's call (spec §5.4.3: the XMPP side gets gone) or of a MUC occupant's (§5.6.1 step 8). */
    @Override
    protected void doBye(SipServletRequest request) throws IOException {
        if (jingleCalls != null && jingleCalls.bye(request)) {
            return; // spec §5.7: the Jingle session is terminated
        }
        ChatSession chat = chatCalls.remove(request.getSession().getId());
        if (chat != null) {
            reply(request, SipServletResponse.SC_OK, "OK");
            chat.sipEnded();
            return;
        }
        if (conferences == null || !conferences.bye(request)) {
            reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Call Leg/Transaction Does Not Exist");
        }
    }

    /** A MESSAGE made from an XMPP message, routed through the outbound proxy or by the recipient's domain. */
    private void sendSip(XmppToSip.SipMessage message) {
        try {
            SipApplicationSession session = sipFactory.createApplicationSession();
            // createRequest copies the addresses: the parsed ones are kept for the next messages of the pair
            Address from = messageAddresses.of(message.from());
            Address to = messageAddresses.of(message.to());
            SipServletRequest request = sipFactory.createRequest(session, "MESSAGE", from, to);
            request.setContent(message.body(), message.contentType());
            ServerConfig.OutboundProxy proxy = SylkRuntime.get().config().sip().outboundProxy();
            if (proxy != null) {
                proxy.route(sipFactory, request);
            }
            request.send();
        } catch (IOException | ServletParseException | RuntimeException e) {
            log.warning("SIP MESSAGE to " + message.to() + " not sent: " + e);
        }
    }
}
