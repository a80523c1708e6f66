package org.sylkserver.conference;

import java.util.ArrayList;
import java.util.List;

import org.sylkserver.protocols.msrp.MalformedMsrpException;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The chat stream of an offer (RFC 4975 §8: {@code m=message <port> TCP/MSRP *} or {@code TCP/TLS/MSRP},
 * {@code a=path}, {@code a=accept-types}) and the line that accepts it, with the {@code chatroom} capabilities the
 * original advertises (spec §3.4). Who connects follows the original's table (spec §1.4, RFC 6135): an offer with
 * {@code a=setup:actpass} or {@code passive} is answered {@code active} and the room connects to the participant's
 * path; any other offer is answered {@code passive} and the participant connects to ours.
 *
 * @param index      position of the stream among the offer's media lines
 * @param remotePath the participant's {@code a=path}, first hop first
 * @param weConnect  the room opens the connection
 */
record ChatMedia(int index, List<MsrpUri> remotePath, boolean weConnect) {

    /** The first acceptable chat stream of {@code offer} over {@code proto}, or null. */
    static ChatMedia find(SessionDescription offer, String proto) {
        List<MediaDescription> media = offer.media();
        for (int i = 0; i < media.size(); i++) {
            MediaDescription m = media.get(i);
            if (!m.media().equals("message") || m.port() == 0 || !m.proto().equalsIgnoreCase(proto)
                    || !m.attributes("file-selector").isEmpty()) {
                continue;
            }
            List<String> types = m.attributes("accept-types");
            boolean cpim = types.stream().anyMatch(t -> t.contains("message/cpim") || t.contains("*"));
            if (!cpim) {
                continue;
            }
            List<MsrpUri> path = path(m);
            return path == null ? null : new ChatMedia(i, path, weConnect(m));
        }
        return null;
    }

    /** Spec §1.4: the room connects when the offer says {@code actpass} or {@code passive}. */
    static boolean weConnect(MediaDescription offered) {
        List<String> setup = offered.attributes("setup");
        String value = setup.isEmpty() ? "" : setup.get(0).strip();
        return value.equals("actpass") || value.equals("passive");
    }

    /** The stream's {@code a=path} (RFC 4975 §8.1), first hop first; null when missing or malformed. */
    static List<MsrpUri> path(MediaDescription m) {
        List<String> paths = m.attributes("path");
        if (paths.isEmpty()) {
            return null;
        }
        try {
            List<MsrpUri> path = new ArrayList<>();
            for (String uri : paths.get(0).trim().split("\\s+")) {
                path.add(MsrpUri.parse(uri));
            }
            return List.copyOf(path);
        } catch (MalformedMsrpException e) {
            return null;
        }
    }

    /** The accepted chat line for the answer: our path, CPIM, who connects, the chatroom capabilities. */
    MediaDescription answer(String path, int port, String proto) {
        List<SessionDescription.Line> lines = List.of(
                new SessionDescription.Line('a', "path:" + path),
                new SessionDescription.Line('a', "accept-types:message/cpim"),
                new SessionDescription.Line('a', "accept-wrapped-types:*"),
                new SessionDescription.Line('a', weConnect ? "setup:active" : "setup:passive"),
                new SessionDescription.Line('a', "chatroom:nickname private-messages com.ag-projects.screen-sharing"
                        + " com.ag-projects.zrtp-sas"));
        return new MediaDescription("message", port, proto, List.of("*"), lines);
    }

    /**
     * {@code answer} with the media line at {@link #index} replaced by {@code accepted} (the audio answerer declines
     * every line it does not handle with port 0).
     */
    SessionDescription into(SessionDescription answer, MediaDescription accepted) {
        return into(answer, index, accepted);
    }

    /** {@code answer} with the media line at {@code index} replaced by {@code accepted}. */
    static SessionDescription into(SessionDescription answer, int index, MediaDescription accepted) {
        List<MediaDescription> media = new ArrayList<>(answer.media());
        media.set(index, accepted);
        return new SessionDescription(answer.sessionLines(), media);
    }
}
