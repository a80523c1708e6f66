package org.sylkserver.xmpp.s2s;

/**
 * A stream-level error (RFC 6120 §4.9.3): the condition sent in {@code <stream:error>} before the stream is closed.
 */
public final class StreamError extends Exception {

    private static final long serialVersionUID = 1L;

    private final String condition;

    public StreamError(String condition, String text) {
        super(condition + ": " + text);
        this.condition = condition;
    }

    /** The defined condition, e.g. {@code not-well-formed}, {@code policy-violation}, {@code restricted-xml}. */
    public String condition() {
        return condition;
    }

    /** The {@code <stream:error>} element (the text is for people reading a trace, RFC 6120 §4.9.2). */
    public String toXml() {
        return "<stream:error><" + condition + " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>" + StreamElement.escape(getMessage().substring(
                condition.length() + 2)) + "</text></stream:error>";
    }
}
