package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code account-event} with {@code event: message} (spec §4.8.2): a message for the account, CPIM unwrapped;
 * {@code disposition_notification} is {@code null} when the sender asked for none.
 */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "sender", "timestamp", "dispositionNotification", "messageId",
        "contentType", "content"})
public class MessageEvent extends SylkRtcMessage {

    private final String account;
    private final SipIdentity sender;
    private final String timestamp;
    private final List<String> dispositionNotification;
    private final String messageId;
    private final String contentType;
    private final String content;

    public MessageEvent(String account, SipIdentity sender, String timestamp, List<String> dispositionNotification,
                        String messageId, String contentType, String content) {
        super("account-event");
        this.account = account;
        this.sender = sender;
        this.timestamp = timestamp;
        this.dispositionNotification = dispositionNotification;
        this.messageId = messageId;
        this.contentType = contentType;
        this.content = content;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return "message";
    }

    public SipIdentity getSender() {
        return sender;
    }

    public String getTimestamp() {
        return timestamp;
    }

    @JsonbProperty(value = "disposition_notification", nillable = true)
    public List<String> getDispositionNotification() {
        return dispositionNotification;
    }

    @JsonbProperty("message_id")
    public String getMessageId() {
        return messageId;
    }

    @JsonbProperty("content_type")
    public String getContentType() {
        return contentType;
    }

    public String getContent() {
        return content;
    }
}
