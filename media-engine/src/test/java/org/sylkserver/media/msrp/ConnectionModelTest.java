package org.sylkserver.media.msrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sylkserver.media.msrp.ConnectionModel.Role.CONNECT;
import static org.sylkserver.media.msrp.ConnectionModel.Role.HOLD;
import static org.sylkserver.media.msrp.ConnectionModel.Role.LISTEN;
import static org.sylkserver.media.msrp.ConnectionModel.Role.REUSE;
import static org.sylkserver.media.msrp.ConnectionModel.Setup.ACTIVE;
import static org.sylkserver.media.msrp.ConnectionModel.Setup.ACTPASS;
import static org.sylkserver.media.msrp.ConnectionModel.Setup.HOLDCONN;
import static org.sylkserver.media.msrp.ConnectionModel.Setup.PASSIVE;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.msrp.ConnectionModel.Reuse;
import org.sylkserver.media.msrp.ConnectionModel.Setup;

/** Who connects: RFC 6135 §4 (a=setup per RFC 4145 §4.1, a=connection per §5), RFC 4975 §5.4 without them. */
class ConnectionModelTest {

    /** RFC 4975 §5.4: without a=setup the offerer connects. */
    @Test
    void withoutSetupTheOffererConnects_rfc4975_s5_4() {
        assertEquals(PASSIVE, ConnectionModel.answer(null), "we answer an RFC 4975 offerer as the listener");
        assertEquals(LISTEN, ConnectionModel.role(false, null, ConnectionModel.answer(null), null, false));
        assertEquals(CONNECT, ConnectionModel.role(true, ACTPASS, null, null, false),
                "an answerer that ignores a=setup waits for us");
        assertEquals(CONNECT, ConnectionModel.role(true, null, null, null, false));
    }

    /** RFC 6135 §4 with RFC 4145 §4.1: an actpass or passive offer is answered active, and we connect. */
    @Test
    void weConnectWhenTheOffererIsActpassOrPassive_rfc6135_s4() {
        for (Setup offer : new Setup[] {ACTPASS, PASSIVE}) {
            Setup answer = ConnectionModel.answer(offer);
            assertEquals(ACTIVE, answer);
            assertEquals(CONNECT, ConnectionModel.role(false, offer, answer, null, false), offer.value());
        }
    }

    @Test
    void weListenWhenTheOffererIsActive_rfc6135_s4() {
        assertEquals(PASSIVE, ConnectionModel.answer(ACTIVE));
        assertEquals(LISTEN, ConnectionModel.role(false, ACTIVE, PASSIVE, null, false));
    }

    /** Our offers are actpass (spec §1.4 acm); the answer decides. */
    @Test
    void ourActpassOfferFollowsTheAnswer_rfc6135_s4() {
        assertEquals(ACTPASS, ConnectionModel.OFFER);
        assertEquals(LISTEN, ConnectionModel.role(true, ACTPASS, ACTIVE, null, false));
        assertEquals(CONNECT, ConnectionModel.role(true, ACTPASS, PASSIVE, null, false));
    }

    /** RFC 4145 §4: holdconn postpones the connection. */
    @Test
    void holdconnConnectsNobody_rfc4145_s4() {
        assertEquals(HOLDCONN, ConnectionModel.answer(HOLDCONN));
        assertEquals(HOLD, ConnectionModel.role(false, HOLDCONN, HOLDCONN, null, false));
        assertEquals(HOLD, ConnectionModel.role(true, ACTPASS, HOLDCONN, null, false));
    }

    /** RFC 4145 §5: existing keeps a connection that is there; without one it is a new connection. */
    @Test
    void existingReusesTheConnection_rfc4145_s5() {
        assertEquals(REUSE, ConnectionModel.role(true, ACTPASS, PASSIVE, Reuse.EXISTING, true));
        assertEquals(CONNECT, ConnectionModel.role(true, ACTPASS, PASSIVE, Reuse.EXISTING, false));
        assertEquals(CONNECT, ConnectionModel.role(true, ACTPASS, PASSIVE, Reuse.NEW, true));
        assertEquals(Reuse.EXISTING, Reuse.parse("existing"));
    }

    /** RFC 4145 §4.1: answers that contradict the offer, and unknown values, are refused with a clear message. */
    @Test
    void invalidValuesAreRefused_rfc4145_s4_1() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionModel.role(true, ACTPASS, ACTPASS,
                null, false)).getMessage().contains("only in offers"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionModel.role(false, ACTIVE, ACTIVE, null, false));
        assertThrows(IllegalArgumentException.class, () -> ConnectionModel.role(false, PASSIVE, PASSIVE, null, false));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Setup.parse("sometimes")).getMessage()
                .contains("'sometimes'"));
        assertThrows(IllegalArgumentException.class, () -> Reuse.parse(null));
        assertEquals(ACTPASS, Setup.parse("actpass"));
    }
}
