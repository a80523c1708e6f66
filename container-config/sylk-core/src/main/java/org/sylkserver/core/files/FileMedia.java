package org.sylkserver.core.files;

import java.util.List;

import org.sylkserver.core.session.ChatStream;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The file-transfer stream of an offer (RFC 5547 §6: an MSRP {@code m=message} line with {@code a=file-selector}).
 * Its direction says who sends: {@code sendonly} from the offerer is an upload to the room (push, §8.2),
 * {@code recvonly} asks the room for a file it has (pull, §8.3). The answer is
 * {@link org.sylkserver.core.session.FileTransferStream}'s.
 *
 * @param remotePath the offerer's {@code a=path}
 * @param selector   the offered {@code a=file-selector}
 * @param pull       the offerer wants to receive the file
 * @param weConnect  the room opens the connection (as for chat, {@link ChatStream#weConnect})
 */
public record FileMedia(List<MsrpUri> remotePath, FileSelector selector, boolean pull, boolean weConnect) {

    /**
     * The first file-transfer stream of {@code offer} over {@code proto}, or null.
     *
     * @throws IllegalArgumentException its file selector or path is malformed, or it has no direction
     */
    public static FileMedia find(SessionDescription offer, String proto) {
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
            List<MsrpUri> path = ChatStream.path(m);
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
            return new FileMedia(path, selector, pull, ChatStream.weConnect(m));
        }
        return null;
    }
}
