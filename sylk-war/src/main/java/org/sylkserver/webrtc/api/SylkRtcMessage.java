package org.sylkserver.webrtc.api;

/**
 * Any sylkRTC message: its {@code sylkrtc} property names the request, response or event type (spec §4.3).
 * The type is fixed by each subclass, so it is always serialized and never read from the client.
 */
public abstract class SylkRtcMessage {

    private final String sylkrtc;

    protected SylkRtcMessage(String sylkrtc) {
        this.sylkrtc = sylkrtc;
    }

    public String getSylkrtc() {
        return sylkrtc;
    }
}
