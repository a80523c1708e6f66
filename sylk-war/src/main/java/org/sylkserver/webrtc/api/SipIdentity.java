package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * A party of a call or message as events name it ({@code originator}, {@code sender}, spec §4.5.4, §4.5.7): its AOR
 * without scheme and its display name, sent as {@code null} when it has none (quirk Q5).
 */
@JsonbPropertyOrder({"uri", "displayName"})
public class SipIdentity {

    private final String uri;
    private final String displayName;

    public SipIdentity(String uri, String displayName) {
        this.uri = uri;
        this.displayName = displayName;
    }

    public String getUri() {
        return uri;
    }

    @JsonbProperty(value = "display_name", nillable = true)
    public String getDisplayName() {
        return displayName;
    }
}
