package org.sylkserver.core.session;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sylkserver.protocols.msrp.MalformedMsrpException;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.MsrpUri;

/** An MSRP server that only records the sessions the streams open and close. */
final class FakeMsrpSessions implements MsrpSessions {

    final Map<MsrpUri, MsrpServer.Handler> open = new LinkedHashMap<>();
    final List<MsrpUri> closed = new ArrayList<>();
    private int next;

    @Override
    public String proto() {
        return "TCP/TLS/MSRP";
    }

    @Override
    public int port() {
        return 2855;
    }

    @Override
    public MsrpUri open(MsrpServer.Handler handler) {
        try {
            MsrpUri uri = MsrpUri.parse("msrps://127.0.0.1:2855/s" + (++next) + ";tcp");
            open.put(uri, handler);
            return uri;
        } catch (MalformedMsrpException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close(MsrpUri local) {
        open.remove(local);
        closed.add(local);
    }

    @Override
    public String path(MsrpUri local) {
        return local.toString();
    }

    @Override
    public List<MsrpUri> toPath(List<MsrpUri> remotePath) {
        return remotePath;
    }
}
