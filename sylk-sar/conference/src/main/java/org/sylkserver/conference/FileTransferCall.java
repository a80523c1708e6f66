package org.sylkserver.conference;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.SipSession;

/**
 * A session that carries only a file-transfer stream (spec §3.5): it is not a participant (no welcome, not in
 * conference-info, no join or leave notice). It ends with a BYE from either side; ours follows a finished
 * transfer after a short grace period.
 *
 * <p>Threads: its end, from the SIP side (BYE, CANCEL, the session destroyed) or from the transfer's timers, is
 * posted to the room's executor, so it happens once.
 */
final class FileTransferCall {

    private static final Logger log = Logger.getLogger(FileTransferCall.class.getName());

    final String room;
    /** {@code user@host} of the participant at the other end. */
    final String sender;
    final SipSession session;
    /** Stops the transfer if it is still going (why) and frees its MSRP session and connection. */
    private final java.util.function.Consumer<String> stop;
    /** The room's executor. */
    private final Executor owner;
    private boolean ended;

    FileTransferCall(String room, String sender, SipSession session, java.util.function.Consumer<String> stop,
                     Executor owner) {
        this.owner = owner;
        this.room = room;
        this.sender = sender;
        this.session = session;
        this.stop = stop;
    }

    /** The session is over (BYE, CANCEL, destroyed): an unfinished transfer stops, the MSRP session goes. */
    void ended(String why) {
        owner.execute(() -> end(why));
    }

    private void end(String why) {
        if (ended) {
            return;
        }
        ended = true;
        log.info(() -> "file transfer session of " + sender + " in room " + room + " ended: " + why);
        stop.accept(why);
    }

    /** Ends the session from our side. */
    void hangUp(String why) {
        owner.execute(() -> {
            if (session.isValid()) {
                try {
                    session.createRequest("BYE").send();
                } catch (IOException | IllegalStateException e) {
                    log.log(Level.FINE, "cannot send BYE to " + sender, e);
                }
            }
            end(why);
        });
    }
}
