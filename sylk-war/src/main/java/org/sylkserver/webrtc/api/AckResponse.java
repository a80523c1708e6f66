package org.sylkserver.webrtc.api;

/** {@code ack}: the request of {@code transaction} completed. */
public class AckResponse extends SylkRtcMessage {

    public AckResponse(String transaction) {
        super("ack");
        setTransaction(transaction);
    }
}
