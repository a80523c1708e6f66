package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code account-event} with {@code event: missed-session} (spec §4.5.4): a call for the account ended unanswered
 * (the caller cancelled, or nobody answered in time).
 */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "originator"})
public class MissedSessionEvent extends SylkRtcMessage {

    private final String account;
    private final SipIdentity originator;

    public MissedSessionEvent(String account, SipIdentity originator) {
        super("account-event");
        this.account = account;
        this.originator = originator;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return "missed-session";
    }

    public SipIdentity getOriginator() {
        return originator;
    }
}
