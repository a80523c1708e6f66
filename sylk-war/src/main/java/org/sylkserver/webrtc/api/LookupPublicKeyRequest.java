package org.sylkserver.webrtc.api;

/** {@code lookup-public-key} (spec §4.4, §4.5.1): the stored public key of {@code uri}, as a later event. */
public class LookupPublicKeyRequest extends SylkRtcRequest {

    public static final String TYPE = "lookup-public-key";

    @Mandatory
    @SipAor
    private String uri;

    public LookupPublicKeyRequest() {
        super(TYPE);
    }

    /** The AOR whose key is wanted, {@code user@domain}. */
    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = SipAor.Syntax.strip(uri);
    }
}
