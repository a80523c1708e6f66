package org.sylkserver.webrtc.messaging;

import java.util.Map;

import org.sylkserver.webrtc.Account;

/** The SIP side of messaging: out-of-dialog MESSAGE requests the gateway originates (spec §4.8.1, §4.9). */
public interface SipMessages {

    /** Who a MESSAGE is for, which decides its route. */
    enum Audience {
        /**
         * The contact of an account's conversation ({@code account-message}, the account's IMDNs): with
         * {@code local_sip_messages} it goes to this server's own SIP listener with {@code X-Sylk-App: webrtcgateway},
         * so that the gateway delivers it (spec §4.8.1 step 3); else through the outbound proxy or by RFC 3263.
         */
        CONTACT,
        /**
         * SIP devices only ({@code X-Sylk-To-Sip} notifications, replies to the SIP API, file-transfer links): always
         * through the outbound proxy or by RFC 3263, as only a proxy reaches them; looped back to the gateway they
         * would be journaled again or answered again.
         */
        SIP_DEVICES
    }

    /**
     * One MESSAGE to send.
     *
     * @param credentials     whose HA1 answers a digest challenge (RFC 3261 §22.2), or null for none
     * @param from            the From AOR, {@code user@domain}
     * @param fromDisplayName the From display name, or null
     * @param to              the Request-URI and To AOR, {@code user@domain}
     * @param contentType     the body's type, e.g. {@code message/cpim}
     * @param body            the body
     * @param headers         extra SIP headers, e.g. {@code X-Sylk-To-Sip: yes}
     * @param audience        who it is for
     */
    record Outgoing(Account credentials, String from, String fromDisplayName, String to, String contentType,
                    byte[] body, Map<String, String> headers, Audience audience) {
    }

    /** Learns the final response of a MESSAGE (or 408/503 when none came or it could not be sent). */
    @FunctionalInterface
    interface Outcome {
        void completed(int status, String reason);
    }

    /** Sends {@code message}; {@code outcome} runs once, on a SIP thread. */
    void send(Outgoing message, Outcome outcome);
}
