package org.sylkserver.webrtc.api;

import java.util.Map;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code account-event} with {@code event: incoming-session} (spec §4.5.4): a call for the account, with the
 * browser's SDP offer; {@code headers} holds the SIP headers matching the account's
 * {@code incoming_header_prefixes} and is omitted when there are none.
 */
@JsonbPropertyOrder({"sylkrtc", "account", "event", "session", "originator", "sdp", "callId", "headers"})
public class IncomingSessionEvent extends SylkRtcMessage {

    private final String account;
    private final String session;
    private final SipIdentity originator;
    private final String sdp;
    private final String callId;
    private final Map<String, String> headers;

    public IncomingSessionEvent(String account, String session, SipIdentity originator, String sdp, String callId,
                                Map<String, String> headers) {
        super("account-event");
        this.account = account;
        this.session = session;
        this.originator = originator;
        this.sdp = sdp;
        this.callId = callId;
        this.headers = headers == null || headers.isEmpty() ? null : headers;
    }

    public String getAccount() {
        return account;
    }

    public String getEvent() {
        return "incoming-session";
    }

    public String getSession() {
        return session;
    }

    public SipIdentity getOriginator() {
        return originator;
    }

    public String getSdp() {
        return sdp;
    }

    @JsonbProperty("call_id")
    public String getCallId() {
        return callId;
    }

    public Map<String, String> getHeaders() {
        return headers;
    }
}
