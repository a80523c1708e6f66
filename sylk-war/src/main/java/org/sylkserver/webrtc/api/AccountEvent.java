package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code account-event} with {@code event: registration-state} (spec §4.5.2): {@code registering},
 * {@code registered}, or {@code failed} with {@code reason} {@code "<code> <reason phrase>"} (omitted otherwise).
 */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "state", "reason"})
public class AccountEvent extends SylkRtcMessage {

    private final String account;
    private final String state;
    private final String reason;

    public AccountEvent(String account, String state, String reason) {
        super("account-event");
        this.account = account;
        this.state = state;
        this.reason = reason;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return "registration-state";
    }

    public String getState() {
        return state;
    }

    public String getReason() {
        return reason;
    }
}
