package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbPropertyOrder;

/** {@code account-event} with {@code event: sync-conversations} (spec §4.8.4): the answer to a sync request. */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "messages"})
public class SyncConversationsEvent extends SylkRtcMessage {

    private final String account;
    private final List<JournalItem> messages;

    public SyncConversationsEvent(String account, List<JournalItem> messages) {
        super("account-event");
        this.account = account;
        this.messages = messages;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return "sync-conversations";
    }

    public List<JournalItem> getMessages() {
        return messages;
    }
}
