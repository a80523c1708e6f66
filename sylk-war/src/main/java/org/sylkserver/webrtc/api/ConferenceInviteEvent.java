package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code account-event} with {@code event: conference-invite} (spec §4.6.7): {@code originator} invites
 * {@code account} to video room {@code room}; {@code session_id} names the invitation.
 */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "room", "sessionId", "originator"})
public class ConferenceInviteEvent extends SylkRtcMessage {

    private final String account;
    private final String room;
    private final String sessionId;
    private final SipIdentity originator;

    public ConferenceInviteEvent(String account, String room, String sessionId, SipIdentity originator) {
        super("account-event");
        this.account = account;
        this.room = room;
        this.sessionId = sessionId;
        this.originator = originator;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return "conference-invite";
    }

    public String getRoom() {
        return room;
    }

    @JsonbProperty("session_id")
    public String getSessionId() {
        return sessionId;
    }

    public SipIdentity getOriginator() {
        return originator;
    }
}
