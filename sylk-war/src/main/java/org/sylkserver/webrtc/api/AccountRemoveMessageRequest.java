package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;

/** {@code account-remove-message} (spec §4.8.5): one message of the conversation with {@code contact}. */
public class AccountRemoveMessageRequest extends AccountContactRequest {

    public static final String TYPE = "account-remove-message";

    @Mandatory
    @JsonbProperty("message_id")
    private String messageId;

    public AccountRemoveMessageRequest() {
        super(TYPE);
    }

    public String getMessageId() {
        return messageId;
    }

    public void setMessageId(String messageId) {
        this.messageId = messageId;
    }
}
