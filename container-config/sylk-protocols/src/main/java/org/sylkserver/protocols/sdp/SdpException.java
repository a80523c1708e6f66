package org.sylkserver.protocols.sdp;

/**
 * An SDP that cannot be parsed or answered. The message names the problem (and, for syntax errors, the line);
 * {@link #sipReason()} is the text the application puts into its 488 Not Acceptable Here response
 * (RFC 3261 §21.4.26), e.g. "No compatible audio codec".
 */
public class SdpException extends Exception {

    private static final long serialVersionUID = 1L;

    public SdpException(String message) {
        super(message);
    }

    /** A syntax error on line {@code lineNumber} (counted from 1). */
    static SdpException atLine(int lineNumber, String problem) {
        return new SdpException("SDP line " + lineNumber + ": " + problem);
    }

    /** A short text for the SIP Warning/reason, e.g. "No compatible audio codec". */
    public String sipReason() {
        return getMessage();
    }
}
