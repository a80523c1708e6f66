package org.sylkserver.webrtc.api;

/** {@code account-remove-conversation} (spec §4.8.5). */
public class AccountRemoveConversationRequest extends AccountContactRequest {

    public static final String TYPE = "account-remove-conversation";

    public AccountRemoveConversationRequest() {
        super(TYPE);
    }
}
