package org.sylkserver.webrtc.api;

/** {@code account-unregister} (spec §4.5.2): removes the account's SIP registration. */
public class AccountUnregisterRequest extends AccountRequest {

    public static final String TYPE = "account-unregister";

    public AccountUnregisterRequest() {
        super(TYPE);
    }
}
