package org.sylkserver.media.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.sdp.SdpException;

/** The DTLS role from the setup attribute (RFC 4145 §4, RFC 5763 §5, RFC 8842 §5.3; XEP-0320 §1 for Jingle). */
class DtlsRoleTest {

    /**
     * RFC 8842 §5.3: the answerer to actpass chooses active or passive; we choose passive (the server), and say so;
     * to an offerer's active we are passive, to its passive active (the client).
     */
    @Test
    void asAnswererWeArePassiveUnlessTheOffererIs_rfc8842_s5_3() throws Exception {
        assertEquals(DtlsRole.SERVER, DtlsRole.answering("actpass"));
        assertEquals("passive", DtlsRole.answering("actpass").setup());
        assertEquals(DtlsRole.SERVER, DtlsRole.answering("active"));
        assertEquals(DtlsRole.CLIENT, DtlsRole.answering("passive"));
        assertEquals("active", DtlsRole.answering("passive").setup());
        assertEquals(DtlsRole.SERVER, DtlsRole.answering(" ACTPASS "));
    }

    /** XEP-0320 §1: holdconn is not mapped for DTLS-SRTP; anything else is no role at all. */
    @Test
    void holdconnAndUnknownRolesAreRefused_xep0320_s1() {
        assertThrows(SdpException.class, () -> DtlsRole.answering("holdconn"));
        assertThrows(SdpException.class, () -> DtlsRole.answering("both"));
        assertThrows(SdpException.class, () -> DtlsRole.answering(null));
    }

    /**
     * RFC 8842 §5.3: our actpass offer answered active makes us the server, passive the client; an answer must not
     * say actpass.
     */
    @Test
    void asOffererOfActpassTheAnswerDecides_rfc8842_s5_3() throws Exception {
        assertEquals(DtlsRole.SERVER, DtlsRole.offering("active"));
        assertEquals(DtlsRole.CLIENT, DtlsRole.offering("passive"));
        assertThrows(SdpException.class, () -> DtlsRole.offering("actpass"));
        assertThrows(SdpException.class, () -> DtlsRole.offering("holdconn"));
    }
}
