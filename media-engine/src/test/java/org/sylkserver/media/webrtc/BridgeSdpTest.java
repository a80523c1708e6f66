package org.sylkserver.media.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** The pure SDP pieces of the bridge, on the Chrome SDP of {@link SdpTranslatorTest}. */
class BridgeSdpTest {

    @Test
    void rfc5763_s5_aBrowserOfferNeedsFingerprintIceCredentialsAndLeavesUsTheServer() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpTranslatorTest.CHROME_OFFER);
        assertTrue(BridgeSdp.checkBrowserSdp(offer, true).toString().startsWith("sha-256 3C:4A"));
        SdpException passive = assertThrows(SdpException.class, () -> BridgeSdp.checkBrowserSdp(
                SessionDescription.parse(SdpTranslatorTest.CHROME_OFFER.replace("a=setup:actpass", "a=setup:passive")),
                true));
        assertTrue(passive.getMessage().contains("DTLS client"), passive.getMessage());
        assertThrows(SdpException.class, () -> BridgeSdp.checkBrowserSdp(SessionDescription.parse(
                SdpTranslatorTest.CHROME_OFFER.replaceAll("a=ice-pwd:[^\r]*\r\n", "")), true), "RFC 8839 §5.4");
    }

    @Test
    void rfc4585_onlyNackPliAndFirAreRelayedAndRtxRedFecNotAtAll() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpTranslatorTest.CHROME_OFFER);
        List<PayloadFormat> video = BridgeSdp.relayableFormats(offer.media().get(1));
        assertEquals(1, video.size(), "rtx is left out");
        assertEquals(List.of("ccm fir", "nack", "nack pli"), video.get(0).feedback());
        List<PayloadFormat> audio = BridgeSdp.relayableFormats(offer.media().get(0));
        assertEquals(List.of(111, 9, 0, 8, 110, 126), audio.stream().map(PayloadFormat::payloadType).toList(),
                "red is left out");
        assertEquals(List.of(), audio.get(0).feedback(), "transport-cc needs a header extension the SIP leg lacks");
    }

    @Test
    void rfc8843_theBundleGroupAndMidsAreRead() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpTranslatorTest.CHROME_OFFER);
        assertEquals(Set.of("0", "1"), BridgeSdp.bundleGroup(offer));
        assertEquals("1", BridgeSdp.mid(offer.media().get(1), 7));
    }

    @Test
    void rfc3264_refusedAndDisabledLines() {
        assertEquals("m=video 0 RTP/AVP 0\r\n", BridgeSdp.disabled("video", "RTP/AVP").toString());
        assertTrue(BridgeSdp.receives("recvonly") && BridgeSdp.receives("sendrecv"));
        assertTrue(!BridgeSdp.receives("sendonly") && !BridgeSdp.receives("inactive"));
        assertEquals(List.of("nack", "nack pli", "ccm fir"), BridgeSdp.browserFeedback("video", List.of("nack")),
                "RFC 4585 §4.2, RFC 5104 §7.1: a SIP peer's picture requests are honoured");
    }
}
