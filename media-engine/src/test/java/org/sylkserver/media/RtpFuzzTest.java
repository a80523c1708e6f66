package org.sylkserver.media;

import java.nio.ByteBuffer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.sylkserver.media.dtmf.DtmfReceiver;
import org.sylkserver.media.dtmf.MalformedTelephoneEventException;
import org.sylkserver.media.rtcp.RtcpCompound;

/**
 * Fuzzing targets (docs/fuzzing.md) for what arrives on an RTP port from anyone: the RTP header check of RFC 3550
 * Appendix A.1 returns null for what is not RTP, the RTCP checks (Appendix A.2, RFC 5761 §4) answer false, and a
 * telephone-event stream (RFC 4733 §2.3) is followed or its bad payloads refused with
 * {@link MalformedTelephoneEventException}; none of them throws anything else, which would end the media task.
 */
class RtpFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void datagramIsRtpRtcpOrDropped(byte[] datagram) {
        ByteBuffer packet = ByteBuffer.wrap(datagram);
        if (RtcpCompound.isRtcpType(packet)) {
            if (RtcpCompound.isValid(packet)) {
                RtcpCompound.parse(packet);
            }
            return;
        }
        RtpHeader.parse(packet);
    }

    /** A telephone-event stream: each packet's header fields and payload come from the input. */
    @FuzzTest(maxDuration = "10m")
    void telephoneEventsAreFollowedOrRefused(FuzzedDataProvider data) {
        DtmfReceiver receiver = new DtmfReceiver(data.pickValue(new int[] {8000, 16000, 48000}), event -> { });
        while (data.remainingBytes() > 0) {
            int sequence = data.consumeInt(0, 0xffff);
            long timestamp = data.consumeLong(0, 0xffffffffL);
            boolean marker = data.consumeBoolean();
            ByteBuffer payload = ByteBuffer.wrap(data.consumeBytes(data.consumeInt(0, 24)));
            try {
                receiver.receive(sequence, timestamp, marker, payload);
            } catch (MalformedTelephoneEventException refused) {
                // dropped, the receiver's state unchanged
            }
        }
        receiver.flush();
    }
}
