package org.sylkserver.webrtc.api;

/** {@code ping} (spec §4.5.1): answered with an ack; keeps the connection alive. */
public class PingRequest extends SylkRtcMessage {

    public PingRequest() {
        super("ping");
    }
}
