package org.sylkserver.webrtc.api;

/**
 * A client request (spec §4.3): answered exactly once, with an {@link AckResponse} or an {@link ErrorResponse}
 * carrying the same {@code transaction}. Subclasses have a public no-argument constructor and getter/setter
 * pairs so that JSON-B can bind them.
 */
public abstract class SylkRtcRequest extends SylkRtcMessage {

    private String transaction;

    protected SylkRtcRequest(String sylkrtc) {
        super(sylkrtc);
    }

    public String getTransaction() {
        return transaction;
    }

    public void setTransaction(String transaction) {
        this.transaction = transaction;
    }
}
