package org.sylkserver.protocols.msrp;

/**
 * MSRP bytes or a URI that do not follow RFC 4975 §9. The message names the offending value. For errors found
 * by {@link MsrpParser} it also tells the connection what to do: when {@link #framingLost()} is false the bad
 * message has been consumed whole and the connection answers it with {@link #responseCode()} (400, or 413 for a
 * chunk over the body limit, RFC 4975 §7.2 and §10) using {@link #transactionId()}, then reads on; when it is
 * true the parser can no longer tell where messages begin and the connection must be closed (RFC 4975 §7.3).
 */
public class MalformedMsrpException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String transactionId;
    private final boolean framingLost;
    private final int responseCode;

    /** An error in a value on its own (a URI, a header value), with no transaction to answer. */
    public MalformedMsrpException(String message) {
        this(message, null, false, 400);
    }

    MalformedMsrpException(String message, String transactionId, boolean framingLost, int responseCode) {
        super(message);
        this.transactionId = transactionId;
        this.framingLost = framingLost;
        this.responseCode = responseCode;
    }

    /** The transaction of the bad message, or null when it could not be read. */
    public String transactionId() {
        return transactionId;
    }

    /** True when the stream cannot be resynchronised and the connection must be closed. */
    public boolean framingLost() {
        return framingLost;
    }

    /** The status code to answer a request with when the framing is intact: 400, or 413 for an oversized body. */
    public int responseCode() {
        return responseCode;
    }
}
