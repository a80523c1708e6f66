package org.sylkserver.webrtc.messaging;

import java.util.Map;

import org.sylkserver.webrtc.Account;

/** The SIP side of messaging: out-of-dialog MESSAGE requests the gateway originates (spec §4.8.1, §4.9). */
public interface SipMessages {

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
     */
    record Outgoing(Account credentials, String from, String fromDisplayName, String to, String contentType,
                    byte[] body, Map<String, String> headers) {
    }

    /** Learns the final response of a MESSAGE (or 408/503 when none came or it could not be sent). */
    @FunctionalInterface
    interface Outcome {
        void completed(int status, String reason);
    }

    /** Sends {@code message}; {@code outcome} runs once, on a SIP thread. */
    void send(Outgoing message, Outcome outcome);
}
