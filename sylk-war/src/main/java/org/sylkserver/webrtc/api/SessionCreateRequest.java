package org.sylkserver.webrtc.api;

/**
 * {@code session-create} (spec §4.5.3): an outgoing call from {@code account} to {@code uri} with the browser's SDP
 * offer. The account only has to be added, not registered.
 */
public class SessionCreateRequest extends SessionSdpRequest {

    public static final String TYPE = "session-create";

    @Mandatory
    @SipAor
    private String account;
    @Mandatory
    @SipAor
    private String uri;

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
}
