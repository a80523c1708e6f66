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

    /**
     * RFC 8445 §7.3 makes every valid check's source an address media may come from; a peer that knows our password
     * (or anyone who read it off the signalling) can check from any number of addresses. We keep the
     * {@value IceLite#MAX_CHECKED} most recently checked, and never drop the nominated one.
     */
    @Test
    void checkedAddressesAreBoundedAndTheSelectedOneIsKept() throws Exception {
        IceLite ice = new IceLite();
        assertEquals(IceLite.Outcome.NOMINATED,
                ice.check(ConnectivityCheck.request(ice.ufrag(), ice.password(), true), PEER, LOCAL, reply -> { }));
        int count = 5 * IceLite.MAX_CHECKED;
        for (int i = 0; i < count; i++) {
            InetSocketAddress from = new InetSocketAddress("127.0.0.2", 40000 + i);
            assertEquals(IceLite.Outcome.CHECKED, ice.check(ConnectivityCheck.request(ice.ufrag(), ice.password(),
                    false), from, LOCAL, reply -> { }));
            assertTrue(ice.isChecked(from), "the newest check's source is accepted");
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (ice.isChecked(new InetSocketAddress("127.0.0.2", 40000 + i))) {
                kept++;
                assertTrue(i >= count - IceLite.MAX_CHECKED, "the least recently checked go first: " + i);
            }
        }
        assertEquals(IceLite.MAX_CHECKED - 1, kept, "the selected address takes one of the places");
        assertTrue(ice.isChecked(PEER), "the nominated address stays");
        assertEquals(PEER, ice.selected());
        assertEquals(PEER, ice.target());

        // a check again from an old address makes it the newest: the next one evicted is another
        InetSocketAddress again = new InetSocketAddress("127.0.0.2", 40000 + count - IceLite.MAX_CHECKED + 1);
        ice.check(ConnectivityCheck.request(ice.ufrag(), ice.password(), false), again, LOCAL, reply -> { });
        ice.check(ConnectivityCheck.request(ice.ufrag(), ice.password(), false),
                new InetSocketAddress("127.0.0.3", 40000), LOCAL, reply -> { });
        assertTrue(ice.isChecked(again));
        assertTrue(ice.isChecked(PEER));
    }
}
