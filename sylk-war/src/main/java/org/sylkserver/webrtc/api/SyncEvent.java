package org.sylkserver.webrtc.api;

import java.util.Map;

import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code account-event} with {@code event: sync} (spec §4.8.1, §4.8.5): what one device of the account did, for its
 * other devices: {@code type} {@code message} or {@code conversation}, {@code action} {@code add}, {@code remove} or
 * {@code read}, and its {@code content}.
 */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "type", "action", "content"})
public class SyncEvent extends SylkRtcMessage {

    private final String account;
    private final String type;
    private final String action;
    private final Map<String, Object> content;

    public SyncEvent(String account, String type, String action, Map<String, Object> content) {
        super("account-event");
        this.account = account;
        this.type = type;
        this.action = action;
        this.content = content;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return "sync";
    }

    public String getType() {
        return type;
    }

    public String getAction() {
        return action;
    }

    public Map<String, Object> getContent() {
        return content;
    }
}
