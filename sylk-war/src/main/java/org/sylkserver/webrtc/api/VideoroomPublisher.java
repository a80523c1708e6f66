package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * A publisher as {@code initial-publishers} and {@code publishers-joined} name it (spec §4.6.2-4.6.3): its sylkRTC
 * session id, account and display name ({@code ""} when it has none).
 */
@JsonbPropertyOrder({"id", "uri", "displayName"})
public class VideoroomPublisher {

    private final String id;
    private final String uri;
    private final String displayName;

    public VideoroomPublisher(String id, String uri, String displayName) {
        this.id = id;
        this.uri = uri;
        this.displayName = displayName == null ? "" : displayName;
    }

    public String getId() {
        return id;
    }

    public String getUri() {
        return uri;
    }

    @JsonbProperty("display_name")
    public String getDisplayName() {
        return displayName;
    }
}
