package org.sylkserver.webrtc.messaging;

/**
 * An out-of-dialog MESSAGE that reached the {@code webrtcgateway} application (spec §4.8.2, §4.9), as the servlet read
 * it.
 *
 * @param from            the From AOR ({@code user@domain}), or null when it has none usable
 * @param fromDisplayName its display name, or null
 * @param to              the To AOR, or null
 * @param contentType     the Content-Type header, or null
 * @param contentEncoding the Content-Encoding header, or null
 * @param body            the body, never null (empty when there was none)
 * @param fromSip         whether it has {@code X-Sylk-From-Sip} (sent by one of the sender's SIP devices)
 */
public record IncomingSipMessage(String from, String fromDisplayName, String to, String contentType,
                                 String contentEncoding, byte[] body, boolean fromSip) {
}
