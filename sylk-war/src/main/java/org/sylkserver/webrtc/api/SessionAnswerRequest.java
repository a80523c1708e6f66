package org.sylkserver.webrtc.api;

import java.util.List;

/** {@code session-answer} (spec §4.5.4): accepts an incoming call with the browser's SDP answer. */
public class SessionAnswerRequest extends SessionRequest {

    public static final String TYPE = "session-answer";

    @Mandatory
    private String sdp;
    private List<SipHeader> headers;

    public SessionAnswerRequest() {
        super(TYPE);
    }

    public String getSdp() {
        return sdp;
    }

    public void setSdp(String sdp) {
        this.sdp = sdp;
    }

    /** May be {@code null}. */
    public List<SipHeader> getHeaders() {
        return headers;
    }

    public void setHeaders(List<SipHeader> headers) {
        this.headers = headers;
    }
}
