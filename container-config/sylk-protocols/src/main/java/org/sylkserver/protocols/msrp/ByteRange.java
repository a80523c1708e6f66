package org.sylkserver.protocols.msrp;

/**
 * The Byte-Range header (RFC 4975 §7.1.1, §9): which bytes of the whole message a chunk carries, counted from
 * 1. The end is unknown ({@code *}) while a sender streams a chunk it may interrupt, the total while it does
 * not know the message's size.
 *
 * @param start first byte of the chunk, from 1
 * @param end   last byte, or {@link #UNKNOWN} for {@code *}
 * @param total size of the whole message, or {@link #UNKNOWN} for {@code *}
 */
public record ByteRange(long start, long end, long total) {

    /** Stands for {@code *}. */
    public static final long UNKNOWN = -1;

    public ByteRange {
        String problem = problem(start, end, total);
        if (problem != null) {
            throw new IllegalArgumentException("bad Byte-Range " + format(start, end, total) + ": " + problem);
        }
    }

    /** Parses {@code range-start "-" range-end "/" total}. */
    public static ByteRange parse(String value) throws MalformedMsrpException {
        int dash = value.indexOf('-');
        int slash = value.indexOf('/');
        if (dash <= 0 || slash < dash) {
            throw new MalformedMsrpException("bad Byte-Range " + Syntax.show(value) + " (expected start-end/total,"
                    + " e.g. '1-25/25' or '1-*/*')");
        }
        long start = number(value, value.substring(0, dash), false);
        long end = number(value, value.substring(dash + 1, slash), true);
        long total = number(value, value.substring(slash + 1), true);
        String problem = problem(start, end, total);
        if (problem != null) {
            throw new MalformedMsrpException("bad Byte-Range " + Syntax.show(value) + ": " + problem);
        }
        return new ByteRange(start, end, total);
    }

    private static long number(String value, String part, boolean starAllowed) throws MalformedMsrpException {
        if (starAllowed && part.equals("*")) {
            return UNKNOWN;
        }
        if (!Syntax.isDigits(part) || part.length() > 18) {
            throw new MalformedMsrpException("bad Byte-Range " + Syntax.show(value) + ": " + Syntax.show(part)
                    + " is not a number" + (starAllowed ? " or '*'" : ""));
        }
        return Long.parseLong(part);
    }

    private static String problem(long start, long end, long total) {
        if (start < 1) {
            return "the start counts from 1";
        }
        if (end < UNKNOWN || total < UNKNOWN) {
            return "negative end or total";
        }
        if (end != UNKNOWN && end < start - 1) {
            return "the end is before the start";
        }
        if (end != UNKNOWN && total != UNKNOWN && end > total) {
            return "the end is past the total";
        }
        return null;
    }

    private static String format(long start, long end, long total) {
        return "'" + start + "-" + (end == UNKNOWN ? "*" : end) + "/" + (total == UNKNOWN ? "*" : total) + "'";
    }

    @Override
    public String toString() {
        return start + "-" + (end == UNKNOWN ? "*" : String.valueOf(end)) + "/"
                + (total == UNKNOWN ? "*" : String.valueOf(total));
    }
}
