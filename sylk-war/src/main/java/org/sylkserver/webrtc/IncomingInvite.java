package org.sylkserver.webrtc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import org.sylkserver.webrtc.api.SipIdentity;

/**
 * An initial INVITE for an account, as the sylkRTC side needs it (spec §4.5.4).
 *
 * @param callId  its Call-ID
 * @param caller  the From AOR (without scheme) and display name
 * @param sdp     the SDP offer
 * @param headers every header of the INVITE by name (the first value of each), filtered per account by its
 *                {@code incoming_header_prefixes}
 */
public record IncomingInvite(String callId, SipIdentity caller, String sdp, Map<String, String> headers) {

    /** spec §4.5.4: the session id of an incoming call is the MD5 of its Call-ID, formatted as a UUID. */
    public String sessionId() {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(callId.getBytes(StandardCharsets.UTF_8)));
            return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                    + hex.substring(16, 20) + "-" + hex.substring(20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
    }
}
