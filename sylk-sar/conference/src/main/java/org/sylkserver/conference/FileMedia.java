package org.sylkserver.conference;

import java.util.ArrayList;
import java.util.List;

import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The file-transfer stream of an offer (RFC 5547 §6: an MSRP {@code m=message} line with {@code a=file-selector}).
 * Its direction says who sends: {@code sendonly} from the offerer is an upload to the room (push, §8.2),
 * {@code recvonly} asks the room for a file it has (pull, §8.3).
 *
 * @param index      position of the stream among the offer's media lines
 * @param remotePath the offerer's {@code a=path}
 * @param selector   the offered {@code a=file-selector}
 * @param pull       the offerer wants to receive the file
 * @param transferId the offer's {@code a=file-transfer-id} (§6), echoed in the answer, or null
 * @param weConnect  the room opens the connection (as for chat, {@link ChatMedia#weConnect})
 */
record FileMedia(int index, List<MsrpUri> remotePath, FileSelector selector, boolean pull, String transferId,
                 boolean weConnect) {

    /**
     * The first file-transfer stream of {@code offer} over {@code proto}, or null.
     *
     * @throws IllegalArgumentException its file selector or path is malformed, or it has no direction
     */
    static FileMedia find(SessionDescription offer, String proto) {
        List<MediaDescription> media = offer.media();
        for (int i = 0; i < media.size(); i++) {
            MediaDescription m = media.get(i);
            if (!m.media().equals("message") || m.port() == 0 || m.attributes("file-selector").isEmpty()) {
                continue;
            }
            if (!m.proto().equalsIgnoreCase(proto)) {
                throw new IllegalArgumentException("file transfer over " + m.proto() + ", this server uses " + proto);
            }
            FileSelector selector = FileSelector.parse(m.attributes("file-selector").get(0));
            List<MsrpUri> path = ChatMedia.path(m);
            if (path == null) {
                throw new IllegalArgumentException("file transfer stream without a valid a=path");
            }
            boolean pull = m.has("recvonly");
            if (!pull && !m.has("sendonly")) {
                throw new IllegalArgumentException("file transfer stream is neither sendonly nor recvonly");
            }
            if (pull && selector.hash() == null) {
                throw new IllegalArgumentException("file request without a hash selector");
            }
            List<String> ids = m.attributes("file-transfer-id");
            return new FileMedia(i, path, selector, pull, ids.isEmpty() ? null : ids.get(0).trim(),
                    ChatMedia.weConnect(m));
        }
        return null;
    }

    /** The accepted line: our path, the mirrored direction, the selector as we know the file. */
    MediaDescription answer(String path, int port, String proto, FileSelector file) {
        List<SessionDescription.Line> lines = new ArrayList<>(List.of(
                new SessionDescription.Line('a', "path:" + path),
                new SessionDescription.Line('a', "accept-types:*"),
                new SessionDescription.Line('a', weConnect ? "setup:active" : "setup:passive"),
                new SessionDescription.Line('a', pull ? "sendonly" : "recvonly"),
                new SessionDescription.Line('a', "file-selector:" + file)));
        if (transferId != null) {
            lines.add(new SessionDescription.Line('a', "file-transfer-id:" + transferId));
        }
        return new MediaDescription("message", port, proto, List.of("*"), lines);
    }
}
