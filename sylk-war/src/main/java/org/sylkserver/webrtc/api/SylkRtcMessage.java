package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * The sylkRTC envelope (spec §4.3): every message has {@code sylkrtc} (the request, response or event
 * type); requests and their responses also carry {@code transaction}.
 */
@JsonbPropertyOrder({"sylkrtc", "transaction"})
public abstract class SylkRtcMessage {

    private final String sylkrtc;
    private String transaction;

    protected SylkRtcMessage(String sylkrtc) {
        this.sylkrtc = sylkrtc;
    }

    @JsonbProperty("sylkrtc")
    public String getSylkrtc() {
        return sylkrtc;
    }

    public String getTransaction() {
        return transaction;
    }

    public void setTransaction(String transaction) {
        this.transaction = transaction;
    }
}
