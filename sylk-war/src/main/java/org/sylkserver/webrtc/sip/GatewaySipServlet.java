package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import javax.servlet.ServletException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.Version;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.msrp.MsrpEndpoint;
import org.sylkserver.core.msrp.MsrpRoute;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.webrtc.AccountDevices;
import org.sylkserver.webrtc.FileSharingConfig;
import org.sylkserver.webrtc.Gateway;
import org.sylkserver.webrtc.GatewayConfig;
import org.sylkserver.webrtc.IncomingCalls;
import org.sylkserver.webrtc.IncomingInvite;
import org.sylkserver.webrtc.RoomChats;
import org.sylkserver.webrtc.RecordingConfig;
import org.sylkserver.webrtc.RoomFiles;
import org.sylkserver.webrtc.RoomRecordings;
import org.sylkserver.webrtc.SessionMediaFactory;
import org.sylkserver.webrtc.SipCall;
import org.sylkserver.webrtc.VideoRoomConfig;
import org.sylkserver.webrtc.VideoRooms;
import org.sylkserver.webrtc.api.SipIdentity;
import org.sylkserver.webrtc.addressbook.AddressBookConfig;
import org.sylkserver.webrtc.addressbook.AddressBookService;
import org.sylkserver.webrtc.addressbook.AddressBooks;
import org.sylkserver.webrtc.addressbook.XcapAddressBooks;
import org.sylkserver.webrtc.auth.ExternalAuth;
import org.sylkserver.webrtc.filetransfer.FileTransferConfig;
import org.sylkserver.webrtc.filetransfer.FileTransferServlet;
import org.sylkserver.webrtc.filetransfer.FileTransfers;
import org.sylkserver.webrtc.filetransfer.MsrpOffers;
import org.sylkserver.webrtc.filetransfer.TransferNotifications;
import org.sylkserver.webrtc.messaging.AdminApi;
import org.sylkserver.webrtc.messaging.IncomingSipMessage;
import org.sylkserver.webrtc.messaging.MessageStore;
import org.sylkserver.webrtc.messaging.MessageStores;
import org.sylkserver.webrtc.messaging.Messaging;
import org.sylkserver.webrtc.messaging.MessagingConfig;
import org.sylkserver.webrtc.messaging.PushNotifications;
import org.sylkserver.webrtc.messaging.StoreException;
import org.sylkserver.webrtc.messaging.StoreQueue;

/**
 * The SIP side of the {@code webrtcgateway} application (spec §2.4). It shares the archive, and so the class
 * loader and application session space, with the sylkRTC WebSocket endpoint: this is the converged archive.
 * On start it reads {@code webrtcgateway.ini} and installs the {@link Gateway} the WebSocket connections use in
 * the servlet context;
 * it takes the responses to the registrations they make, and carries the SIP side of their calls
 * ({@link ServletCall}): an initial INVITE for a registered account's Contact is offered to the connections where the
 * account is authenticated (spec §4.5.4), any other gets 480; the requests and responses of
 * every call's dialog go to its {@link ServletCall}.
 */
public class GatewaySipServlet extends SylkSipServlet {

    private static final long serialVersionUID = 1L;

    private transient ScheduledExecutorService timer;
    private transient ServletRegistrar registrar;
    private transient MessageStore store;
    /** The store work of incoming MESSAGEs and of sent messages' outcomes, off the SIP threads (issue 14). */
    private transient StoreQueue storeQueue;
    private transient Messaging messaging;
    private transient AdminApi admin;
    private transient ExternalAuth externalAuth;
    /** The MSRP endpoint of the video rooms' chat bridges (spec §4.7.4), and where they connect. */
    private transient MsrpEndpoint msrp;
    private transient ExecutorService msrpConnector;
    /** Runs file-transfer housekeeping (spec §4.10.4), away from the SIP timers. */
    private transient ScheduledExecutorService housekeeping;
    /** Announces completed file transfers after the upload's answer (spec §4.10.1, all three), one after the other. */
    private transient ExecutorService transferNotifications;
    private transient RoomRecordings roomRecordings;
    /** Mixes the video rooms' audio (issue 13: a recorded room's mixed track). */
    private transient MixerClock roomMixing;
    /** MSRP file transfers from SIP clients (spec §4.10.3). */
    private transient ServletFileTransfers msrpTransfers;
    /** How SIP phones' calls to video rooms answer audio ({@code [RTP]}, issue 13). */
    private transient AudioStream.Settings phoneAudio;

    /** The one place the production media of calls is chosen: media-engine's WebRTC bridge, plain RTP towards SIP. */
    /**
     * Calls' media through the media engine's WebRTC bridge; the SIP side is offered SDES-SRTP when
     * {@code [RTP] srtp_encryption = sdes}, plain RTP otherwise (an incoming SIP offer's own choice is answered).
     */
    private static SessionMediaFactory productionMedia() {
        boolean sdes = "sdes".equals(SylkRuntime.get().config().rtp().srtpEncryption());
        return new org.sylkserver.webrtc.BridgedMedia(sdes ? org.sylkserver.media.webrtc.WebRtcBridge.SipSrtp.SDES
                : org.sylkserver.media.webrtc.WebRtcBridge.SipSrtp.OFF);
    }

    @Override
    public void init() throws ServletException {
        super.init();
        GatewayConfig config;
        VideoRoomConfig roomConfig;
        MessagingConfig messagingConfig;
        try {
            config = GatewayConfig.load(SylkRuntime.get().configDir());
            roomConfig = VideoRoomConfig.load(SylkRuntime.get().configDir());
            messagingConfig = MessagingConfig.load(SylkRuntime.get().configDir(), SylkRuntime.get().varDir());
            store = MessageStores.open(messagingConfig);
        } catch (ConfigException | StoreException e) {
            throw new ServletException(e.getMessage(), e);
        }
        SipFactory factory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "webrtcgateway-sip-timer");
            thread.setDaemon(true);
            return thread;
        });
        @SuppressWarnings("unchecked")
        Supplier<List<SipURI>> interfaces = () -> (List<SipURI>) getServletContext().getAttribute(OUTBOUND_INTERFACES);
        registrar = new ServletRegistrar(factory, interfaces, config.outboundSipProxy(), Version.sipAgent(), timer);
        if (messagingConfig.adminAddress() != null) {
            try {
                admin = AdminApi.start(messagingConfig.adminAddress(), store, messagingConfig.adminSecret());
            } catch (IOException e) {
                // the gateway works without it: say so, and go on
                log.warning(() -> "admin API not started on http_management_interface " + messagingConfig.adminAddress()
                        + ": " + e.getMessage());
            }
        }
        AddressBookService addressBooks;
        try {
            externalAuth = ExternalAuth.load(SylkRuntime.get().configDir());
            AddressBookConfig books = AddressBookConfig.load(SylkRuntime.get().configDir());
            addressBooks = books.xcapUrl() != null ? new XcapAddressBooks(books.xcapUrl(), books.xcapTimeout(),
                    books.xcapMaxResponseSize())
                    : new AddressBooks(messagingConfig.storageDir().resolve("addressbook"),
                    config.limits().maxAddressBookEntries());
        } catch (ConfigException e) {
            throw new ServletException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ServletException("address books not stored in " + messagingConfig.storageDir() + ": "
                    + e.getMessage(), e);
        }
        IncomingCalls incoming = new IncomingCalls(timer, IncomingCalls.RING_TIMEOUT);
        ServletMessages sipMessages = new ServletMessages(factory, config.outboundSipProxy(),
                config.localSipMessages() ? ownListener(interfaces) : null, Version.sipAgent());
        AccountDevices devices = new AccountDevices(incoming);
        storeQueue = StoreQueue.start(messagingConfig.storeThreads(), messagingConfig.storeQueueSize());
        messaging = new Messaging(store, storeQueue, sipMessages,
                devices, messagingConfig.pushUrl() == null ? null
                        : new PushNotifications(messagingConfig.pushUrl(), store), Clock.systemUTC(), messagingConfig,
                SylkRuntime.get().config().sip().localIp().getHostAddress(),
                SylkRuntime.get().config().webBaseUrl() + "/webrtcgateway/messages/history");
        FileTransfers fileTransfers;
        transferNotifications = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "webrtcgateway-filetransfer-notifications");
            thread.setDaemon(true);
            return thread;
        });
        try {
            FileTransferConfig transferConfig = FileTransferConfig.load(SylkRuntime.get().configDir(),
                    SylkRuntime.get().varDir());
            fileTransfers = new FileTransfers(transferConfig, devices::authenticatedFrom, this::isKnown,
                    new TransferNotifications(messaging, sipMessages, transferNotifications), Clock.systemUTC(),
                    SylkRuntime.get().config().webBaseUrl() + "/webrtcgateway/filetransfer");
        } catch (ConfigException | IOException e) {
            throw new ServletException("file transfer: " + e.getMessage(), e);
        }
        housekeeping = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "webrtcgateway-filetransfer-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        fileTransfers.housekeeping(housekeeping);
        MsrpRoute msrpRoute = msrpEndpoint();
        msrpTransfers = new ServletFileTransfers(fileTransfers, this::isKnown, msrpRoute, timer);
        messaging.onFileTransferRemoved(fileTransfers::removed);
        FileTransferServlet.install(getServletContext(), fileTransfers);
        RoomFiles roomFiles;
        try {
            roomFiles = new RoomFiles(FileSharingConfig.load(SylkRuntime.get().configDir(), SylkRuntime.get().varDir(),
                    SylkRuntime.get().config().server().spoolDir()), roomConfig);
        } catch (ConfigException | IOException e) {
            throw new ServletException("room file sharing: " + e.getMessage(), e);
        }
        try {
            roomRecordings = new RoomRecordings(RecordingConfig.load(SylkRuntime.get().configDir(),
                    SylkRuntime.get().varDir(), SylkRuntime.get().config().server().spoolDir()));
        } catch (ConfigException e) {
            throw new ServletException("room recording: " + e.getMessage(), e);
        }
        roomMixing = new MixerClock();
        phoneAudio = AudioStream.Settings.of(SylkRuntime.get().config());
        VideoRooms videoRooms = new VideoRooms(roomConfig, (name, offer, settings, listener) ->
                Publisher.fromOffer(SylkRuntime.get().media(), name, offer, settings, listener),
                roomChats(msrpRoute, messagingConfig.maxBodyBytes()), roomFiles, roomRecordings, roomMixing);
        videoRooms.audioLevels(timer);
        Gateway.install(getServletContext(), new Gateway(config, registrar,
                new ServletCalls(factory, config.outboundSipProxy(), Version.sipAgent()),
                incoming, productionMedia(), videoRooms,
                messaging, addressBooks, externalAuth));
        log.info(() -> "webrtcgateway SIP side ready: " + (config.outboundSipProxy() == null
                ? "requests routed by RFC 3263" : "outbound proxy " + config.outboundSipProxy().host()
                + (config.outboundSipProxy().port() > 0 ? ":" + config.outboundSipProxy().port() : "")
                + ";transport=" + config.outboundSipProxy().transport())
                + (config.localSipMessages() ? ", accounts' MESSAGEs to this server's SIP TCP listener "
                + "(local_sip_messages; " + SylkRuntime.get().config().sip().localIp().getHostAddress()
                + " trusted)" : "")
                + ", SIP domains " + config.sipDomains() + ", message store " + messagingConfig.storageDir()
                + (messagingConfig.pushUrl() == null ? ", no sylk_push_url: no push notifications"
                : ", push notifications to " + messagingConfig.pushUrl())
                + (addressBooks instanceof XcapAddressBooks ? ", address books at xcap_url" : ", address books stored locally")
                + (externalAuth.enabled() ? ", external authentication (auth.ini)" : ""));
    }

    /**
     * {@code local_sip_messages} (spec §8.3): where the accounts' MESSAGEs go, this server's SIP TCP listener; the
     * local IP is added to the trusted peers, so that they are not refused with 403 there (spec §1.5). A configuration
     * without SIP over TCP cannot have it.
     */
    private Supplier<SipURI> ownListener(Supplier<List<SipURI>> interfaces) throws ServletException {
        var sip = SylkRuntime.get().config().sip();
        if (sip.tcpPort().isEmpty()) {
            throw new ServletException("webrtcgateway.ini: local_sip_messages = true needs SIP over TCP, which is off "
                    + "(local_tcp_port of config.ini is empty)");
        }
        SylkRuntime.get().trust(sip.localIp());
        return ServletMessages.ownTcpListener(interfaces);
    }

    /**
     * The gateway's one MSRP endpoint, for MSRP file transfers (spec §4.10.3) and the video rooms' chat bridges (spec
     * §4.7.4): over TLS or TCP as {@code [MSRP] use_tls} says (the conference's chat streams must be of the same
     * transport to be taken), on an ephemeral port, with the {@code [MSRP]} limits and {@code trace_msrp}.
     */
    private MsrpRoute msrpEndpoint() throws ServletException {
        try {
            msrp = MsrpEndpoint.start(SylkRuntime.get().config(), SylkRuntime.get().sdpAddress());
            return msrp.route();
        } catch (IOException | GeneralSecurityException | ConfigException e) {
            throw new ServletException("cannot start the gateway's MSRP listener: " + e.getMessage(), e);
        }
    }

    /** The video rooms' chat bridges (spec §4.7.4) on the gateway's MSRP endpoint. */
    private RoomChats roomChats(MsrpRoute route, int maxBodyBytes) throws ServletException {
        int queueSize;
        try {
            queueSize = RoomChats.queueSize(SylkRuntime.get().configDir());
        } catch (ConfigException e) {
            throw new ServletException(e.getMessage(), e);
        }
        msrpConnector = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "webrtcgateway-msrp-connect");
            thread.setDaemon(true);
            return thread;
        });
        return RoomChats.msrp(route, msrpConnector, SylkRuntime.get().sdpAddress(), queueSize, maxBodyBytes);
    }

    /** Whether {@code account} is a storage account (spec §4.10.2); a store failure counts as unknown, logged. */
    private boolean isKnown(String account) {
        try {
            return store.isKnown(account);
        } catch (StoreException e) {
            log.warning(() -> "message store: cannot tell whether " + account + " is known: " + e.getMessage());
            return false;
        }
    }

    @Override
    public void destroy() {
        FileTransferServlet.install(getServletContext(), null);
        Gateway.install(getServletContext(), null);
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (transferNotifications != null) {
            // what is queued still goes out while the SIP stack and the store last; the rest at the next start
            transferNotifications.shutdown();
        }
        if (roomMixing != null) {
            roomMixing.close();
        }
        if (roomRecordings != null) {
            roomRecordings.close();
        }
        if (msrpConnector != null) {
            msrpConnector.shutdownNow();
        }
        if (msrp != null) {
            try {
                msrp.close();
            } catch (IOException e) {
                log.fine(() -> "closing the gateway's MSRP endpoint: " + e.getMessage());
            }
        }
        if (msrpTransfers != null) {
            msrpTransfers.close();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (admin != null) {
            admin.close();
        }
        if (externalAuth != null) {
            externalAuth.close();
        }
        if (storeQueue != null) {
            // what is being stored finishes, and is answered while the SIP stack lasts
            storeQueue.close();
        }
        if (store != null) {
            store.close();
        }
        super.destroy();
    }

    @Override
    protected String applicationName() {
        return "webrtcgateway";
    }

    @Override
    protected Set<String> initialMethods() {
        return Set.of("INVITE", "MESSAGE");
    }

    @Override
    protected void doInvite(SipServletRequest request) throws IOException {
        if (!request.isInitial()) {
            toCall(request);
            return;
        }
        if (fileTransfer(request)) {
            return;
        }
        Gateway gateway = Gateway.of(getServletContext());
        String room = RoomPhoneCall.room(request.getRequestURI());
        if (room != null) {
            RoomPhoneCall.answer(request, room, gateway.rooms(), SylkRuntime.get().media(),
                    SylkRuntime.get().sdpAddress(), phoneAudio, signallingSource(request), responder());
            return;
        }
        String aor = calledAccount(request);
        if (aor == null) {
            reply(request, 480, "Temporarily Unavailable");
            return;
        }
        String sdp = ServletCall.body(request);
        if (sdp == null) {
            // an offerless INVITE would need the browser's offer first (RFC 3261 §13.2.1): not supported
            reply(request, 488, "Not Acceptable Here");
            return;
        }
        URI from = request.getFrom().getURI();
        String caller = from instanceof SipURI sip ? sip.getUser() + "@" + sip.getHost() : from.toString();
        IncomingInvite invite = new IncomingInvite(request.getCallId(),
                new SipIdentity(caller, request.getFrom().getDisplayName()), sdp, ServletCall.headers(request));
        ServletCall call = ServletCall.incoming(request);
        // the call takes no request of its dialog before its listener is set
        synchronized (call) {
            SipCall.Listener listener = gateway.incoming().offer(aor, invite, call, gateway.config().declineCode());
            if (listener == null) {
                reply(request, 480, "Temporarily Unavailable");
                return;
            }
            call.listen(listener);
        }
    }

    /**
     * An initial INVITE offering MSRP is a file transfer from a SIP client (spec §4.10.3), for the AOR in its To
     * whatever Contact it was sent to; its offer is answered or refused there. False for any other INVITE (a call).
     */
    private boolean fileTransfer(SipServletRequest request) throws IOException {
        String sdp = ServletCall.body(request);
        if (sdp == null) {
            return false;
        }
        SessionDescription offer;
        try {
            offer = SessionDescription.parse(sdp);
        } catch (SdpException e) {
            return false; // the call's path refuses what it cannot read
        }
        if (!MsrpOffers.offersMsrp(offer)) {
            return false;
        }
        msrpTransfers.invite(request, aor(request.getFrom().getURI()), aor(request.getTo().getURI()), offer);
        return true;
    }

    /**
     * The account an initial INVITE is for: the one whose registered Contact it was sent to, or null. Only the
     * Contact counts: the To of a request is whatever the caller wrote, and a call to an account's AOR that did not
     * come through its registrar must not reach whoever typed that AOR into {@code account-add} (issue 11).
     */
    private String calledAccount(SipServletRequest request) {
        return request.getRequestURI() instanceof SipURI target ? registrar.accountOfContact(target.getUser()) : null;
    }

    @Override
    protected void doAck(SipServletRequest request) {
        toCall(request);
    }

    @Override
    protected void doBye(SipServletRequest request) {
        toCall(request);
    }

    @Override
    protected void doCancel(SipServletRequest request) {
        toCall(request);
    }

    /**
     * An out-of-dialog MESSAGE is messaging's (spec §4.8.2, §4.9): read here, answered once what it carries is stored,
     * from the store's thread (a request stays valid until it is answered), so that no SIP thread waits
     * for the store. One in a call's dialog is the call's (spec §4.5.7).
     */
    @Override
    protected void doMessage(SipServletRequest request) {
        if (!request.isInitial()) {
            toCall(request);
            return;
        }
        byte[] body = ServletCall.rawContent(request);
        messaging.receive(new IncomingSipMessage(aor(request.getFrom().getURI()),
                request.getFrom().getDisplayName(), aor(request.getTo().getURI()), request.getHeader("Content-Type"),
                request.getHeader("Content-Encoding"), body == null ? new byte[0] : body,
                request.getHeader("X-Sylk-From-Sip") != null), answer -> answer(request, answer));
    }

    /**
     * Sends a MESSAGE's answer, with {@code Retry-After} on a 503. The transaction may have ended meanwhile (the sender
     * stopped waiting after 32 s, RFC 3261 §17.1.2.2): what was stored stays, and the sender's new attempt with the
     * same {@code imdn.Message-ID} finds it stored and is answered 200 without a second copy or event.
     */
    private void answer(SipServletRequest request, Messaging.Answer answer) {
        try {
            SipServletResponse response = request.createResponse(answer.status(), answer.reason());
            if (answer.retryAfterSeconds() > 0) {
                response.setHeader("Retry-After", Integer.toString(answer.retryAfterSeconds()));
            }
            response.send();
        } catch (IOException | IllegalStateException e) {
            log.info(() -> "MESSAGE from " + request.getFrom().getURI() + " (Call-ID " + request.getCallId()
                    + ") not answered " + answer.status() + ": " + e.getMessage());
        }
    }

    /** {@code user@host} of a SIP URI, or null for another URI. */
    private static String aor(URI uri) {
        return uri instanceof SipURI sip && sip.getUser() != null ? sip.getUser() + "@" + sip.getHost() : null;
    }

    @Override
    protected void doInfo(SipServletRequest request) {
        toCall(request);
    }

    /** How a room call answers: as this servlet does. */
    private RoomPhoneCall.Responder responder() {
        return new RoomPhoneCall.Responder() {
            @Override
            public void reply(SipServletRequest request, int status, String reason) {
                GatewaySipServlet.this.reply(request, status, reason);
            }

            @Override
            public void notAcceptable(SipServletRequest request, SdpException e) {
                GatewaySipServlet.this.notAcceptable(request, e);
            }
        };
    }

    /**
     * A request inside a call's, a room call's or a file transfer's dialog; one for none gets 481 (RFC 3261
     * §12.2.2).
     */
    private void toCall(SipServletRequest request) {
        try {
            if (ServletFileTransfers.inDialog(request)) {
                return;
            }
        } catch (IOException e) {
            log.fine(() -> "cannot answer " + request.getMethod() + " of a file transfer: " + e.getMessage());
            return;
        }
        RoomPhoneCall roomCall = RoomPhoneCall.of(request.getSession(false));
        if (roomCall != null) {
            try {
                roomCall.request(request, responder());
            } catch (IOException e) {
                log.fine(() -> "cannot answer " + request.getMethod() + " of a room call: " + e.getMessage());
            }
            return;
        }
        ServletCall call = ServletCall.of(request.getSession(false));
        if (call != null) {
            call.request(request);
        } else if (!"ACK".equals(request.getMethod()) && !"CANCEL".equals(request.getMethod())) {
            reply(request, 481, "Call/Transaction Does Not Exist");
        }
    }

    @Override
    protected void doResponse(SipServletResponse response) throws ServletException, IOException {
        if ("REGISTER".equals(response.getMethod())) {
            ServletRegistrar.response(response);
            return;
        }
        if ("MESSAGE".equals(response.getMethod()) && ServletMessages.response(response)) {
            return;
        }
        ServletCall call = ServletCall.of(response.getSession(false));
        if (call != null) {
            call.response(response);
            return;
        }
        super.doResponse(response);
    }
}
