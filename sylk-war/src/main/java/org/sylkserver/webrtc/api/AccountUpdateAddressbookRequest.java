package org.sylkserver.webrtc.api;

import javax.json.JsonObject;

/**
 * {@code account-update-addressbook {action, type, data}} (spec §4.14). {@code data} stays a JSON object so that
 * what the server does not interpret, such as free-form {@code attributes}, is kept (fixing Quirk Q11).
 */
public class AccountUpdateAddressbookRequest extends AccountRequest {

    public static final String TYPE = "account-update-addressbook";

    @Mandatory
    private String action;
    @Mandatory
    private String type;
    @Mandatory
    private JsonObject data;

    public AccountUpdateAddressbookRequest() {
        super(TYPE);
    }

    public String getAction() {
        return action;
    }

    public void setAction(String action) {
        this.action = action;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public JsonObject getData() {
        return data;
    }

    public void setData(JsonObject data) {
        this.data = data;
    }
}
