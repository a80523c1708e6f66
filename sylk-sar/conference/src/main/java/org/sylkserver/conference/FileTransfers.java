package org.sylkserver.conference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.sylkserver.conference.chat.Identity;
import org.sylkserver.core.files.FileDownload;
import org.sylkserver.core.files.FileMedia;
import org.sylkserver.core.files.FileUpload;
import org.sylkserver.conference.files.RoomFiles;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.session.FileTransferStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * Sessions whose only stream is a file transfer (spec §3.2 step 3, §3.5; RFC 5547): an upload to a room, or a
 * request for one of its files. They are {@link FileTransferCall}s, never participants; the servlet hands their
 * INVITEs here.
 */
final class FileTransfers {

    private static final Logger log = Logger.getLogger(FileTransfers.class.getName());

    private final Conference conference;
    private final FilePushes pushes;
    private final Referrals.Replies replies;

    FileTransfers(Conference conference, FilePushes pushes, Referrals.Replies replies) {
        this.conference = conference;
        this.pushes = pushes;
        this.replies = replies;
    }

    /**
     * A session with only a file-transfer stream (spec §3.2 step 3, §3.5): an upload to the room, or a request
     * for one of its files. The room must exist; the session is answered at once and is not a participant.
     */
    void take(SipServletRequest request, String roomName, String caller, SessionDescription offer, FileMedia file)
            throws IOException {
        Room room = conference.rooms.find(roomName);
        if (room == null) {
            replies.reply(request, SipServletResponse.SC_NOT_FOUND, "Room not found");
            return;
        }
        if (file.pull()) {
            download(request, room, caller, offer, file);
            return;
        }
        long limit = conference.settings.maxFileSize();
        if (limit > 0 && file.selector().size() > limit) {
            log.info(() -> caller + " offered room " + roomName + " a file of " + file.selector().size()
                    + " bytes, larger than max_file_size (" + limit + ")");
            SipServletResponse refusal = request.createResponse(SipServletResponse.SC_NOT_ACCEPTABLE_HERE,
                    "File too large");
            refusal.setHeader("Warning", "399 " + SylkRuntime.get().sdpAddress().getHostAddress()
                    + " \"File too large: "
                    + file.selector().size() + " bytes, the room accepts " + limit + "\"");
            refusal.send();
            return;
        }
        String identity = Identity.shown(request.getFrom().getDisplayName(), caller);
        FileTransferCall[] call = new FileTransferCall[1];
        FileUpload<RoomFiles.RoomFile> upload;
        try {
            // made on the room's executor, which owns the room's files (and knows whether the room has ended)
            upload = CompletableFuture.supplyAsync(() -> {
                try {
                    return new FileUpload<>(room.files, file.selector(), caller, limit,
                            stored -> {
                                room.uploaded(identity, stored);
                                if (conference.settings.pushFileTransfer()) {
                                    pushes.offer(room, stored, caller);
                                }
                                conference.fileTimers.schedule(() -> call[0].hangUp("upload complete"), 1,
                                        TimeUnit.SECONDS);
                            },
                            why -> {
                                room.uploadFailed(file.selector().name(), why);
                                if (call[0] != null) {
                                    conference.fileTimers.execute(() -> call[0].hangUp("upload failed"));
                                }
                            }, room::execute);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, room::execute).join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof UncheckedIOException cannot)) {
                throw e;
            }
            log.warning("cannot take an upload to room " + roomName + ": " + cannot.getCause().getMessage());
            replies.reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "Cannot store files");
            return;
        }
        FileTransferStream stream = new FileTransferStream(conference.route, upload, file.selector().toString());
        SessionDescription sdp = fileAnswer(offer, stream);
        MsrpUri local = stream.localUri();
        upload.localUri(local);
        call[0] = new FileTransferCall(roomName, caller, request.getSession(), why -> {
            upload.abort(why);
            conference.msrp.close(local);
            upload.closeConnection();
        }, room::execute);
        request.getApplicationSession().setAttribute(ConferenceListener.FILE_TRANSFER, call[0]);
        SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
        ok.setContent(sdp.toBytes(), "application/sdp");
        ok.send();
        if (file.weConnect()) {
            conference.connectOut(local, file.remotePath(), connection -> { }, caller + "'s upload");
        }
        room.uploadStarted(identity, file.selector());
        log.info(() -> caller + " is uploading " + file.selector() + " to room " + roomName);
    }

    /**
     * RFC 5547 §8.3: the participant asks for one of the room's files by its hash (spec §3.2 step 3: 404 when the
     * room has none such); it connects, and the file follows its first SEND. The session ends 3 s after the
     * transfer (spec §3.5).
     */
    private void download(SipServletRequest request, Room room, String caller, SessionDescription offer,
                          FileMedia file) throws IOException {
        RoomFiles.RoomFile stored = room.files.byHash(file.selector().hash()).orElse(null);
        if (stored == null || !Files.isReadable(stored.path())) {
            log.info(() -> caller + " asked room " + room.name + " for a file it does not have: "
                    + file.selector().hash());
            replies.reply(request, SipServletResponse.SC_NOT_FOUND, "File not found");
            return;
        }
        FileTransferCall[] call = new FileTransferCall[1];
        List<MsrpUri> toPath = conference.route.toPath(file.remotePath());
        FileDownload download = new FileDownload(stored, toPath, caller, outcome -> {
            log.info(() -> "room file " + stored.path().getFileName() + " to " + caller + ": " + outcome.state()
                    + (outcome.reason() == null ? "" : " (" + outcome.reason() + ")"));
            conference.fileTimers.schedule(() -> call[0].hangUp("download " + outcome.state().name().toLowerCase()),
                    3, TimeUnit.SECONDS);
        }, room::execute);
        FileTransferStream stream = new FileTransferStream(conference.route, download, stored.selector().toString());
        SessionDescription sdp = fileAnswer(offer, stream);
        MsrpUri local = stream.localUri();
        download.localUri(local);
        call[0] = new FileTransferCall(room.name, caller, request.getSession(), why -> {
            download.close();
            conference.msrp.close(local);
        }, room::execute);
        request.getApplicationSession().setAttribute(ConferenceListener.FILE_TRANSFER, call[0]);
        SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
        ok.setContent(sdp.toBytes(), "application/sdp");
        ok.send();
        if (file.weConnect()) {
            conference.connectOut(local, file.remotePath(), download::start, caller + "'s download");
        }
        log.info(() -> caller + " is downloading " + stored.path().getFileName() + " from room " + room.name);
    }

    /**
     * The answer to a file-transfer session's offer (the file line {@link FileMedia#find} chose, every other line
     * declined); the stream's MSRP session is open.
     */
    private static SessionDescription fileAnswer(SessionDescription offer, FileTransferStream stream) {
        try {
            return new MediaSession(SylkRuntime.get().sdpAddress())
                    .negotiate(offer, List.of(stream), "No file offered").answer();
        } catch (SdpException e) {
            throw new IllegalStateException("the file line FileMedia.find accepted: " + e.getMessage(), e);
        }
    }
}
