package org.sylkserver.webrtc.api;

/** {@code account-remove} (spec §4.5.2): forgets an account of this connection, unregistering it first if it is registered. */
public class AccountRemoveRequest extends AccountRequest {

    public static final String TYPE = "account-remove";

    public AccountRemoveRequest() {
        super(TYPE);
    }
}
