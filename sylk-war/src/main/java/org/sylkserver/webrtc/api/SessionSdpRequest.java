package org.sylkserver.webrtc.api;

import java.util.List;

/** A session request that carries the browser's SDP and, optionally, extra SIP headers (spec §4.5.3-4.5.6). */
public abstract class SessionSdpRequest extends SessionRequest {

    @Mandatory
    private String sdp;
    private List<SipHeader> headers;

    protected SessionSdpRequest(String sylkrtc) {
        super(sylkrtc);
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
