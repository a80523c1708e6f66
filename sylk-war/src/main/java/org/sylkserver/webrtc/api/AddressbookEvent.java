package org.sylkserver.webrtc.api;

import javax.json.JsonObject;
import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * The address-book {@code account-event}s (spec §4.14): {@code addressbook-fetched {addressbook}},
 * {@code addressbook-updated {type, action, <type>: <object>}} and
 * {@code addressbook-update-failed {type, action, error, id}}. Absent properties are left out.
 */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "addressbook", "type", "action", "contact", "group", "policy",
        "groupMember", "error", "id"})
public final class AddressbookEvent extends SylkRtcMessage {

    private final String account;
    private final String event;
    private JsonObject addressbook;
    private String type;
    private String action;
    private JsonObject object;
    private String error;
    private String id;

    private AddressbookEvent(String account, String event) {
        super("account-event");
        this.account = account;
        this.event = event;
    }

    public static AddressbookEvent fetched(String account, JsonObject addressbook) {
        AddressbookEvent fetched = new AddressbookEvent(account, "addressbook-fetched");
        fetched.addressbook = addressbook;
        return fetched;
    }

    public static AddressbookEvent updated(String account, String type, String action, JsonObject object) {
        AddressbookEvent updated = new AddressbookEvent(account, "addressbook-updated");
        updated.type = type;
        updated.action = action;
        updated.object = object;
        return updated;
    }

    public static AddressbookEvent updateFailed(String account, String type, String action, String error, String id) {
        AddressbookEvent failed = new AddressbookEvent(account, "addressbook-update-failed");
        failed.type = type;
        failed.action = action;
        failed.error = error;
        failed.id = id;
        return failed;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return event;
    }

    public JsonObject getAddressbook() {
        return addressbook;
    }

    public String getType() {
        return type;
    }

    public String getAction() {
        return action;
    }

    /** The updated object under the name of its type. */
    @JsonbProperty("contact")
    public JsonObject getContact() {
        return "contact".equals(type) ? object : null;
    }

    @JsonbProperty("group")
    public JsonObject getGroup() {
        return "group".equals(type) ? object : null;
    }

    @JsonbProperty("policy")
    public JsonObject getPolicy() {
        return "policy".equals(type) ? object : null;
    }

    @JsonbProperty("groupMember")
    public JsonObject getGroupMember() {
        return "groupMember".equals(type) ? object : null;
    }

    public String getError() {
        return error;
    }

    public String getId() {
        return id;
    }
}
