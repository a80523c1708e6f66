package org.sylkserver.webrtc.filetransfer;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.sylkserver.core.files.FileMedia;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * What the gateway does with an INVITE offering an MSRP file transfer (spec §4.10.3, RFC 5547): a push (the SIP client
 * sends, {@code sendonly}) is taken when the sender or the receiver is a known account and stored as an HTTP upload
 * is; a pull (the client receives, {@code recvonly}: we answer {@code sendonly}) gets the file transferred between the
 * two whose name and hash the offer's {@code a=file-selector} gives. Everything else is refused with the spec's status:
 * 488 for an offer without a usable file-transfer stream, 404 for unknown accounts or an unknown file, 500 for a file
 * whose metadata is there but whose bytes are not.
 */
public final class MsrpOffers {

    /** The decision on one offer. */
    public sealed interface Decision permits Push, Pull, Refused {
    }

    /**
     * Receive the file into {@code layout}.
     *
     * @param filetype the offered media type, {@code application/octet-stream} when none
     */
    public record Push(FileMedia media, TransferLayout layout, String filetype) implements Decision {
    }

    /** Send the stored {@code file} (at {@code path}). */
    public record Pull(FileMedia media, TransferredFile file, Path path) implements Decision {
    }

    /** Refuse the INVITE with {@code status}. */
    public record Refused(int status, String reason) implements Decision {
    }

    private final FileTransfers transfers;
    private final FileTransfers.Accounts accounts;
    private final String proto;

    /** @param proto the transport of our MSRP lines, {@code TCP/MSRP} or {@code TCP/TLS/MSRP} */
    public MsrpOffers(FileTransfers transfers, FileTransfers.Accounts accounts, String proto) {
        this.transfers = transfers;
        this.accounts = accounts;
        this.proto = proto;
    }

    /** Whether {@code offer} is for this class rather than a call: it has an MSRP ({@code m=message}) line. */
    public static boolean offersMsrp(SessionDescription offer) {
        return offer.media().stream().anyMatch(m -> m.media().equals("message") && m.port() != 0);
    }

    /**
     * The decision on {@code offer} from {@code sender} (the From) to {@code receiver} (the To), both {@code user@host}.
     */
    public Decision decide(String sender, String receiver, SessionDescription offer) {
        FileMedia media;
        try {
            media = FileMedia.find(offer, proto);
        } catch (IllegalArgumentException e) {
            return new Refused(488, "Not Acceptable Here (" + e.getMessage() + ")");
        }
        if (media == null) {
            return new Refused(488, "Not Acceptable Here (no file transfer stream)");
        }
        if (sender == null || receiver == null) {
            return new Refused(404, "Not Found (not a SIP account)");
        }
        boolean senderKnown = accounts.isKnown(sender);
        if (!senderKnown && !accounts.isKnown(receiver)) {
            return new Refused(404, "Not Found (neither " + sender + " nor " + receiver + " is a known account)");
        }
        if (media.pull()) {
            FileTransfers.Located located = transfers.locate(receiver, sender, media.selector().name(),
                    media.selector().hash());
            return located.file() == null ? new Refused(located.status(), located.reason())
                    : new Pull(media, located.file(), located.path());
        }
        String name = TransferLayout.filename(media.selector().name());
        if (name == null) {
            return new Refused(488, "Not Acceptable Here (no usable file name)");
        }
        if (media.selector().size() > transfers.maxUploadBytes()) {
            return new Refused(488, "Not Acceptable Here (file larger than filetransfer_max_size)");
        }
        String transferId = TransferLayout.transferId(fileTransferId(offer));
        String type = media.selector().type();
        return new Push(media, TransferLayout.of(sender, receiver, senderKnown,
                transferId == null ? UUID.randomUUID().toString() : transferId, name),
                type == null || type.isBlank() ? "application/octet-stream" : type);
    }

    /** The {@code a=file-transfer-id} of the offer's file stream (RFC 5547 §6), or null. */
    private static String fileTransferId(SessionDescription offer) {
        for (MediaDescription m : offer.media()) {
            List<String> ids = m.attributes("file-transfer-id");
            if (m.media().equals("message") && !m.attributes("file-selector").isEmpty() && !ids.isEmpty()) {
                return ids.get(0).trim();
            }
        }
        return null;
    }
}
