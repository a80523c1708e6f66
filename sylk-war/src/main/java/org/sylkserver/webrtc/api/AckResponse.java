package org.sylkserver.webrtc.api;

/** {@code ack}: the request of {@code transaction} completed without error (spec §4.3). */
public class AckResponse extends SylkRtcResponse {

    public AckResponse(String transaction) {
        super("ack", transaction);
    }

    /**
     * The ack as JSON-B's binding writes it (same properties, order and escaping, a null transaction left out:
     * AckResponseTest), written straight to text: every request is answered with one, and the binding's reflection and
     * its 8 KiB buffer per call were 2-3 % of an account-message's handling and of its allocation (issue 14, JFR of
     * session 20).
     */
    public String toJson() {
        String transaction = getTransaction();
        StringBuilder json = new StringBuilder(40 + (transaction == null ? 0 : transaction.length()));
        json.append("{\"sylkrtc\":");
        JsonText.quote(json, getSylkrtc());
        if (transaction != null) {
            json.append(",\"transaction\":");
            JsonText.quote(json, transaction);
        }
        return json.append('}').toString();
    }
}
