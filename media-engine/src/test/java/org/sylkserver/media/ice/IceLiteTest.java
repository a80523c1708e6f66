package org.sylkserver.media.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * RFC 8445 §8.1.1 with §7.3.1.4: as the controlling side towards a full peer (the responder to our Jingle offer),
     * the peer's passed check triggers our nominating check on that pair (USE-CANDIDATE, ICE-CONTROLLING, keyed with
     * the peer's password); a response keyed otherwise is dropped, the peer's success response nominates the pair,
     * and no further nomination is sent.
     */
    @Test
    void asTheControllingSideThePeersCheckedPairIsNominated_rfc8445_s8_1_1() throws Exception {
        IceLite ice = new IceLite();
        assertNull(ice.nomination(PEER), "a lite agent does not nominate unless asked to");
        ice.controlling("peerfrag", "peerpasswordpeerpassword");
        byte[] check = ConnectivityCheck.request(ice.ufrag(), ice.password(), false);
        assertEquals(IceLite.Outcome.CHECKED, ice.check(check, PEER, LOCAL, reply -> { }));
        assertNull(ice.selected());

        byte[] nomination = ice.nomination(PEER);
        assertTrue(ConnectivityCheck.isNomination(nomination, ice.ufrag(), "peerfrag", "peerpasswordpeerpassword"));
        assertFalse(ConnectivityCheck.isNomination(nomination, ice.ufrag(), "peerfrag", "another-password-entirely"));
        byte[] forged = ConnectivityCheck.answer(nomination, LOCAL, "peerfrag", "another-password-entirely");
        assertEquals(IceLite.Outcome.DROPPED, ice.check(forged, PEER, LOCAL, reply -> { }));

        byte[] again = ice.nomination(PEER);
        byte[] success = ConnectivityCheck.answer(again, LOCAL, "peerfrag", "peerpasswordpeerpassword");
        assertEquals(IceLite.Outcome.DROPPED, ice.check(success, new InetSocketAddress("127.0.0.1", 50002), LOCAL,
                reply -> { }), "RFC 8445 §7.2.5.2.1: a response from elsewhere than the check went");
        byte[] third = ice.nomination(PEER);
        assertEquals(IceLite.Outcome.NOMINATED, ice.check(ConnectivityCheck.answer(third, LOCAL, "peerfrag",
                "peerpasswordpeerpassword"), PEER, LOCAL, reply -> { }));
        assertEquals(PEER, ice.selected());
        assertNull(ice.nomination(PEER), "nominated: no more");
    }
}
