package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbPropertyOrder;

/** {@code error}: the request of {@code transaction} failed, {@code error} says why (spec §4.3). */
@JsonbPropertyOrder({"sylkrtc", "transaction", "error"})
public class ErrorResponse extends SylkRtcResponse {

    private final String error;

    public ErrorResponse(String transaction, String error) {
        super("error", transaction);
        this.error = error;
    }

    public String getError() {
        return error;
    }
}
