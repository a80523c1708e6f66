package org.sylkserver.media.webrtc;

import java.util.Arrays;
import java.util.List;

import org.sylkserver.media.RtpRelayEndpoint;
import org.sylkserver.media.srtp.SdesCrypto;

/**
 * One media stream of a bridge: an m-line of the browser's bundle and the matching m-line of the SIP leg, with the
 * SIP leg's RTP endpoint and the payload type map between the two (each side receives the numbers it declared).
 *
 * <p>Negotiation state is written by the signalling thread under the bridge's lock; the payload type maps are
 * replaced whole (volatile arrays, never modified once published) and read by the media engine's I/O thread.
 */
final class RelayStream {

    /** {@code audio} or {@code video}. */
    final String kind;
    /** Its a=mid in the browser's bundle (RFC 8843 §7.1). */
    final String mid;
    /** Its m-line index in the browser's SDP, or -1 while it has none. */
    int browserIndex = -1;
    /** Its m-line index in the SIP leg's SDP, or -1 while it has none. */
    int sipIndex = -1;
    /** The SIP leg's endpoint, opened when the stream is first accepted. */
    RtpRelayEndpoint sip;
    /** The SIP leg's RTP port, 0 until the stream is first accepted. */
    int sipPort;
    /** Our SDES keys towards SIP, kept over re-offers; null for plain RTP. */
    SdesCrypto localKey;
    /** The SIP leg's transport protocol ({@code RTP/AVP}, {@code RTP/SAVP} ...). */
    String sipProto = "RTP/AVP";
    /** What the pending offer proposes for this stream on the offering side; empty when the stream is refused. */
    List<PayloadFormat> offered = List.of();
    /** For an offer to the browser: the payload type the browser gets for each SIP payload type of the offer. */
    int[] offeredToBrowser = unmapped();

    /** Browser payload type to SIP payload type, -1 where nothing is relayed. */
    volatile int[] toSip = unmapped();
    /** SIP payload type to browser payload type, -1 where nothing is relayed. */
    volatile int[] toBrowser = unmapped();

    RelayStream(String kind, String mid) {
        this.kind = kind;
        this.mid = mid;
    }

    static int[] unmapped() {
        int[] map = new int[128];
        Arrays.fill(map, -1);
        return map;
    }

    /** Publishes the agreed pairs of {@code browser[i]} and {@code sip[i]} payload types. */
    void map(int[] browser, int[] sip) {
        int[] newToSip = unmapped();
        int[] newToBrowser = unmapped();
        for (int i = 0; i < browser.length; i++) {
            newToSip[browser[i]] = sip[i];
            newToBrowser[sip[i]] = browser[i];
        }
        toSip = newToSip;
        toBrowser = newToBrowser;
    }

    /** Stops relaying (a refused or disabled stream). */
    void unmap() {
        toSip = unmapped();
        toBrowser = unmapped();
    }

    boolean isRelaying() {
        for (int pt : toSip) {
            if (pt >= 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return kind + " mid " + mid;
    }
}
