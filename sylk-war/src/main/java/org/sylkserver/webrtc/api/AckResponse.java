package org.sylkserver.webrtc.api;

/** {@code ack}: the request of {@code transaction} completed without error (spec §4.3). */
public class AckResponse extends SylkRtcResponse {

    public AckResponse(String transaction) {
        super("ack", transaction);
    }
}
