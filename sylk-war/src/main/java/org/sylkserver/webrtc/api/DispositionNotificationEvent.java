package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code account-event} with {@code event: disposition-notification} (spec §4.8.1, §4.8.3): what became of a message
 * the account sent: {@code accepted} or {@code failed} with the SIP MESSAGE's final response, or the state an IMDN
 * reported ({@code delivered}, {@code displayed}, ...) with code 200.
 */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "messageId", "messageTimestamp", "state", "code", "reason"})
public class DispositionNotificationEvent extends SylkRtcMessage {

    private final String account;
    private final String messageId;
    private final String messageTimestamp;
    private final String state;
    private final int code;
    private final String reason;

    public DispositionNotificationEvent(String account, String messageId, String messageTimestamp, String state,
                                        int code, String reason) {
        super("account-event");
        this.account = account;
        this.messageId = messageId;
        this.messageTimestamp = messageTimestamp;
        this.state = state;
        this.code = code;
        this.reason = reason;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return "disposition-notification";
    }

    @JsonbProperty("message_id")
    public String getMessageId() {
        return messageId;
    }

    @JsonbProperty("message_timestamp")
    public String getMessageTimestamp() {
        return messageTimestamp;
    }

    public String getState() {
        return state;
    }

    public int getCode() {
        return code;
    }

    public String getReason() {
        return reason;
    }
}
