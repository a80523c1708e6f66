package org.sylkserver.webrtc.api;

import java.util.List;

/**
 * {@code session-create} (spec §4.5.3): an outgoing call from {@code account} to {@code uri} with the browser's SDP
 * offer. The account only has to be added, not registered.
 */
public class SessionCreateRequest extends SessionRequest {

    public static final String TYPE = "session-create";

    @Mandatory
    @SipAor
    private String account;
    @Mandatory
    @SipAor
    private String uri;
    @Mandatory
    private String sdp;
    private List<SipHeader> headers;

    public SessionCreateRequest() {
        super(TYPE);
    }

    /** {@code user@domain} without scheme. */
    public String getAccount() {
        return account;
    }

    public void setAccount(String account) {
        this.account = SipAor.Syntax.strip(account);
    }

    /** The callee, {@code user@domain} without scheme. */
    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = SipAor.Syntax.strip(uri);
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
