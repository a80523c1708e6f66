package org.sylkserver.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.sylkserver.media.msrp.ConnectionModel;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.MalformedMsrpException;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * A chat stream of a SIP session (RFC 4975 §8: {@code m=message <port> TCP/MSRP *} or {@code TCP/TLS/MSRP},
 * {@code a=path}, {@code a=accept-types} with CPIM) and its MSRP session: the first answer opens the session, whose
 * requests go to the handler the application makes for the peer's path. Who connects follows the original's table
 * (spec §1.4, RFC 6135): an offer with {@code a=setup:actpass} or {@code passive} is answered {@code active} and we
 * connect to the peer's path; any other offer is answered {@code passive} and the peer connects to ours.
 */
public final class ChatStream implements MediaStream {

    private final MsrpSessions msrp;
    private final String chatroom;
    private final Function<MsrpPeer, MsrpServer.Handler> handlers;
    private volatile MsrpPeer peer;
    private volatile MsrpServer.Handler handler;
    private volatile MsrpUri local;

    /**
     * @param chatroom the {@code a=chatroom} capabilities we announce (a chat room), or null
     * @param handlers makes the handler of the session for the peer of the first answer (not used by a chat we
     *                 {@linkplain #offer offer})
     */
    public ChatStream(MsrpSessions msrp, String chatroom, Function<MsrpPeer, MsrpServer.Handler> handlers) {
        this.msrp = msrp;
        this.chatroom = chatroom;
        this.handlers = handlers;
    }

    /** Whether the first chat line of {@code offer} (a file transfer's line is not one) is one we can take. */
    public static boolean offered(SessionDescription offer, String proto) {
        for (MediaDescription m : offer.media()) {
            if (m.port() != 0 && isChat(m, proto)) {
                return path(m) != null;
            }
        }
        return false;
    }

    private static boolean isChat(MediaDescription m, String proto) {
        return m.media().equals("message") && m.proto().equalsIgnoreCase(proto)
                && m.attributes("file-selector").isEmpty()
                && m.attributes("accept-types").stream().anyMatch(t -> t.contains("message/cpim") || t.contains("*"));
    }

    @Override
    public boolean takes(MediaDescription offered) {
        return isChat(offered, msrp.proto());
    }

    /** Accepts the chat line: our path, CPIM, who connects, our chatroom capabilities; the session opens once. */
    @Override
    public MediaDescription answer(SessionDescription offer, MediaDescription m) throws SdpException {
        List<MsrpUri> path = path(m);
        if (path == null) {
            throw new SdpException("Chat stream without a valid a=path");
        }
        boolean weConnect = weConnect(m);
        if (local == null) {
            peer = new MsrpPeer(path, msrp.toPath(path), weConnect);
            handler = handlers.apply(peer);
            local = msrp.open(handler);
        }
        List<SessionDescription.Line> lines = new ArrayList<>(List.of(
                new SessionDescription.Line('a', "accept-types:message/cpim"),
                new SessionDescription.Line('a', "accept-wrapped-types:*"),
                new SessionDescription.Line('a', weConnect ? "setup:active" : "setup:passive")));
        if (chatroom != null) {
            lines.add(new SessionDescription.Line('a', "chatroom:" + chatroom));
        }
        return msrp.line(local, lines);
    }

    /**
     * Our offer of a chat (a call we place, e.g. the video-room chat bridge, spec §4.7.4): the session opens with
     * {@code handler}, which takes its requests from now on (the peer may connect and bind before its answer reaches
     * us), CPIM only, {@code a=setup:actpass} lets the answer decide who connects (RFC 6135).
     */
    public MediaDescription offer(MsrpServer.Handler handler) {
        if (local == null) {
            this.handler = handler;
            local = msrp.open(handler);
        }
        return msrp.line(local, List.of(
                new SessionDescription.Line('a', "accept-types:message/cpim"),
                new SessionDescription.Line('a', "accept-wrapped-types:*"),
                new SessionDescription.Line('a', "setup:" + ConnectionModel.OFFER.value())));
    }

    /**
     * The answer to our {@link #offer}: the peer, its path and who connects.
     *
     * @throws SdpException the chat was declined, or the answer's line has no valid path or setup
     */
    public MsrpPeer answered(SessionDescription answer) throws SdpException {
        MsrpPeer answering = MsrpPeer.answering(answer, msrp, "chat");
        peer = answering;
        return answering;
    }

    /** The peer of the session, once answered. */
    public MsrpPeer peer() {
        return peer;
    }

    /** The session's handler, once answered. */
    public MsrpServer.Handler handler() {
        return handler;
    }

    /** Our session's URI, once answered. */
    public MsrpUri localUri() {
        return local;
    }

    /** The session is forgotten by the MSRP server; its connection is the handler's to close. */
    @Override
    public void close() {
        MsrpUri opened = local;
        if (opened != null) {
            msrp.close(opened);
        }
    }

    /** Spec §1.4: we connect when the offer says {@code actpass} or {@code passive}. */
    public static boolean weConnect(MediaDescription offered) {
        List<String> setup = offered.attributes("setup");
        String value = setup.isEmpty() ? "" : setup.get(0).strip();
        return value.equals("actpass") || value.equals("passive");
    }

    /** The line's {@code a=path} (RFC 4975 §8.1), first hop first; null when missing or malformed. */
    public static List<MsrpUri> path(MediaDescription m) {
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

    @Override
    public String toString() {
        return "chat " + local;
    }
}
