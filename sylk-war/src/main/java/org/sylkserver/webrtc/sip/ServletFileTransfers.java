package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.sylkserver.core.SerialExecutor;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.files.FileDownload;
import org.sylkserver.core.files.FileMedia;
import org.sylkserver.core.files.FileSelector;
import org.sylkserver.core.files.FileUpload;
import org.sylkserver.core.files.SentFile;
import org.sylkserver.core.msrp.MsrpRoute;
import org.sylkserver.core.session.FileTransferStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.webrtc.filetransfer.FileTransfers;
import org.sylkserver.webrtc.filetransfer.MsrpOffers;
import org.sylkserver.webrtc.filetransfer.TransferredFile;
import org.sylkserver.webrtc.filetransfer.UploadRefused;

/**
 * The SIP and MSRP side of MSRP file transfer (spec §4.10.3): the INVITEs
 * {@link MsrpOffers} decides on answered, and each transfer's session ({@link Transfer}) until its BYE. A push is
 * received by core's {@link FileUpload} into {@link FileTransfers#msrpUpload} (stored and announced as an HTTP upload),
 * a pull sent by core's {@link FileDownload}; we end the session 1 s after the file is through (spec §4.10.3).
 */
final class ServletFileTransfers {

    private static final Logger log = Logger.getLogger("webrtcgateway.filetransfer");
    private static final String ATTRIBUTE = "webrtcgateway.file-transfer";
    /** The grace before our BYE after a transfer: the peer's last reports arrive (spec §4.10.3: 1 s). */
    private static final long HANG_UP_SECONDS = 1;

    private final MsrpRoute route;
    private final MsrpOffers offers;
    private final FileTransfers transfers;
    /** The transfers' executors' pool and the connects to peers (RFC 6135 active role). */
    private final ExecutorService pool;
    private final ScheduledExecutorService timers;

    /** Transfers on the gateway's MSRP endpoint {@code route}; its listener is the gateway's to close. */
    ServletFileTransfers(FileTransfers transfers, FileTransfers.Accounts accounts, MsrpRoute route,
                         ScheduledExecutorService timers) {
        this.route = route;
        this.offers = new MsrpOffers(transfers, accounts, route.proto());
        this.transfers = transfers;
        this.timers = timers;
        AtomicInteger count = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "webrtcgateway-file-transfer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** An initial INVITE whose offer has an MSRP line (spec §4.10.3): answered with the transfer, or refused. */
    void invite(SipServletRequest request, String sender, String receiver, SessionDescription offer)
            throws IOException {
        MsrpOffers.Decision decision = offers.decide(sender, receiver, offer);
        String display = request.getFrom().getDisplayName();
        if (decision instanceof MsrpOffers.Push push) {
            push(request, sender, display == null ? "" : display, receiver, offer, push);
        } else if (decision instanceof MsrpOffers.Pull pull) {
            pull(request, sender, offer, pull);
        } else {
            MsrpOffers.Refused refused = (MsrpOffers.Refused) decision;
            log.info(() -> "MSRP file transfer from " + sender + " to " + receiver + " refused: " + refused.status()
                    + " " + refused.reason());
            request.createResponse(refused.status(), refused.reason()).send();
        }
    }

    private void push(SipServletRequest request, String sender, String display, String receiver,
                      SessionDescription offer, MsrpOffers.Push push) throws IOException {
        FileMedia media = push.media();
        SerialExecutor owner = new SerialExecutor(pool, log, "file transfer " + push.layout().transferId());
        Transfer[] call = new Transfer[1];
        FileTransfers.MsrpUpload store;
        try {
            store = transfers.msrpUpload(push.layout(), new TransferredFile.Party(sender, display),
                    new TransferredFile.Party(receiver, ""), push.filetype());
        } catch (UploadRefused e) {
            // SIP has no 409: the id is taken, which the sender may not do (RFC 5547 §6: an id names one transfer)
            log.info(() -> "MSRP file transfer from " + sender + " to " + receiver + " refused: " + e.getMessage());
            request.createResponse(SipServletResponse.SC_FORBIDDEN, "File transfer id in progress").send();
            return;
        }
        FileUpload<TransferredFile> upload;
        try {
            upload = new FileUpload<>(store, media.selector(), sender,
                    transfers.maxUploadBytes(),
                    stored -> timers.schedule(() -> call[0].hangUp("upload complete"), HANG_UP_SECONDS,
                            TimeUnit.SECONDS),
                    why -> {
                        if (call[0] != null) {
                            owner.execute(() -> call[0].hangUp("upload failed: " + why));
                        }
                    }, owner);
        } catch (IOException e) {
            store.close();
            log.log(Level.WARNING, "cannot stage the MSRP upload " + push.layout().transferId(), e);
            request.createResponse(SipServletResponse.SC_SERVER_INTERNAL_ERROR, "Cannot store files").send();
            return;
        }
        FileTransferStream stream = new FileTransferStream(route, upload, media.selector().toString());
        SessionDescription answer = answer(offer, stream);
        MsrpUri local = stream.localUri();
        upload.localUri(local);
        call[0] = new Transfer(sender + "'s upload " + push.layout().transferId(), request.getSession(), why -> {
            upload.abort(why);
            route.close(local);
            upload.closeConnection();
            store.close();
        }, owner);
        accept(request, answer, call[0]);
        if (media.weConnect()) {
            connectOut(local, media, connection -> { }, call[0].what);
        }
        log.info(() -> sender + " is sending " + push.layout().filename() + " to " + receiver + " over MSRP");
    }

    private void pull(SipServletRequest request, String receiver, SessionDescription offer, MsrpOffers.Pull pull)
            throws IOException {
        FileMedia media = pull.media();
        TransferredFile file = pull.file();
        SerialExecutor owner = new SerialExecutor(pool, log, "file transfer " + file.transferId());
        Transfer[] call = new Transfer[1];
        FileDownload download = new FileDownload(new Stored(pull.path(), file.filetype(), file.filesize()),
                route.toPath(media.remotePath()), receiver, outcome -> {
                    log.info(() -> "file transfer " + file.transferId() + " to " + receiver + ": " + outcome.state()
                            + (outcome.reason() == null ? "" : " (" + outcome.reason() + ")"));
                    timers.schedule(() -> call[0].hangUp("download " + outcome.state().name().toLowerCase()),
                            HANG_UP_SECONDS, TimeUnit.SECONDS);
                }, owner);
        FileTransferStream stream = new FileTransferStream(route, download,
                new FileSelector(file.filename(), file.filetype(), file.filesize(), file.hash()).toString());
        SessionDescription answer = answer(offer, stream);
        MsrpUri local = stream.localUri();
        download.localUri(local);
        call[0] = new Transfer(receiver + "'s download " + file.transferId(), request.getSession(), why -> {
            download.close();
            route.close(local);
        }, owner);
        accept(request, answer, call[0]);
        if (media.weConnect()) {
            connectOut(local, media, download::start, call[0].what);
        }
        log.info(() -> receiver + " is fetching " + file.filename() + " (" + file.transferId() + ") over MSRP");
    }

    /** A stored transfer as core's {@link FileDownload} reads it. */
    private record Stored(Path path, String type, long size) implements SentFile {
    }

    private static void accept(SipServletRequest request, SessionDescription answer, Transfer call)
            throws IOException {
        request.getSession().setAttribute(ATTRIBUTE, call);
        SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
        ok.setContent(answer.toBytes(), "application/sdp");
        ok.send();
    }

    /** The answer: the file line {@link MsrpOffers} chose, every other line declined; the MSRP session is open. */
    private static SessionDescription answer(SessionDescription offer, FileTransferStream stream) {
        try {
            return new MediaSession(SylkRuntime.get().sdpAddress())
                    .negotiate(offer, List.of(stream), "No file offered").answer();
        } catch (SdpException e) {
            throw new IllegalStateException("the file line FileMedia.find accepted: " + e.getMessage(), e);
        }
    }

    /** RFC 6135 active role: we connect to the peer's path and bind the session, off the SIP thread. */
    private void connectOut(MsrpUri local, FileMedia media, Consumer<MsrpConnection> then, String what) {
        pool.execute(() -> {
            try {
                then.accept(route.connect(local, media.remotePath()));
            } catch (IOException e) {
                log.info(() -> "cannot connect to " + media.remotePath().get(0) + " for " + what + ": "
                        + e.getMessage());
            }
        });
    }

    /**
     * A request in a transfer's dialog (ACK, BYE, CANCEL); false when the dialog is no transfer's. A BYE or CANCEL
     * ends the transfer (an unfinished upload leaves nothing behind).
     */
    static boolean inDialog(SipServletRequest request) throws IOException {
        SipSession session = request.getSession(false);
        Transfer call = session == null ? null : (Transfer) session.getAttribute(ATTRIBUTE);
        if (call == null) {
            return false;
        }
        switch (request.getMethod()) {
            case "BYE" -> {
                request.createResponse(SipServletResponse.SC_OK).send();
                call.ended("BYE");
            }
            case "CANCEL" -> call.ended("CANCEL");
            case "ACK" -> { }
            default -> request.createResponse(SipServletResponse.SC_METHOD_NOT_ALLOWED).send();
        }
        return true;
    }

    /** The threads go (the application is undeployed). */
    void close() {
        pool.shutdownNow();
    }

    /**
     * The SIP session of one transfer: it ends once, from our BYE after the transfer or from the peer's BYE or
     * CANCEL, on the transfer's executor.
     */
    private static final class Transfer {
        final String what;
        private final SipSession session;
        /** Stops the transfer if it is still going (why) and frees its MSRP session and connection. */
        private final Consumer<String> stop;
        private final SerialExecutor owner;
        private boolean ended;

        Transfer(String what, SipSession session, Consumer<String> stop, SerialExecutor owner) {
            this.what = what;
            this.session = session;
            this.stop = stop;
            this.owner = owner;
        }

        void ended(String why) {
            owner.execute(() -> end(why));
        }

        private void end(String why) {
            if (ended) {
                return;
            }
            ended = true;
            log.info(() -> what + " ended: " + why);
            stop.accept(why);
        }

        void hangUp(String why) {
            owner.execute(() -> {
                if (!ended && session.isValid()) {
                    try {
                        session.createRequest("BYE").send();
                    } catch (IOException | IllegalStateException e) {
                        log.log(Level.FINE, "cannot send BYE for " + what, e);
                    }
                }
                end(why);
            });
        }
    }
}
