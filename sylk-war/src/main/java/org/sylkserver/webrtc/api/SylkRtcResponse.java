package org.sylkserver.webrtc.api;

/** The answer to the request of {@code transaction} (spec §4.3). */
public abstract class SylkRtcResponse extends SylkRtcMessage {

    private final String transaction;

    protected SylkRtcResponse(String sylkrtc, String transaction) {
        super(sylkrtc);
        this.transaction = transaction;
    }

    public String getTransaction() {
        return transaction;
    }
}
