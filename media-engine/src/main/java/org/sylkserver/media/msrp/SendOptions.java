package org.sylkserver.media.msrp;

import java.util.Objects;

import org.sylkserver.protocols.msrp.Headers;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.Syntax;

/**
 * How a message is sent in chunks (RFC 4975 §5.1, §7.1.1).
 *
 * @param contentType   the Content-Type of every chunk
 * @param chunkSize     the most body bytes per chunk
 * @param window        how many chunks may wait for their response at once (1: one at a time)
 * @param successReport {@code yes} or {@code no}, or null to leave the header out (which means no, §7.1.1)
 * @param failureReport {@code yes}, {@code no} or {@code partial}, or null to leave it out (which means yes):
 *                      with {@code no} nothing is answered, so chunks go out without waiting; with
 *                      {@code partial} only refusals come back, and a chunk unanswered in time succeeded
 */
public record SendOptions(String contentType, int chunkSize, int window, String successReport,
                          String failureReport) {

    /** Default chunk size: small enough to keep a shared connection responsive. */
    public static final int DEFAULT_CHUNK_SIZE = 16 * 1024;
    /** Default number of chunks in flight. */
    public static final int DEFAULT_WINDOW = 8;

    public SendOptions {
        Objects.requireNonNull(contentType, "contentType");
        new MsrpHeader(Headers.CONTENT_TYPE, contentType); // the header's own checks
        int slash = contentType.indexOf('/');
        if (slash <= 0 || slash == contentType.length() - 1) {
            throw new IllegalArgumentException("bad Content-Type " + Syntax.show(contentType)
                    + " (expected type/subtype)");
        }
        if (chunkSize < 1 || window < 1) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " and window " + window
                    + " must be at least 1");
        }
        if (successReport != null && !successReport.equals("yes") && !successReport.equals("no")) {
            throw new IllegalArgumentException("bad Success-Report " + Syntax.show(successReport) + " (yes or no)");
        }
        if (failureReport != null && !failureReport.equals("yes") && !failureReport.equals("no")
                && !failureReport.equals("partial")) {
            throw new IllegalArgumentException("bad Failure-Report " + Syntax.show(failureReport)
                    + " (yes, no or partial)");
        }
    }

    /** Defaults: {@value #DEFAULT_CHUNK_SIZE}-byte chunks, {@value #DEFAULT_WINDOW} in flight, no report headers. */
    public static SendOptions of(String contentType) {
        return new SendOptions(contentType, DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW, null, null);
    }

    /** The same with another chunk size. */
    public SendOptions withChunkSize(int bytes) {
        return new SendOptions(contentType, bytes, window, successReport, failureReport);
    }

    /** The same with another window. */
    public SendOptions withWindow(int chunks) {
        return new SendOptions(contentType, chunkSize, chunks, successReport, failureReport);
    }

    /** The same asking for these reports (null leaves a header out). */
    public SendOptions withReports(String success, String failure) {
        return new SendOptions(contentType, chunkSize, window, success, failure);
    }
}
