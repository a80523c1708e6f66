package org.sylkserver.webrtc.filetransfer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.rcs.FileTransferHttpDocument;
import org.sylkserver.webrtc.messaging.IncomingSipMessage;
import org.sylkserver.webrtc.messaging.Messaging;
import org.sylkserver.webrtc.messaging.SipMessages;

/**
 * The three notifications of a completed transfer, in the spec's order (§4.10.1):
 * <ol>
 * <li>the {@code application/sylk-file-transfer} message (Message-ID = transfer id, asking for delivery and display
 * notifications) from the sender to the receiver, handed to messaging as the MESSAGE the original sends to itself
 * (with {@code X-Sylk-From-Sip}): both parties' journals and WebRTC devices get it;</li>
 * <li>the RCS FT-over-HTTP document in CPIM to the receiver, and a replicated copy to the sender's AOR;</li>
 * <li>unless the name ends in {@code .asc} (PGP-encrypted), the plain-text link to both likewise.</li>
 * </ol>
 * 2 and 3 are for the parties' SIP devices: they carry {@code X-Sylk-To-Sip: yes} so that the proxy does not fork them
 * back to the gateway (spec §4.9), whose devices have 1 already.
 *
 * <p>All three go out after the upload's answer, one transfer after the other on {@code after} (one thread): storing 1
 * in both journals and building the four SIP requests of 2 and 3 were most of what a 1 MiB upload did besides copying
 * its bytes, and now and then a journal commit held the answer for tens of milliseconds (issue
 * 15's benchmark, docs/benchmarks.md). What makes this safe is the transfer's mark ({@link FileTransfers}): it is on
 * disk before the answer and removed only once the three are out, so a transfer a stop left unannounced is announced
 * at the next start. At most {@link #MAX_WAITING} transfers wait here; when they are that many, the next is refused at
 * once and waits on disk as its mark, offered again by {@link FileTransfers} when there is room: no upload waits for
 * other transfers' notifications, however slow the store is.
 */
public final class TransferNotifications implements FileTransfers.Notifications {

    /** Transfers waiting for their notifications, at most. */
    static final int MAX_WAITING = 1000;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.filetransfer");

    private final Messaging messaging;
    private final SipMessages sip;
    private final Executor after;
    private final Semaphore room;

    /** @param after runs the notifications of one transfer after the other, in the order given (one thread) */
    public TransferNotifications(Messaging messaging, SipMessages sip, Executor after) {
        this(messaging, sip, after, MAX_WAITING);
    }

    TransferNotifications(Messaging messaging, SipMessages sip, Executor after, int maxWaiting) {
        this.messaging = messaging;
        this.sip = sip;
        this.after = after;
        this.room = new Semaphore(maxWaiting);
    }

    @Override
    public boolean offer(TransferredFile file, FileTransfers.Done done) {
        if (!room.tryAcquire()) {
            return false;
        }
        try {
            after.execute(() -> {
                boolean announced = false;
                try {
                    announced = announce(file);
                } finally {
                    room.release(); // first: done may offer the transfers waiting on disk
                    done.done(announced);
                }
            });
        } catch (RejectedExecutionException stopping) {
            room.release();
            LOG.info(() -> "file transfer " + file.transferId() + " not announced: the gateway is stopping;"
                    + " announced at the next start");
            done.done(false);
        }
        return true;
    }

    /** The three notifications; whether announced ({@code false}: the store failed, again at the next start). */
    private boolean announce(TransferredFile file) {
        String sender = file.sender().uri();
        String receiver = file.receiver().uri();
        CpimMessage journal = cpim(file, file.transferId(), TransferredFile.CONTENT_TYPE,
                file.toMessageJson().getBytes(StandardCharsets.UTF_8))
                .header("imdn.Disposition-Notification", "positive-delivery, display").build();
        Messaging.Answer answer = messaging.received(new IncomingSipMessage(sender, file.sender().displayName(),
                receiver, CpimMessage.CONTENT_TYPE, null, journal.toBytes(), true));
        toSipDevices(file);
        if (answer.status() == 500) {
            LOG.warning(() -> "file transfer " + file.transferId() + " not journaled (" + answer.reason()
                    + "): announced again at the next start");
            return false;
        }
        if (answer.status() != 200) {
            LOG.warning(() -> "file transfer " + file.transferId() + " not journaled: " + answer.status() + " "
                    + answer.reason());
        }
        return true;
    }

    /** Notifications 2 and 3. */
    private void toSipDevices(TransferredFile file) {
        FileTransferHttpDocument rcs = new FileTransferHttpDocument(file.filename(), file.filesize(), file.filetype(),
                file.url(), file.until(), file.hash());
        // the transfer id again: were it forked back to the gateway, it would be the same journal entry (de-duplicated)
        toBoth(file, CpimMessage.CONTENT_TYPE,
                cpim(file, file.transferId(), FileTransferHttpDocument.CONTENT_TYPE, rcs.toXml()).build().toBytes());
        if (!file.filename().toLowerCase(Locale.ROOT).endsWith(".asc")) {
            toBoth(file, "text/plain", ("File transfer available at " + file.url() + " (" + size(file.filesize()) + ")")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    private static CpimMessage.Builder cpim(TransferredFile file, String messageId, String contentType, byte[] content) {
        return CpimMessage.builder()
                .from(new CpimMessage.Address(file.sender().displayName(), "sip:" + file.sender().uri()))
                .to(CpimMessage.Address.of("sip:" + file.receiver().uri()))
                .dateTime(file.timestamp())
                .namespace("imdn", CpimMessage.IMDN_NAMESPACE)
                .header("imdn.Message-ID", messageId == null ? UUID.randomUUID().toString() : messageId)
                .contentHeader("Content-Type", contentType)
                .content(content);
    }

    /** To the receiver, and a copy to the sender's own AOR for its other devices ({@code X-Replicated-Message}). */
    private void toBoth(TransferredFile file, String contentType, byte[] body) {
        String sender = file.sender().uri();
        String receiver = file.receiver().uri();
        sip.send(new SipMessages.Outgoing(null, sender, file.sender().displayName(), receiver, contentType, body,
                Map.of("X-Sylk-To-Sip", "yes"), SipMessages.Audience.SIP_DEVICES),
                (status, reason) -> LOG.fine(() -> "file transfer "
                + file.transferId() + " " + contentType + " to " + receiver + ": " + status + " " + reason));
        sip.send(new SipMessages.Outgoing(null, sender, file.sender().displayName(), sender, contentType, body,
                Map.of("X-Sylk-To-Sip", "yes", "X-Replicated-Message", "yes"), SipMessages.Audience.SIP_DEVICES),
                (status, reason) -> LOG.fine(() ->
                "file transfer " + file.transferId() + " " + contentType + " copy to " + sender + ": " + status + " "
                        + reason));
    }

    /** The size as people read it: bytes, then KB, MB, GB (powers of 1024), one decimal. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
