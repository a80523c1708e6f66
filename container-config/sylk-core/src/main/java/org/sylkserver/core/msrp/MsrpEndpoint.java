package org.sylkserver.core.msrp;

import java.io.IOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;

import javax.net.ssl.SSLContext;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.media.msrp.MsrpServer;

/**
 * An application's own MSRP listener, reached directly (no relay), as the server's {@code [MSRP]} options say: TLS
 * unless {@code use_tls} is off (a conference takes chat streams of its own transport only), the {@code [MSRP]}
 * connection limits, {@code trace_msrp}; on an ephemeral port of {@code address}. The webrtcgateway's file transfers
 * and room chat bridges and the XMPP gateway's MSRP sessions each have one.
 */
public final class MsrpEndpoint implements AutoCloseable {

    private final MsrpServer server;
    private final MsrpRoute route;

    private MsrpEndpoint(MsrpServer server, MsrpRoute route) {
        this.server = server;
        this.route = route;
    }

    public static MsrpEndpoint start(ServerConfig config, InetAddress address)
            throws IOException, GeneralSecurityException, ConfigException {
        SSLContext tls = config.msrp().useTls() ? MsrpTls.context(config) : null;
        MsrpServer server = new MsrpServer(address, 0, tls, config.msrp().limits());
        if (config.server().traceMsrp()) {
            server.trace(MsrpTrace.to(config.server().traceDir().resolve("msrp_trace.log")));
        }
        return new MsrpEndpoint(server, new MsrpRoute(server, null, tls != null ? "TCP/TLS/MSRP" : "TCP/MSRP"));
    }

    /** Where the endpoint's sessions listen and how they connect. */
    public MsrpRoute route() {
        return route;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
