package org.sylkserver.webrtc.api;

/**
 * One extra SIP header a client asks to send with an INVITE, its answer or a re-INVITE: an item of the
 * {@code headers} array of {@code session-create}, {@code session-answer} and {@code session-update} (spec §4.4).
 */
public class SipHeader {

    @Mandatory
    private String name;
    @Mandatory
    private String value;

    public SipHeader() {
    }

    public SipHeader(String name, String value) {
        this.name = name;
        this.value = value;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }
}
