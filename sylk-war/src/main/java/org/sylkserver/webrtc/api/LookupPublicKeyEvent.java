package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/** {@code lookup-public-key-event} (spec §4.5.1): {@code public_key} is {@code null} when none is stored. */
@JsonbPropertyOrder({"sylkrtc", "uri", "publicKey"})
public class LookupPublicKeyEvent extends SylkRtcMessage {

    private final String uri;
    private final String publicKey;

    public LookupPublicKeyEvent(String uri, String publicKey) {
        super("lookup-public-key-event");
        this.uri = uri;
        this.publicKey = publicKey;
    }

    public String getUri() {
        return uri;
    }

    @JsonbProperty(value = "public_key", nillable = true)
    public String getPublicKey() {
        return publicKey;
    }
}
