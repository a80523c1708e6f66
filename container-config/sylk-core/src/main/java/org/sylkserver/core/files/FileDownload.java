package org.sylkserver.core.files;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
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
 * A stored file on its way to a peer (RFC 5547 §8.3 pull, or a push: a room's file to a participant): sent in chunks
 * (RFC 4975 §5.1) on the session's connection once there is one — the participant's first SEND binds it when the
 * participant connects (RFC 4975 §5.4), or {@link #start} when we connected. The file is read from disk
 * chunk by chunk, never whole.
 *
 * <p>Threads: its state belongs to the application's executor ({@code owner}, a room's or a transfer's): the start
 * (from the participant's first SEND on its connection's thread, or from our connect), the end of the sending and
 * the close are posted there.
 */
public final class FileDownload implements MsrpServer.Handler {

    private static final Logger log = Logger.getLogger(FileDownload.class.getName());
    /** Large chunks: files are big and the connection is the participant's alone. */
    private static final int CHUNK = 256 * 1024;

    private final SentFile file;
    private List<MsrpUri> remotePath;
    private final String recipient;
    private final Consumer<OutgoingMessage.Outcome> done;
    private final Executor owner;
    private MsrpUri localUri;
    private MsrpConnection connection;
    private OutgoingMessage message;
    private MessageBody body;
    private boolean closed;

    /** @param owner the executor its state belongs to */
    public FileDownload(SentFile file, List<MsrpUri> remotePath, String recipient,
                        Consumer<OutgoingMessage.Outcome> done, Executor owner) {
        this.owner = owner;
        this.file = file;
        this.remotePath = remotePath;
        this.recipient = recipient;
        this.done = done;
    }

    /** Our end of the session, once the MSRP server opened it (before the participant can connect). */
    public void localUri(MsrpUri local) {
        owner.execute(() -> localUri = local);
    }

    /** The participant's path, for a push once its answer came. */
    public void remotePath(List<MsrpUri> path) {
        owner.execute(() -> remotePath = path);
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
    public void start(MsrpConnection on) {
        owner.execute(() -> send(on));
    }

    private void send(MsrpConnection on) {
        if (connection != null || closed || remotePath == null) {
            return;
        }
        connection = on;
        try {
            body = MessageBody.of(file.path());
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot read file " + file.path(), e);
            done.accept(new OutgoingMessage.Outcome(OutgoingMessage.State.FAILED, 0, "cannot read the file", 0));
            return;
        }
        SendOptions options = SendOptions.of(file.type() == null ? "application/octet-stream" : file.type())
                .withChunkSize(CHUNK).withReports("yes", "yes");
        message = on.sendMessage(remotePath, List.of(localUri), body, options, report -> { });
        log.info(() -> "sending file " + file.path().getFileName() + " (" + file.size() + " bytes) to "
                + recipient);
        message.outcome().whenComplete((outcome, error) -> owner.execute(() -> {
            closeBody();
            done.accept(outcome != null ? outcome : new OutgoingMessage.Outcome(OutgoingMessage.State.FAILED, 0,
                    String.valueOf(error), 0));
        }));
    }

    private void closeBody() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                log.log(Level.FINE, "closing " + file.path(), e);
            }
        }
    }

    /** The session ended: an unfinished transfer is interrupted, the connection (the session's own) closed. */
    public void close() {
        owner.execute(() -> {
            closed = true;
            if (message != null) {
                message.cancel();
            }
            if (connection != null) {
                connection.close();
            }
        });
    }
}
