package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * One publisher's audio level in {@code conference-audio-levels} (spec Q23, as sylkrtc.js reads it): its session id
 * and {@code rx}, the level the server receives from it as a linear amplitude from 0 (silence) to 1 (full scale), the
 * scale of WebRTC's {@code audioLevel} statistics, rounded to three decimals.
 */
@JsonbPropertyOrder({"participantId", "rx"})
public class ParticipantAudioLevel {

    private final String participantId;
    private final double rx;

    public ParticipantAudioLevel(String participantId, double rx) {
        this.participantId = participantId;
        this.rx = rx;
    }

    /** {@code dBov} as RFC 6464 §3 carries it (0 the loudest, 127 silence) on this scale. */
    public static double amplitude(int dBov) {
        return Math.round(Math.pow(10, -dBov / 20.0) * 1000) / 1000.0;
    }

    @JsonbProperty("participant_id")
    public String getParticipantId() {
        return participantId;
    }

    public double getRx() {
        return rx;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ParticipantAudioLevel level && level.participantId.equals(participantId)
                && level.rx == rx;
    }

    @Override
    public int hashCode() {
        return participantId.hashCode() * 31 + Double.hashCode(rx);
    }
}
