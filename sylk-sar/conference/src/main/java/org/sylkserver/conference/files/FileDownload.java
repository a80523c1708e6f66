package org.sylkserver.conference.files;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.msrp.MessageBody;
import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.media.msrp.OutgoingMessage;
import org.sylkserver.media.msrp.SendOptions;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * One of the room's files on its way to a participant (RFC 5547 §8.3 pull, or the room's push): sent in chunks
 * (RFC 4975 §5.1) on the session's connection once there is one — the participant's first SEND binds it when the
 * participant connects (RFC 4975 §5.4), or {@link #start} when the room connected. The file is read from disk
 * chunk by chunk, never whole.
 */
public final class FileDownload implements MsrpServer.Handler {

    private static final Logger log = Logger.getLogger(FileDownload.class.getName());
    /** Large chunks: files are big and the connection is the participant's alone. */
    private static final int CHUNK = 256 * 1024;

    private final RoomFiles.RoomFile file;
    private volatile List<MsrpUri> remotePath;
    private final String recipient;
    private final Consumer<OutgoingMessage.Outcome> done;
    public volatile MsrpUri localUri;
    private MsrpConnection connection;
    private OutgoingMessage message;
    private MessageBody body;
    private boolean closed;

    public FileDownload(RoomFiles.RoomFile file, List<MsrpUri> remotePath, String recipient,
                 Consumer<OutgoingMessage.Outcome> done) {
        this.file = file;
        this.remotePath = remotePath;
        this.recipient = recipient;
        this.done = done;
    }

    /** The participant's path, for a push once its answer came. */
    public void remotePath(List<MsrpUri> path) {
        this.remotePath = path;
    }

    @Override
    public int request(MsrpRequest request, MsrpConnection from) {
        if (request.method().equals(MsrpRequest.REPORT)) {
            return 200;
        }
        if (!request.method().equals(MsrpRequest.SEND)) {
            return 501;
        }
        if (request.hasBody()) {
            return 413; // the participant only receives here (a=recvonly)
        }
        start(from);
        return 200;
    }

    /** Starts sending on {@code on}, once; the outcome goes to the listener given at construction. */
    public synchronized void start(MsrpConnection on) {
        if (connection != null || closed || remotePath == null) {
            return;
        }
        connection = on;
        try {
            body = MessageBody.of(file.path());
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot read room file " + file.path(), e);
            done.accept(new OutgoingMessage.Outcome(OutgoingMessage.State.FAILED, 0, "cannot read the file", 0));
            return;
        }
        SendOptions options = SendOptions.of(file.type() == null ? "application/octet-stream" : file.type())
                .withChunkSize(CHUNK).withReports("yes", "yes");
        message = on.sendMessage(remotePath, List.of(localUri), body, options, report -> { });
        log.info(() -> "sending room file " + file.path().getFileName() + " (" + file.size() + " bytes) to "
                + recipient);
        message.outcome().whenComplete((outcome, error) -> {
            closeBody();
            done.accept(outcome != null ? outcome : new OutgoingMessage.Outcome(OutgoingMessage.State.FAILED, 0,
                    String.valueOf(error), 0));
        });
    }

    private synchronized void closeBody() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                log.log(Level.FINE, "closing " + file.path(), e);
            }
        }
    }

    /** The session ended: an unfinished transfer is interrupted, the connection (the session's own) closed. */
    public synchronized void close() {
        closed = true;
        if (message != null) {
            message.cancel();
        }
        if (connection != null) {
            connection.close();
        }
    }
}
