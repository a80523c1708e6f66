package org.sylkserver.media.sdp;

import java.net.InetAddress;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * Fuzzing target (docs/fuzzing.md): any SIP body offered as SDP is either parsed and answered, or refused with
 * {@link SdpException} (the 488 of RFC 3264 §6); nothing else may escape, since the servlets turn only that
 * exception into a response.
 */
class SdpFuzzTest {

    private static final List<String> CODECS = List.of("opus", "G722", "speex", "PCMU", "PCMA", "iLBC", "GSM");
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

    @FuzzTest(maxDuration = "10m")
    void offerIsAnsweredOrRefused(byte[] body) {
        SessionDescription offer;
        try {
            offer = SessionDescription.parse(body);
        } catch (SdpException refused) {
            return;
        }
        offer.toBytes();
        for (MediaDescription m : offer.media()) {
            offer.direction(m);
            offer.connection(m);
        }
        for (String policy : List.of("disabled", "sdes", "opportunistic")) {
            try {
                new AudioAnswerer(CODECS, policy).answer(offer, new AudioAnswerer.Origin(), LOCAL, 40000).sdp().toBytes();
            } catch (SdpException refused) {
                // no acceptable stream: 488
            }
        }
    }
}
