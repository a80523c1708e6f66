package org.sylkserver.webrtc.api;

/** A request about one of the connection's accounts: it names the account (spec §4.4). */
public abstract class AccountRequest extends SylkRtcRequest {

    @Mandatory
    @SipAor
    private String account;

    protected AccountRequest(String sylkrtc) {
        super(sylkrtc);
    }

    /** The account, {@code user@domain} without scheme. */
    public String getAccount() {
        return account;
    }

    public void setAccount(String account) {
        this.account = SipAor.Syntax.strip(account);
    }
}
