package org.sylkserver.webrtc.api;

/** {@code account-register} (spec §4.5.2): registers the account with its SIP registrar; progress comes as {@code registration-state} events. */
public class AccountRegisterRequest extends AccountRequest {

    public static final String TYPE = "account-register";

    public AccountRegisterRequest() {
        super(TYPE);
    }
}
