package org.sylkserver.webrtc.api;

/**
 * {@code session-dtmf-info} (spec §4.5.5): DTMF digits sent as SIP INFOs, {@code duration} in ms; sylkrtc.js puts
 * all the tones its caller gave in {@code digit}, so it may hold several.
 */
public class SessionDtmfInfoRequest extends SessionRequest {

    public static final String TYPE = "session-dtmf-info";

    @Mandatory
    private String digit;
    private Integer duration;

    public SessionDtmfInfoRequest() {
        super(TYPE);
    }

    public String getDigit() {
        return digit;
    }

    public void setDigit(String digit) {
        this.digit = digit;
    }

    /** May be {@code null}. */
    public Integer getDuration() {
        return duration;
    }

    public void setDuration(Integer duration) {
        this.duration = duration;
    }
}
