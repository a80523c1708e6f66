package org.sylkserver.webrtc.api;

/** {@code account-mark-conversation-read} (spec §4.8.5). */
public class AccountMarkConversationReadRequest extends AccountContactRequest {

    public static final String TYPE = "account-mark-conversation-read";

    public AccountMarkConversationReadRequest() {
        super(TYPE);
    }
}
