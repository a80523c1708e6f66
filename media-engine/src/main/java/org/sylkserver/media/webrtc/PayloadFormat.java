package org.sylkserver.media.webrtc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * One payload type of an RTP media line with what describes it: {@code a=rtpmap} (or the static assignment),
 * {@code a=fmtp} and {@code a=rtcp-fb} (RFC 4585 §4.2, the {@code *} wildcard included).
 *
 * @param payloadType 0-127
 * @param map         encoding, clock rate, channels
 * @param fmtp        the format parameters, or null
 * @param feedback    the rtcp-fb values for this payload type, without the payload type
 */
public record PayloadFormat(int payloadType, RtpMap map, String fmtp, List<String> feedback) {

    /**
     * Encodings that only make sense between the two ends that negotiated them and are not relayed: RFC 4588
     * retransmission (its {@code apt} points at a payload type of the other leg), RFC 2198 redundancy and RFC 5109 /
     * 8627 FEC, which wrap other payload types.
     */
    private static final Set<String> NOT_RELAYED = Set.of("rtx", "red", "ulpfec", "flexfec-03");

    /** The formats of {@code m} in the order of its m= line; formats without a known encoding are skipped. */
    public static List<PayloadFormat> of(MediaDescription m) {
        List<PayloadFormat> formats = new ArrayList<>();
        for (String format : m.formats()) {
            RtpMap map = m.rtpMap(format);
            int payloadType = payloadType(format);
            if (map == null || payloadType < 0) {
                continue;
            }
            String fmtp = null;
            for (String value : m.attributes("fmtp")) {
                if (value.startsWith(format + " ")) {
                    fmtp = value.substring(format.length() + 1).trim();
                }
            }
            List<String> feedback = new ArrayList<>();
            for (String value : m.attributes("rtcp-fb")) {
                if (value.startsWith(format + " ") || value.startsWith("* ")) {
                    feedback.add(value.substring(value.indexOf(' ') + 1).trim());
                }
            }
            formats.add(new PayloadFormat(payloadType, map, fmtp, List.copyOf(feedback)));
        }
        return formats;
    }

    private static int payloadType(String format) {
        try {
            int value = Integer.parseInt(format);
            return value >= 0 && value <= 127 ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether packets of this format can be relayed as they are (see {@link #NOT_RELAYED}). */
    public boolean relayable() {
        return !NOT_RELAYED.contains(map.name());
    }

    /**
     * Whether {@code other} is the same codec configuration, so that packets of one can be sent as the other by
     * rewriting the payload type: same encoding, clock rate and channels, and for H.264 the same packetization mode
     * and profile (RFC 6184 §8.1; a stream of one mode is not valid in the other).
     */
    boolean sameCodec(PayloadFormat other) {
        if (!map.name().equals(other.map.name()) || map.clockRate() != other.map.clockRate()
                || !channels().equals(other.channels())) {
            return false;
        }
        if (map.name().equals("h264")) {
            return parameter("packetization-mode", "0").equals(other.parameter("packetization-mode", "0"))
                    && profile().equals(other.profile());
        }
        return true;
    }

    /** The first {@code format} of {@code candidates} with the same codec, preferring the same payload type. */
    PayloadFormat matchIn(List<PayloadFormat> candidates) {
        PayloadFormat found = null;
        for (PayloadFormat candidate : candidates) {
            if (sameCodec(candidate)) {
                if (candidate.payloadType == payloadType) {
                    return candidate;
                }
                if (found == null) {
                    found = candidate;
                }
            }
        }
        return found;
    }

    private String channels() {
        return map.parameters().isEmpty() ? "1" : map.parameters();
    }

    /** profile_idc and profile-iop of an H.264 profile-level-id (the level may differ between offer and answer). */
    private String profile() {
        String id = parameter("profile-level-id", "42000a");
        return id.length() >= 4 ? id.substring(0, 4).toLowerCase(Locale.ROOT) : id;
    }

    /** The value of fmtp parameter {@code name}, or {@code otherwise}. */
    public String parameter(String name, String otherwise) {
        if (fmtp != null) {
            for (String pair : fmtp.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).trim().equalsIgnoreCase(name)) {
                    return pair.substring(equals + 1).trim();
                }
            }
        }
        return otherwise;
    }

    /** The same format under another payload type and format parameters, with only the given feedback. */
    public PayloadFormat as(int newPayloadType, String newFmtp, List<String> newFeedback) {
        return new PayloadFormat(newPayloadType, map, newFmtp, newFeedback);
    }

    /** This format with only the feedback messages a relay passes end to end (NACK, PLI, FIR). */
    public PayloadFormat withRelayedFeedback() {
        return as(payloadType, fmtp, BridgeSdp.relayedFeedback(feedback));
    }

    /** The {@code a=rtpmap}, {@code a=fmtp} and {@code a=rtcp-fb} lines of this format (RFC 4566 §6, RFC 4585 §4.2). */
    public List<SessionDescription.Line> sdpLines() {
        List<SessionDescription.Line> lines = new ArrayList<>();
        lines.add(new SessionDescription.Line('a', "rtpmap:" + rtpmap()));
        if (fmtp != null) {
            lines.add(new SessionDescription.Line('a', "fmtp:" + payloadType + " " + fmtp));
        }
        for (String value : feedback) {
            lines.add(new SessionDescription.Line('a', "rtcp-fb:" + payloadType + " " + value));
        }
        return lines;
    }

    /** The {@code a=rtpmap} value for this format under its payload type. */
    public String rtpmap() {
        return payloadType + " " + map.encoding() + "/" + map.clockRate()
                + (map.parameters().isEmpty() ? "" : "/" + map.parameters());
    }
}
