package org.sylkserver.conference;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.SipSession;

/**
 * A session that carries only a file-transfer stream (spec §3.5): it is not a participant (no welcome, not in
 * conference-info, no join or leave notice). It ends with a BYE from either side; ours follows a finished
 * transfer after a short grace period.
 */
final class FileTransferCall {

    private static final Logger log = Logger.getLogger(FileTransferCall.class.getName());

    final String room;
    final String sender;
    final SipSession session;
    /** The upload it carries, or null for a download. */
    final FileUpload upload;
    /** Frees the MSRP session and its connection. */
    private final Runnable closeMsrp;
    private boolean ended;

    FileTransferCall(String room, String sender, SipSession session, FileUpload upload, Runnable closeMsrp) {
        this.room = room;
        this.sender = sender;
        this.session = session;
        this.upload = upload;
        this.closeMsrp = closeMsrp;
    }

    /** The session is over (BYE, CANCEL, destroyed): an unfinished upload fails, the MSRP session goes. */
    void ended(String why) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        log.info(() -> "file transfer session of " + sender + " in room " + room + " ended: " + why);
        if (upload != null) {
            upload.abort(why);
        }
        closeMsrp.run();
    }

    /** Ends the session from our side. */
    void hangUp(String why) {
        if (session.isValid()) {
            try {
                session.createRequest("BYE").send();
            } catch (IOException | IllegalStateException e) {
                log.log(Level.FINE, "cannot send BYE to " + sender, e);
            }
        }
        ended(why);
    }
}
