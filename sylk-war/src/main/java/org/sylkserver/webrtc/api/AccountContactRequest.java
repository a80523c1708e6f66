package org.sylkserver.webrtc.api;

/** A request about the account's conversation with {@code contact} (spec §4.8.5). */
public abstract class AccountContactRequest extends AccountRequest {

    @Mandatory
    @SipAor
    private String contact;

    protected AccountContactRequest(String sylkrtc) {
        super(sylkrtc);
    }

    /** The other party, {@code user@domain}. */
    public String getContact() {
        return contact;
    }

    public void setContact(String contact) {
        this.contact = SipAor.Syntax.strip(contact);
    }
}
