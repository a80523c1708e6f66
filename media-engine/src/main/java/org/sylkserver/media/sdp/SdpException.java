package org.sylkserver.media.sdp;

/**
 * An SDP that cannot be parsed or answered. {@link #sipReason()} is the reason phrase for the SIP response
 * (488 Not Acceptable Here) the application sends.
 */
public class SdpException extends Exception {

    private static final long serialVersionUID = 1L;

    public SdpException(String message) {
        super(message);
    }

    /** A short text for the SIP Warning/reason, e.g. "No compatible audio codec". */
    public String sipReason() {
        return getMessage();
    }
}
