package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;

/** {@code account-sync-conversations} (spec §4.8.4): the account's journal after {@code message_id} or {@code since}. */
public class AccountSyncConversationsRequest extends AccountRequest {

    public static final String TYPE = "account-sync-conversations";

    @JsonbProperty("message_id")
    private String messageId;
    private String since;
    private Integer limit;

    public AccountSyncConversationsRequest() {
        super(TYPE);
    }

    /** The last entry the client has, or null. */
    public String getMessageId() {
        return messageId;
    }

    public void setMessageId(String messageId) {
        this.messageId = messageId;
    }

    /** An ISO time, or null. */
    public String getSince() {
        return since;
    }

    public void setSince(String since) {
        this.since = since;
    }

    /** At most this many entries, or null for the default (5000). */
    public Integer getLimit() {
        return limit;
    }

    public void setLimit(Integer limit) {
        this.limit = limit;
    }
}
