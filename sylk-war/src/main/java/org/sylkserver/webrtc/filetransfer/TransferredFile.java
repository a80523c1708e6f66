package org.sylkserver.webrtc.filetransfer;

import java.io.StringReader;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import javax.json.JsonException;
import javax.json.JsonObject;
import javax.json.JsonReader;

import org.sylkserver.protocols.rcs.FileTransferHttpDocument;
import org.sylkserver.webrtc.JsonP;

/**
 * A stored transfer's metadata (spec §4.10.1, the original's "TransferredFile"): the {@code meta-<filename>} file next
 * to the file, and, without {@code prefix} and {@code path}, the {@code application/sylk-file-transfer} message
 * content ("FileTransferMessage").
 *
 * @param filename   the stored (sanitised) name
 * @param filesize   its size in bytes
 * @param sender     the sender
 * @param receiver   the receiver
 * @param transferId the transfer id
 * @param prefix     {@code p} of the layout
 * @param path       the file's absolute path on this server
 * @param timestamp  when the upload completed
 * @param until      when the file expires ({@code filetransfer_expire_days} later)
 * @param url        the download URL
 * @param filetype   the file's MIME type
 * @param hash       {@code sha-1:} and the SHA-1 as upper-case hex pairs joined by colons (RFC 4975 §7.1.3 style)
 */
public record TransferredFile(String filename, long filesize, Party sender, Party receiver, String transferId,
                              String prefix, String path, OffsetDateTime timestamp, OffsetDateTime until, String url,
                              String filetype, String hash) {

    /** The content type of the message that announces a transfer (spec §4.10.1, §4.8.4). */
    public static final String CONTENT_TYPE = "application/sylk-file-transfer";


    /** The spec's example format (§4.10.1): seconds and a {@code +HH:MM} offset, {@code +00:00} for UTC. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

    /** A party's AOR and display name ({@code ""} when it has none, as the spec's example shows). */
    public record Party(String uri, String displayName) {
        public Party {
            displayName = displayName == null ? "" : displayName;
        }

        JsonObject toJson() {
            return JsonP.PROVIDER.createObjectBuilder().add("uri", uri).add("display_name", displayName).build();
        }

        static Party fromJson(JsonObject json) {
            return new Party(json.getString("uri"), json.getString("display_name", ""));
        }
    }

    /** The metadata file's content. */
    public String toMetadataJson() {
        return json(true);
    }

    /** The {@code application/sylk-file-transfer} message content (spec §4.10.1 "FileTransferMessage"). */
    public String toMessageJson() {
        return json(false);
    }

    private String json(boolean metadata) {
        var builder = JsonP.PROVIDER.createObjectBuilder().add("filename", filename).add("filesize", filesize)
                .add("sender", sender.toJson()).add("receiver", receiver.toJson()).add("transfer_id", transferId);
        if (metadata) {
            builder.add("prefix", prefix).add("path", path);
        }
        return builder.add("timestamp", TIME.format(timestamp)).add("until", TIME.format(until))
                .add("url", url).add("filetype", filetype).add("hash", hash).build().toString();
    }

    /**
     * Reads a metadata file or a message content ({@code prefix} and {@code path} null then).
     *
     * @throws IllegalArgumentException when it is not such a JSON object
     */
    public static TransferredFile fromJson(String json) {
        try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(json))) {
            JsonObject object = reader.readObject();
            return new TransferredFile(object.getString("filename"), object.getJsonNumber("filesize").longValueExact(),
                    Party.fromJson(object.getJsonObject("sender")), Party.fromJson(object.getJsonObject("receiver")),
                    object.getString("transfer_id"), object.getString("prefix", null), object.getString("path", null),
                    OffsetDateTime.parse(object.getString("timestamp")), OffsetDateTime.parse(object.getString("until")),
                    object.getString("url"), object.getString("filetype", "application/octet-stream"),
                    object.getString("hash", ""));
        } catch (JsonException | ClassCastException | NullPointerException | ArithmeticException
                 | DateTimeParseException e) {
            throw new IllegalArgumentException("not file-transfer metadata: " + e.getMessage(), e);
        }
    }

    /**
     * An RCS file transfer (spec §4.9) as the message Sylk clients know: the transfer id is the message's id, the name
     * made safe as an upload's would be (from the URL's last segment when the document has none), the validity the
     * document's or, without one, {@code timestamp}.
     */
    public static TransferredFile fromRcs(FileTransferHttpDocument rcs, Party sender, Party receiver, String messageId,
                                          OffsetDateTime timestamp) {
        String url = rcs.url();
        String fromUrl = url.substring(url.lastIndexOf('/') + 1);
        int query = fromUrl.indexOf('?');
        String name = TransferLayout.filename(rcs.fileName() != null ? rcs.fileName()
                : TransferLayout.unquote(query < 0 ? fromUrl : fromUrl.substring(0, query)));
        return new TransferredFile(name == null ? "file" : name, rcs.fileSize(), sender, receiver, messageId, null,
                null, timestamp, rcs.until() != null ? rcs.until() : timestamp, url, rcs.contentType(),
                rcs.hash() == null ? "" : rcs.hash());
    }
}
