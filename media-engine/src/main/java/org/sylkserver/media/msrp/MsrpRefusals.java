package org.sylkserver.media.msrp;

import org.sylkserver.protocols.msrp.MalformedMsrpException;
import org.sylkserver.protocols.msrp.MsrpResponse;

/**
 * What a connection answers to a message it cannot parse (RFC 4975 §7.3.1): a framed message with a transaction id
 * gets its status (400, or 413 for an oversized chunk) on the connection it came on, written by the codec
 * ({@link MsrpResponse#refusal}) without paths, since they may be what was wrong; a message whose framing is lost
 * cannot be answered, and the connection must close.
 */
final class MsrpRefusals {

    private MsrpRefusals() {
    }

    /** The bytes that answer {@code malformed}, or null when the connection must close instead. */
    static byte[] answerTo(MalformedMsrpException malformed) {
        if (malformed.framingLost() || malformed.transactionId() == null) {
            return null;
        }
        return MsrpResponse.refusal(malformed.transactionId(), malformed.responseCode());
    }
}
