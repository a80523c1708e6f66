package org.sylkserver.webrtc.api;

import java.util.HashMap;
import java.util.Map;

/**
 * The sylkRTC requests this server implements, by their {@code sylkrtc} value, with the class each is
 * bound to. Adding a request is one constant here and one handler in {@code SylkRtcConnection}.
 */
public enum RequestType {
    PING("ping", PingRequest.class);

    private static final Map<String, RequestType> BY_NAME = new HashMap<>();

    static {
        for (RequestType type : values()) {
            BY_NAME.put(type.wireName, type);
        }
    }

    private final String wireName;
    private final Class<? extends SylkRtcMessage> requestClass;

    RequestType(String wireName, Class<? extends SylkRtcMessage> requestClass) {
        this.wireName = wireName;
        this.requestClass = requestClass;
    }

    public String wireName() {
        return wireName;
    }

    public Class<? extends SylkRtcMessage> requestClass() {
        return requestClass;
    }

    /** The type named {@code sylkrtc}, or null if this server does not know it. */
    public static RequestType of(String sylkrtc) {
        return BY_NAME.get(sylkrtc);
    }
}
