package org.sylkserver.core.session;

import java.util.ArrayList;
import java.util.List;

import org.sylkserver.media.msrp.ConnectionModel;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * A file-transfer stream of a SIP session (RFC 5547 §6: an MSRP {@code m=message} line with {@code a=file-selector})
 * and its MSRP session, whose requests go to the application's handler (an upload it stores, a file it sends). The
 * offer's direction says who sends: {@code sendonly} from the offerer pushes a file to us (§8.2), {@code recvonly}
 * asks us for one (§8.3); the answer mirrors it. Who connects follows {@link ChatStream#weConnect}.
 */
public final class FileTransferStream implements MediaStream {

    private final MsrpSessions msrp;
    private final MsrpServer.Handler handler;
    private final String selector;
    private volatile MsrpUri local;

    /**
     * @param handler  receives the session's requests
     * @param selector the {@code a=file-selector} of the file as we know it (RFC 5547 §5)
     */
    public FileTransferStream(MsrpSessions msrp, MsrpServer.Handler handler, String selector) {
        this.msrp = msrp;
        this.handler = handler;
        this.selector = selector;
    }

    @Override
    public boolean takes(MediaDescription offered) {
        return offered.media().equals("message") && !offered.attributes("file-selector").isEmpty();
    }

    /** The accepted line: our path, the mirrored direction, the selector as we know the file; the session opens. */
    @Override
    public MediaDescription answer(SessionDescription offer, MediaDescription m) {
        if (local == null) {
            local = msrp.open(handler);
        }
        List<SessionDescription.Line> lines = new ArrayList<>(List.of(
                new SessionDescription.Line('a', "accept-types:*"),
                new SessionDescription.Line('a', ChatStream.weConnect(m) ? "setup:active" : "setup:passive"),
                new SessionDescription.Line('a', m.has("recvonly") ? "sendonly" : "recvonly"),
                new SessionDescription.Line('a', "file-selector:" + selector)));
        List<String> ids = m.attributes("file-transfer-id");
        if (!ids.isEmpty()) {
            lines.add(new SessionDescription.Line('a', "file-transfer-id:" + ids.get(0).trim()));
        }
        return msrp.line(local, lines);
    }

    /**
     * Our offer of a file (RFC 5547 §8.2, a push): the session opens, {@code a=setup:actpass} lets the answer decide
     * who connects (RFC 6135).
     */
    public MediaDescription offer() {
        if (local == null) {
            local = msrp.open(handler);
        }
        return msrp.line(local, List.of(
                new SessionDescription.Line('a', "accept-types:*"),
                new SessionDescription.Line('a', "setup:" + ConnectionModel.OFFER.value()),
                new SessionDescription.Line('a', "sendonly"),
                new SessionDescription.Line('a', "file-selector:" + selector)));
    }

    /**
     * The peer's answer to our {@link #offer}: its path, and whether we connect (RFC 6135: our {@code actpass} lets
     * its {@code a=setup} decide).
     *
     * @throws SdpException it declined the file, or its line has no valid path or setup
     */
    public MsrpPeer answered(SessionDescription answer) throws SdpException {
        return MsrpPeer.answering(answer, msrp, "file");
    }

    /** Our session's URI, once answered or offered. */
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

    @Override
    public String toString() {
        return "file transfer " + local;
    }
}
