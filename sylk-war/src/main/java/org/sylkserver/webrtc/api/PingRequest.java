package org.sylkserver.webrtc.api;

/** {@code ping} (spec §4.5.1): no properties, answered with an ack; sylkrtc.js sends one every 5 s. */
public class PingRequest extends SylkRtcRequest {

    public static final String TYPE = "ping";

    public PingRequest() {
        super(TYPE);
    }
}
