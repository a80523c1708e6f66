package org.sylkserver.conference;

import java.util.ArrayList;
import java.util.List;

import org.sylkserver.media.msrp.MalformedMsrpException;
import org.sylkserver.media.msrp.MsrpUri;
import org.sylkserver.media.sdp.MediaDescription;
import org.sylkserver.media.sdp.SessionDescription;

/**
 * The chat stream of an offer (RFC 4975 §8: {@code m=message <port> TCP/MSRP *} or {@code TCP/TLS/MSRP},
 * {@code a=path}, {@code a=accept-types}) and the line that accepts it, with the {@code chatroom} capabilities the
 * original advertises (spec §3.4) but the ZRTP SAS exchange, which is not implemented. The server is the passive
 * side (RFC 6135 {@code a=setup:passive}): the participant connects to the path we answer.
 *
 * @param index      position of the stream among the offer's media lines
 * @param remotePath the participant's {@code a=path}, first hop first
 */
record ChatMedia(int index, List<MsrpUri> remotePath) {

    /** The first acceptable chat stream of {@code offer} over {@code proto}, or null. */
    static ChatMedia find(SessionDescription offer, String proto) {
        List<MediaDescription> media = offer.media();
        for (int i = 0; i < media.size(); i++) {
            MediaDescription m = media.get(i);
            if (!m.media().equals("message") || m.port() == 0 || !m.proto().equalsIgnoreCase(proto)) {
                continue;
            }
            List<String> types = m.attributes("accept-types");
            boolean cpim = types.stream().anyMatch(t -> t.contains("message/cpim") || t.contains("*"));
            List<String> paths = m.attributes("path");
            if (!cpim || paths.isEmpty()) {
                continue;
            }
            try {
                List<MsrpUri> path = new ArrayList<>();
                for (String uri : paths.get(0).trim().split("\\s+")) {
                    path.add(MsrpUri.parse(uri));
                }
                return new ChatMedia(i, List.copyOf(path));
            } catch (MalformedMsrpException e) {
                return null;
            }
        }
        return null;
    }

    /** The accepted chat line for the answer: our path, CPIM, passive. */
    MediaDescription answer(MsrpUri local, int port, String proto) {
        List<SessionDescription.Line> lines = List.of(
                new SessionDescription.Line('a', "path:" + local),
                new SessionDescription.Line('a', "accept-types:message/cpim"),
                new SessionDescription.Line('a', "accept-wrapped-types:*"),
                new SessionDescription.Line('a', "setup:passive"),
                new SessionDescription.Line('a', "chatroom:nickname private-messages com.ag-projects.screen-sharing"));
        return new MediaDescription("message", port, proto, List.of("*"), lines);
    }

    /**
     * {@code answer} with the media line at {@link #index} replaced by {@code accepted} (the audio answerer declines
     * every line it does not handle with port 0).
     */
    SessionDescription into(SessionDescription answer, MediaDescription accepted) {
        List<MediaDescription> media = new ArrayList<>(answer.media());
        media.set(index, accepted);
        return new SessionDescription(answer.sessionLines(), media);
    }
}
