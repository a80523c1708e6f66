package org.sylkserver.media.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code [RTP] srtp_encryption} (spec §1.3) as an enum: the names of the configuration, and what each allows. */
class SrtpPolicyTest {

    @Test
    void theConfigurationNamesAreReadInAnyCase() {
        assertEquals(SrtpPolicy.OPPORTUNISTIC, SrtpPolicy.of("opportunistic"));
        assertEquals(SrtpPolicy.ZRTP, SrtpPolicy.of(" ZRTP "));
        assertEquals("sdes", SrtpPolicy.SDES.configName());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> SrtpPolicy.of("dtls"));
        assertEquals("srtp_encryption must be one of [disabled, sdes, zrtp, opportunistic], not 'dtls'",
                wrong.getMessage());
    }

    @Test
    void rfc4568_whatEachPolicyAccepts() {
        assertFalse(SrtpPolicy.DISABLED.acceptsSrtp());
        assertTrue(SrtpPolicy.ZRTP.acceptsSrtp());
        assertTrue(SrtpPolicy.OPPORTUNISTIC.keysPlainStreams(), "best-effort SRTP on RTP/AVP with a=crypto");
        assertTrue(SrtpPolicy.SDES.keysPlainStreams(), "SDES optional (spec §1.3) answers a key on RTP/AVP too");
        assertFalse(SrtpPolicy.ZRTP.keysPlainStreams());
        assertTrue(SrtpPolicy.ZRTP.negotiatesZrtp() && !SrtpPolicy.OPPORTUNISTIC.negotiatesZrtp());
    }

    /** Spec §1.3: {@code sdes} is "SDES optional", as {@code opportunistic}: our offers carry a key on RTP/AVP. */
    @Test
    void rfc4568_whichPoliciesOfferAKey() {
        assertTrue(SrtpPolicy.SDES.offersSdes());
        assertTrue(SrtpPolicy.OPPORTUNISTIC.offersSdes());
        assertFalse(SrtpPolicy.ZRTP.offersSdes());
        assertFalse(SrtpPolicy.DISABLED.offersSdes());
    }
}
