package org.sylkserver.conference;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.servlet.ServletContext;
import javax.servlet.ServletException;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.TimerService;

import org.sylkserver.conference.chat.ChatMember;
import org.sylkserver.conference.screen.ScreenSharing;
import org.sylkserver.conference.session.CallStreams;
import org.sylkserver.conference.files.RoomFiles;
import org.sylkserver.core.msrp.MsrpRoute;
import org.sylkserver.core.msrp.MsrpTls;
import org.sylkserver.core.msrp.MsrpTrace;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.msrp.MsrpRelayClient;
import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.media.msrp.RelayConfig;

/**
 * The conference application (spec §3) while it runs: made by {@link ConferenceServlet#init}, kept as the servlet
 * context's attribute {@link #ATTRIBUTE}, closed by its {@code destroy}. It owns what the rooms share and nothing
 * else does: the rooms ({@link Rooms}), the MSRP listener and its route (direct or through the relay), the mixer
 * clock, the threads (the rooms' executors' pool, the file-transfer timers, the MSRP connects, the screen-sharing
 * idle timers), the files' quota, the PIN attempts per address and the screen-sharing setup.
 *
 * <p>Threads: its fields are set once here and never change; each room's state is its executor's ({@link Room}).
 */
final class Conference implements Rooms.Calls {

    static final String ATTRIBUTE = Conference.class.getName();

    private static final Logger log = Logger.getLogger(Conference.class.getName());
    /**
     * Opens the MSRP connections the room makes (RFC 6135 active role): a peer that is slow to answer or to finish
     * its TLS handshake holds one of these threads (up to the connect and handshake timeouts), never the file timers
     * nor another participant's connect.
     */
    private static final int CONNECT_THREADS = 16;

    final ConferenceSettings settings;
    /** The container's timers (the answer delay). */
    final TimerService timers;
    final MixerClock clock;
    final MsrpServer msrp;
    /** Direct, or through the operator's MSRP relay. */
    final MsrpRoute route;
    final String msrpProto;
    /** Ends file-transfer sessions a moment after their transfer (spec §3.5). */
    final ScheduledExecutorService fileTimers;
    /** The room's side of RFC 6135 {@code a=setup:active}. */
    final ThreadPoolExecutor connects;
    final Rooms rooms;
    /** How calls open their audio and chat. */
    final CallStreams streams;
    private final ExecutorService roomThreads;
    private final ScheduledThreadPoolExecutor screenTimers;

    private Conference(ConferenceSettings settings, TimerService timers, MsrpServer msrp, MsrpRoute route,
                       String msrpProto, Path files) {
        this.settings = settings;
        this.timers = timers;
        this.msrp = msrp;
        this.route = route;
        this.msrpProto = msrpProto;
        this.clock = new MixerClock();
        this.fileTimers = Executors.newSingleThreadScheduledExecutor(daemons("conference-file-timers", false));
        this.connects = new ThreadPoolExecutor(CONNECT_THREADS, CONNECT_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemons("conference-msrp-connect-", true));
        connects.allowCoreThreadTimeOut(true);
        this.roomThreads = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemons("conference-room-", true));
        this.screenTimers = new ScheduledThreadPoolExecutor(1, daemons("conference-screen-sharing", false));
        // every frame cancels the previous idle timer: do not keep the cancelled ones queued for 10 s
        screenTimers.setRemoveOnCancelPolicy(true);
        ServerConfig config = SylkRuntime.get().config();
        this.streams = new CallStreams(AudioStream.Settings.of(config), config.rtp().audioCodecs(), route);
        ScreenSharing.Setup screenSharing = new ScreenSharing.Setup(
                settings.screenSharingImagesDir(config.server().spoolDir()), config.webBaseUrl(),
                settings.screenSharingIdleTimeout(), this::idleTimer);
        this.rooms = new Rooms(settings, clock, roomThreads, screenSharing, files,
                new RoomFiles.Space(settings.filesQuota()), new PinAttempts(settings.pinFailuresPerMinute()),
                RoomSubscriptions::new, this);
    }

    /** Starts the application for the servlet context: conference.ini, the MSRP listener (and relay), the rooms. */
    static Conference start(ServletContext context) throws ServletException {
        ConferenceSettings settings;
        try {
            settings = ConferenceSettings.load(SylkRuntime.get().configDir());
        } catch (ConfigException e) {
            throw new ServletException(e.getMessage(), e);
        }
        ServerConfig config = SylkRuntime.get().config();
        MsrpServer msrp;
        MsrpRoute route;
        String msrpProto;
        try {
            SSLContext tls = config.msrp().useTls() ? MsrpTls.context(config) : null;
            msrp = new MsrpServer(SylkRuntime.get().sdpAddress(), 0, tls, config.msrp().limits());
            msrpProto = tls != null ? "TCP/TLS/MSRP" : "TCP/MSRP";
            if (config.server().traceMsrp()) {
                msrp.trace(MsrpTrace.to(config.server().traceDir().resolve("msrp_trace.log")));
            }
            RelayConfig relay = settings.msrpRelay().orElse(null);
            if (relay != null) {
                try {
                    route = new MsrpRoute(msrp, MsrpRelayClient.authenticate(msrp, relay), msrpProto);
                    log.info(() -> "conference MSRP sessions go through relay " + relay.relay());
                } catch (IOException e) {
                    throw new IOException("conference.ini: [Conference] msrp_relay = " + relay.relay()
                            + ": cannot authenticate: " + e.getMessage(), e);
                }
            } else {
                route = new MsrpRoute(msrp, null, msrpProto);
            }
        } catch (IOException | GeneralSecurityException | ConfigException e) {
            throw new ServletException("cannot start the conference's MSRP listener: " + e.getMessage(), e);
        }
        Path files = settings.fileTransferDir(config.server().spoolDir());
        try { // spec §3.1: no file survives a restart
            ScreenSharing.removeTree(files);
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot delete the files left in " + files, e);
        }
        Conference conference = new Conference(settings, (TimerService) context.getAttribute(SipServlet.TIMER_SERVICE),
                msrp, route, msrpProto, files);
        context.setAttribute(ATTRIBUTE, conference);
        log.info(() -> "conference ready: answer delay " + settings.answerDelay().toMillis() + " ms, "
                + settings.maxSpeakers() + " talkers mixed at once");
        return conference;
    }

    /** The running application of {@code context}. */
    static Conference of(ServletContext context) {
        return (Conference) context.getAttribute(ATTRIBUTE);
    }

    /** Stops the listener, the clock and the threads; the context forgets the application. */
    void close(ServletContext context) {
        context.removeAttribute(ATTRIBUTE);
        route.close();
        try {
            msrp.close();
        } catch (IOException e) {
            log.log(Level.FINE, "closing the MSRP listener", e);
        }
        clock.close();
        fileTimers.shutdownNow();
        connects.shutdownNow();
        screenTimers.shutdownNow();
        roomThreads.shutdownNow();
    }

    /** A room ends a participant's call (a PIN refused): BYE, then the call leaves the room. */
    @Override
    public void hangUp(Participant participant, String why) {
        ConferenceCall call = ConferenceCall.of(participant);
        if (call != null) {
            call.hangUp(why);
        }
    }

    /** The chat stream's MSRP session is forgotten and its connection closed (the stream or the call ended). */
    void closeChat(ChatMember stream) {
        msrp.close(stream.localUri());
        stream.closeConnection();
    }

    /**
     * The room's side of RFC 6135 {@code a=setup:active}: connects to the participant's path and binds the session
     * (RFC 4975 §5.4), off the SIP thread and the file timers; a participant that cannot be reached is logged, its
     * session stays.
     */
    void connectOut(MsrpUri local, List<MsrpUri> remotePath, Consumer<MsrpConnection> then, String what) {
        connects.execute(() -> {
            try {
                then.accept(route.connect(local, remotePath));
                log.fine(() -> "connected to " + remotePath.get(0) + " for " + what);
            } catch (IOException e) {
                log.info(() -> "cannot connect to " + remotePath.get(0) + " for " + what + ": " + e.getMessage());
            }
        });
    }

    private Runnable idleTimer(Runnable task, Duration delay) {
        ScheduledFuture<?> timer = screenTimers.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        return () -> timer.cancel(false);
    }

    private static ThreadFactory daemons(String name, boolean numbered) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, numbered ? name + count.incrementAndGet() : name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
