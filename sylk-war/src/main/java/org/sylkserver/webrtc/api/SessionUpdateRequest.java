package org.sylkserver.webrtc.api;

import java.util.List;

/**
 * {@code session-update} (spec §4.5.6): a re-INVITE offer in state {@code established}, or the answer to the
 * remote party's re-INVITE in state {@code remote-updating}.
 */
public class SessionUpdateRequest extends SessionRequest {

    public static final String TYPE = "session-update";

    @Mandatory
    private String sdp;
    private List<SipHeader> headers;

    public SessionUpdateRequest() {
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
