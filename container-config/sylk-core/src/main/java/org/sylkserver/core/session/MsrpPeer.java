package org.sylkserver.core.session;

import java.util.List;

import org.sylkserver.media.msrp.ConnectionModel;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The other side of an MSRP stream as its SDP gave it.
 *
 * @param path      its {@code a=path} (RFC 4975 §8.1), first hop first
 * @param toPath    the To-Path of our requests to it (through the relay's Use-Path when there is one, RFC 4976)
 * @param weConnect we open the connection (RFC 6135 active role)
 */
public record MsrpPeer(List<MsrpUri> path, List<MsrpUri> toPath, boolean weConnect) {

    /**
     * The peer that answered our offer of one MSRP stream ({@code a=setup:}{@link ConnectionModel#OFFER actpass}):
     * the answer's MSRP line gives its path, and its {@code a=setup} decides who connects (RFC 6135).
     *
     * @param stream what the stream is, for the error messages ({@code chat}, {@code file})
     * @throws SdpException it declined the stream, or its line has no valid path or setup
     */
    static MsrpPeer answering(SessionDescription answer, MsrpSessions msrp, String stream) throws SdpException {
        MediaDescription answered = answer.media().stream().filter(m -> m.media().equals("message") && m.port() != 0)
                .findFirst().orElseThrow(() -> new SdpException("the " + stream + " stream was declined"));
        List<MsrpUri> path = ChatStream.path(answered);
        if (path == null) {
            throw new SdpException("the answer's " + stream + " stream has no valid a=path");
        }
        List<String> setup = answered.attributes("setup");
        try {
            ConnectionModel.Role role = ConnectionModel.role(true, ConnectionModel.OFFER,
                    setup.isEmpty() ? null : ConnectionModel.Setup.parse(setup.get(0).trim()), null, false);
            return new MsrpPeer(path, msrp.toPath(path), role == ConnectionModel.Role.CONNECT);
        } catch (IllegalArgumentException e) {
            throw new SdpException("the answer's " + stream + " stream: " + e.getMessage());
        }
    }
}
