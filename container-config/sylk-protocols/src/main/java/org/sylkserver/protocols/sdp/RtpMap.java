package org.sylkserver.protocols.sdp;

import java.util.Locale;
import java.util.Map;

/**
 * What a payload type of an RTP media line stands for: its {@code a=rtpmap} (RFC 4566 §6), or the static
 * assignment of RFC 3551 §6 when the offer has no rtpmap for a static payload type.
 *
 * @param payloadType the format as written on the m= line
 * @param encoding    encoding name as written (compare ignoring case), e.g. {@code opus}, {@code telephone-event}
 * @param clockRate   RTP clock rate in Hz
 * @param parameters  encoding parameters (audio: channels), or empty
 */
public record RtpMap(String payloadType, String encoding, int clockRate, String parameters) {

    /** Static audio payload types of RFC 3551 §6 (G.722's RTP clock is 8000 although it samples at 16 kHz). */
    private static final Map<String, RtpMap> STATIC = Map.of(
            "0", new RtpMap("0", "PCMU", 8000, ""),
            "3", new RtpMap("3", "GSM", 8000, ""),
            "4", new RtpMap("4", "G723", 8000, ""),
            "8", new RtpMap("8", "PCMA", 8000, ""),
            "9", new RtpMap("9", "G722", 8000, ""),
            "13", new RtpMap("13", "CN", 8000, ""),
            "18", new RtpMap("18", "G729", 8000, ""));

    /** The encoding name in lower case, for comparisons with configured codec names. */
    public String name() {
        return encoding.toLowerCase(Locale.ROOT);
    }

    /** The static assignment of {@code payloadType}, or null. */
    static RtpMap staticPayload(String payloadType) {
        return STATIC.get(payloadType);
    }

    /** Parses the value of {@code a=rtpmap:<pt> <encoding>/<clock rate>[/<parameters>]}; null when malformed. */
    static RtpMap parse(String value) {
        int space = value.indexOf(' ');
        if (space <= 0) {
            return null;
        }
        String[] encoding = value.substring(space + 1).trim().split("/", 3);
        if (encoding.length < 2 || encoding[0].isEmpty()) {
            return null;
        }
        try {
            int clockRate = Integer.parseInt(encoding[1]);
            return clockRate > 0 ? new RtpMap(value.substring(0, space), encoding[0], clockRate,
                    encoding.length == 3 ? encoding[2] : "") : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
