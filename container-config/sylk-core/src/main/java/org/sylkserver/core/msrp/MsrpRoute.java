package org.sylkserver.core.msrp;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

import org.sylkserver.core.session.MsrpSessions;
import org.sylkserver.media.msrp.MsrpRelayClient;
import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * How the room's MSRP sessions reach participants: directly from the conference's {@link MsrpServer}, or through
 * the operator's relay (RFC 4976) when {@code msrp_relay} is set — then our SDP paths start with the relay's
 * Use-Path, requests to a participant go along it on the authenticated relay connection, and the participants'
 * requests come back on that connection.
 */
public final class MsrpRoute implements MsrpSessions {

    private final MsrpServer server;
    private final MsrpRelayClient relay;
    private final String proto;

    /**
     * @param relay the authenticated relay, or null to be reached directly
     * @param proto the transport of our SDP lines, {@code TCP/TLS/MSRP} when the server uses TLS
     */
    public MsrpRoute(MsrpServer server, MsrpRelayClient relay, String proto) {
        this.server = server;
        this.relay = relay;
        this.proto = proto;
    }

    @Override
    public String proto() {
        return proto;
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public MsrpUri open(MsrpServer.Handler handler) {
        return server.open(handler);
    }

    @Override
    public void close(MsrpUri local) {
        server.close(local);
    }

    @Override
    public String path(MsrpUri local) {
        List<MsrpUri> path = relay == null ? List.of(local) : relay.localPath(local);
        return path.stream().map(MsrpUri::toString).collect(Collectors.joining(" "));
    }

    @Override
    public List<MsrpUri> toPath(List<MsrpUri> remotePath) {
        return relay == null ? remotePath : relay.toPath(remotePath);
    }

    /** The active side (RFC 6135): binds session {@code local} to the participant, directly or via the relay. */
    public MsrpConnection connect(MsrpUri local, List<MsrpUri> remotePath) throws IOException {
        return relay == null ? server.connect(local, remotePath) : relay.connect(local, remotePath);
    }

    /** The relay, if any, is left. */
    public void close() {
        if (relay != null) {
            relay.close();
        }
    }
}
