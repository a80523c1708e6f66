package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;

/** {@code account-disposition-notification} (spec §4.8.3): an IMDN about message {@code message_id} from {@code uri}. */
public class AccountDispositionNotificationRequest extends AccountRequest {

    public static final String TYPE = "account-disposition-notification";

    @Mandatory
    @SipAor
    private String uri;
    @Mandatory
    @JsonbProperty("message_id")
    private String messageId;
    @Mandatory
    private String state;
    @Mandatory
    private String timestamp;

    public AccountDispositionNotificationRequest() {
        super(TYPE);
    }

    /** Who sent the message, {@code user@domain}: the IMDN goes there. */
    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = SipAor.Syntax.strip(uri);
    }

    public String getMessageId() {
        return messageId;
    }

    public void setMessageId(String messageId) {
        this.messageId = messageId;
    }

    /** {@code delivered}, {@code failed}, {@code displayed}, {@code forbidden} or {@code error}. */
    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public String getTimestamp() {
        return timestamp;
    }

    public void setTimestamp(String timestamp) {
        this.timestamp = timestamp;
    }
}
