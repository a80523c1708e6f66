package org.sylkserver.conference;

import java.io.IOException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.Address;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.sylkserver.conference.chat.Identity;
import org.sylkserver.core.files.FileDownload;
import org.sylkserver.conference.files.RoomFiles;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.session.FileTransferStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.core.session.MsrpPeer;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The room's offers of a newly uploaded file to its other participants (spec §3.5, {@code push_file_transfer}): one
 * INVITE per recipient, then the transfer once the recipient takes it. The servlet hands the answers here.
 */
final class FilePushes {

    private static final Logger log = Logger.getLogger(FilePushes.class.getName());

    private final Conference conference;
    private final SipFactory factory;

    FilePushes(Conference conference, SipFactory factory) {
        this.conference = conference;
        this.factory = factory;
    }

    /**
     * Spec §3.5 ({@code push_file_transfer}): the room offers a new file to every other participant, one INVITE per
     * distinct participant URI, From the room as "Conference File Transfer", with the uploader in
     * {@code X-Originator-From}. The request goes to the participant's URI through the outbound proxy when one is
     * set (as the original); without one, to the Contact of the participant's session, which reaches the device on
     * a LAN where the participant URI would not resolve. Our offer says {@code a=setup:actpass} (RFC 6135): the
     * answer decides who connects.
     */
    void offer(Room room, RoomFiles.RoomFile file, String uploader) {
        ServerConfig.OutboundProxy proxy = SylkRuntime.get().config().sip().outboundProxy();
        java.util.Map<String, Participant> recipients = new java.util.LinkedHashMap<>();
        for (Participant p : room.participants()) {
            if (!p.uri.equals(uploader) && p.admitted()) {
                recipients.putIfAbsent(p.uri, p);
            }
        }
        for (Participant recipient : recipients.values()) {
            try {
                SipApplicationSession session = factory.createApplicationSession();
                String roomName = room.name;
                Address from = factory.createAddress(factory.createSipURI(
                        roomName.substring(0, roomName.indexOf('@')), roomName.substring(roomName.indexOf('@') + 1)),
                        "Conference File Transfer");
                javax.servlet.sip.URI target = factory.createURI(proxy != null ? "sip:" + recipient.uri
                        : recipient.contact);
                SipServletRequest invite = factory.createRequest(session, "INVITE", from,
                        factory.createAddress(factory.createURI("sip:" + recipient.uri)));
                invite.setRequestURI(target);
                invite.setHeader("X-Originator-From", "<sip:" + uploader + ">");
                invite.setHeader("Subject", "File uploaded by " + uploader);
                if (proxy != null) {
                    proxy.route(factory, invite);
                }
                FileTransferCall[] call = new FileTransferCall[1];
                FileDownload download = new FileDownload(file, null, recipient.uri, outcome -> {
                    log.info(() -> "room file " + file.path().getFileName() + " pushed to " + recipient.uri + ": "
                            + outcome.state());
                    conference.fileTimers.schedule(() -> {
                        if (call[0] != null) {
                            call[0].hangUp("push " + outcome.state().name().toLowerCase());
                        }
                    }, 1, java.util.concurrent.TimeUnit.SECONDS);
                }, room::execute);
                FileTransferStream stream = new FileTransferStream(conference.route, download,
                        file.selector().toString());
                SessionDescription offer = new MediaSession(SylkRuntime.get().sdpAddress())
                        .offer(List.of(stream.offer()));
                download.localUri(stream.localUri());
                invite.setContent(offer.toBytes(), "application/sdp");
                session.setAttribute(ConferenceListener.FILE_PUSH, new FilePush(room, download, stream, call));
                invite.send();
                log.info(() -> "offering room file " + file.path().getFileName() + " to " + recipient.uri);
            } catch (IOException | javax.servlet.sip.ServletParseException | RuntimeException e) {
                log.log(Level.WARNING, "cannot offer room file " + file.path().getFileName() + " to " + recipient.uri,
                        e);
            }
        }
    }

    /** A file the room offered to a participant (spec §3.5 push), until the transfer's session ends. */
    record FilePush(Room room, FileDownload download, FileTransferStream stream, FileTransferCall[] call) {
    }

    /**
     * The answer to one of the room's file offers: false when {@code response} is not one. A 2xx the first time is
     * the participant taking the file (then a retransmission, ACKed again).
     */
    boolean answered(SipServletResponse response) throws IOException {
        FilePush push = (FilePush) response.getApplicationSession().getAttribute(ConferenceListener.FILE_PUSH);
        if (push == null || !response.getMethod().equals("INVITE")) {
            return false;
        }
        if (response.getApplicationSession().getAttribute(ConferenceListener.FILE_TRANSFER) == null) {
            accepted(response, push);
        } else {
            response.createAck().send(); // a retransmitted 2xx
        }
        return true;
    }

    /** The participant declined the file (or could not be reached): its download is dropped. */
    void declined(SipServletResponse response) {
        FilePush push = (FilePush) response.getApplicationSession().getAttribute(ConferenceListener.FILE_PUSH);
        if (push != null && response.getMethod().equals("INVITE")) {
            log.info(() -> "push to " + response.getTo().getURI() + " declined: " + response.getStatus());
            push.download().close();
            push.stream().close();
        }
    }

    /** The participant took the pushed file: whoever the answer says connects, then the file is sent. */
    private void accepted(SipServletResponse response, FilePush push) throws IOException {
        response.createAck().send();
        String recipient = Identity.bare(response.getTo().getURI().toString());
        push.call()[0] = new FileTransferCall(push.room().name, recipient, response.getSession(), why -> {
            push.download().close();
            push.stream().close();
        }, push.room()::execute);
        response.getApplicationSession().setAttribute(ConferenceListener.FILE_TRANSFER, push.call()[0]);
        MsrpPeer peer;
        try {
            peer = push.stream().answered(SessionDescription.parse(response.getRawContent()));
        } catch (SdpException | IllegalArgumentException e) {
            log.info(() -> "push to " + recipient + " refused: " + e.getMessage());
            push.call()[0].hangUp("bad answer");
            return;
        }
        push.download().remotePath(peer.toPath());
        if (peer.weConnect()) {
            conference.connects.execute(() -> {
                try {
                    push.download().start(conference.route.connect(push.stream().localUri(), peer.path()));
                } catch (IOException e) {
                    log.info(() -> "cannot connect to " + recipient + " for a pushed file: " + e.getMessage());
                    push.call()[0].hangUp("cannot connect");
                }
            });
        }
    }
}
