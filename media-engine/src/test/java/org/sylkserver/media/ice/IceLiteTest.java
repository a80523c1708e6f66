package org.sylkserver.media.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Our lite agent's answers to connectivity checks (RFC 8445 §7.3). */
class IceLiteTest {

    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 50000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 41000);

    @Test
    void aCheckKeyedWithOurPasswordIsAnsweredAndNominates_rfc8445_s7_3() throws Exception {
        IceLite ice = new IceLite();
        AtomicReference<byte[]> reply = new AtomicReference<>();
        byte[] request = ConnectivityCheck.request(ice.ufrag(), ice.password(), true);
        assertEquals(IceLite.Outcome.NOMINATED, ice.check(request, PEER, LOCAL, reply::set));
        assertEquals(PEER, ConnectivityCheck.mapped(request, reply.get()));
        assertEquals(PEER, ice.selected());
    }
}
