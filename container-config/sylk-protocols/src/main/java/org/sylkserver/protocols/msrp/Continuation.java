package org.sylkserver.protocols.msrp;

/**
 * The flag closing an end-line (RFC 4975 §5.1, §7.1.1, §9 {@code continuation-flag}): whether the message is
 * complete or more chunks follow.
 */
public enum Continuation {
    /** {@code $}: the last (or only) chunk of the message. */
    COMPLETE('$'),
    /** {@code +}: more chunks of the message follow. */
    MORE('+'),
    /** {@code #}: the sender aborted the message; no more chunks follow. */
    ABORTED('#');

    private final char flag;

    Continuation(char flag) {
        this.flag = flag;
    }

    /** The flag character on the wire. */
    public char flag() {
        return flag;
    }

    /** The continuation for a flag character, or null when it is none of {@code $ + #}. */
    public static Continuation of(char flag) {
        for (Continuation c : values()) {
            if (c.flag == flag) {
                return c;
            }
        }
        return null;
    }
}
