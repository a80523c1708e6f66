package org.sylkserver.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * RFC 3264 offers for calls the server places (the conference dialling a participant out, RFC 4579 §5.2): one
 * plain RTP audio stream with the allowed codecs in the configured order, each on its usual payload type, plus
 * RFC 4733 telephone events; and the reading of the answer into the {@link AudioAnswerer.Answer} shape the
 * applications already use for calls they answer.
 */
public final class AudioOffer {

    /** Payload type, rtpmap and fmtp of each codec we can offer (static types from RFC 3551 §6). */
    private record Format(String name, int payloadType, String rtpmap, String fmtp) {
    }

    private static final List<Format> FORMATS = List.of(
            new Format("opus", 111, "opus/48000/2", "useinbandfec=1"),
            new Format("g722", 9, "G722/8000", null),
            new Format("speex", 97, "speex/16000", null),
            new Format("pcmu", 0, "PCMU/8000", null),
            new Format("pcma", 8, "PCMA/8000", null),
            new Format("gsm", 3, "GSM/8000", null),
            new Format("ilbc", 98, "iLBC/8000", "mode=20"));

    private static final int TELEPHONE_EVENT = 101;

    private AudioOffer() {
    }

    /**
     * The audio line of an offer of {@code allowedCodecs} (names as in {@code [RTP] audio_codecs}, in that order)
     * received at {@code localPort}; the session's own lines (origin, connection) are its dialog's.
     */
    public static MediaDescription line(List<String> allowedCodecs, int localPort) {
        List<String> formats = new ArrayList<>();
        List<SessionDescription.Line> lines = new ArrayList<>();
        for (String allowed : allowedCodecs) {
            for (Format format : FORMATS) {
                if (format.name().equals(allowed.trim().toLowerCase(Locale.ROOT))) {
                    formats.add(Integer.toString(format.payloadType()));
                    lines.add(new SessionDescription.Line('a', "rtpmap:" + format.payloadType() + " " + format.rtpmap()));
                    if (format.fmtp() != null) {
                        lines.add(new SessionDescription.Line('a', "fmtp:" + format.payloadType() + " " + format.fmtp()));
                    }
                }
            }
        }
        if (formats.isEmpty()) {
            throw new IllegalArgumentException("no codec to offer among " + allowedCodecs);
        }
        formats.add(Integer.toString(TELEPHONE_EVENT));
        lines.add(new SessionDescription.Line('a', "rtpmap:" + TELEPHONE_EVENT + " telephone-event/8000"));
        lines.add(new SessionDescription.Line('a', "fmtp:" + TELEPHONE_EVENT + " 0-16"));
        lines.add(new SessionDescription.Line('a', "sendrecv"));
        return new MediaDescription("audio", localPort, "RTP/AVP", formats, lines);
    }

    /**
     * The peer's answer to {@code offer} (RFC 3264 §6): its first accepted audio stream, the formats it kept that we
     * offered (codecs first), where it receives, and the direction seen from our side.
     *
     * @throws SdpException if the answer accepts no audio or none of our codecs
     */
    public static AudioAnswerer.Answer read(SessionDescription offer, SessionDescription answer) throws SdpException {
        List<String> offered = offer.media().get(0).formats();
        for (MediaDescription m : answer.media()) {
            if (!m.media().equals("audio") || m.port() == 0) {
                continue;
            }
            List<String> kept = new ArrayList<>();
            for (String format : m.formats()) {
                if (offered.contains(format) && !format.equals(Integer.toString(TELEPHONE_EVENT))) {
                    kept.add(format);
                }
            }
            if (kept.isEmpty()) {
                throw new SdpException("The answer keeps none of the offered codecs");
            }
            if (m.formats().contains(Integer.toString(TELEPHONE_EVENT))) {
                kept.add(Integer.toString(TELEPHONE_EVENT));
            }
            String theirs = answer.direction(m);
            String ours = switch (theirs) {
                case "sendonly" -> "recvonly";
                case "recvonly" -> "sendonly";
                default -> theirs;
            };
            return new AudioAnswerer.Answer(answer, answer.connection(m).socketAddress(m.port()), kept, ours,
                    m.has("rtcp-mux"), null, null, 0);
        }
        throw new SdpException("The answer accepts no audio stream");
    }
}
