package org.sylkserver.webrtc.api;

/** {@code session-dtmf-info} (spec §4.5.5): one DTMF digit sent as a SIP INFO, {@code duration} in ms. */
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
