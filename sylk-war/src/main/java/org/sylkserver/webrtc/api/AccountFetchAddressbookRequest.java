package org.sylkserver.webrtc.api;

/** {@code account-fetch-addressbook} (spec §4.14): answered by an {@code addressbook-fetched} account event. */
public class AccountFetchAddressbookRequest extends AccountRequest {

    public static final String TYPE = "account-fetch-addressbook";

    public AccountFetchAddressbookRequest() {
        super(TYPE);
    }
}
