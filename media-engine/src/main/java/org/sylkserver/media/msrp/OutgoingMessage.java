package org.sylkserver.media.msrp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.protocols.msrp.ByteRange;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.Headers;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpResponse;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * One message being sent in chunks (RFC 4975 §5.1, §7.1.1): SEND requests with the same Message-ID, each with
 * its {@code Byte-Range: start-end/total} and {@code +}, the last with {@code $}, at most
 * {@link SendOptions#window()} of them waiting for their response. It stops at the first response other than 200
 * (a 413 among them: the receiver wants no more of it), at a transaction that fails (timeout, connection lost),
 * or when {@link #cancel() cancelled}, which sends an empty chunk ending in {@code #} to tell the receiver the
 * message is interrupted. The {@link #outcome()} says which.
 *
 * <p>Chunks are written by a thread of the message's own, never the connection's reader, so that a slow peer
 * cannot stop responses and REPORTs from being read. Its state ({@code inFlight}, {@code stop},
 * {@code acknowledged}) is guarded by the object's monitor, shared with the reader thread that completes the
 * chunks' transactions.
 */
public final class OutgoingMessage {

    /** Where a message ended. */
    public enum State {
        /** Every chunk was accepted by the next hop (200). */
        DELIVERED,
        /** The sender cancelled it; the receiver got a chunk ending in {@code #}. */
        CANCELLED,
        /** The next hop answered a chunk with an error code, e.g. 413. */
        REFUSED,
        /** A chunk got no answer in time, or the connection failed or closed. */
        FAILED
    }

    /**
     * How a message ended.
     *
     * @param state        which way
     * @param code         the refusing response's code; 408 for a timeout, 0 otherwise
     * @param reason       what happened, for logs
     * @param acknowledged bytes in chunks the next hop accepted
     */
    public record Outcome(State state, int code, String reason, long acknowledged) {
    }

    /** Receives the REPORTs of a message (RFC 4975 §7.1.2): its progress or failure as the receiver saw it. */
    @FunctionalInterface
    public interface ReportListener {
        void report(MsrpRequest report);
    }

    private static final Logger log = Logger.getLogger(OutgoingMessage.class.getName());

    private final MsrpConnection connection;
    private final List<MsrpUri> toPath;
    private final List<MsrpUri> fromPath;
    private final MessageBody body;
    private final SendOptions options;
    private final ReportListener reports;
    private final String messageId = MsrpServer.randomId(10);
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    /** The previous message's {@link #started}. */
    private final CompletableFuture<Void> after;
    /** Completes once this message's first chunk is written, or it ended without one. */
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    private int inFlight;
    private boolean cancelled;
    private Outcome stop;
    private long acknowledged;

    /**
     * @param after completes when the message sent before this one on the connection has written its first chunk:
     *              this one's first chunk waits for it, so that messages start in the order they were sent
     */
    OutgoingMessage(MsrpConnection connection, List<MsrpUri> toPath, List<MsrpUri> fromPath,
                    MessageBody body, SendOptions options, ReportListener reports, CompletableFuture<Void> after) {
        this.after = after;
        this.connection = connection;
        this.toPath = List.copyOf(toPath);
        this.fromPath = List.copyOf(fromPath);
        this.body = body;
        this.options = options;
        this.reports = reports;
    }

    /** The Message-ID of every chunk. */
    public String messageId() {
        return messageId;
    }

    /** Completes when the message is delivered, cancelled, refused or failed; never exceptionally. */
    public CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    /** Interrupts the message before its next chunk; too late once the last chunk is written. */
    public synchronized void cancel() {
        cancelled = true;
        notifyAll();
    }

    /** Completes once this message's first chunk is written, or it ended without one. */
    CompletableFuture<Void> started() {
        return started;
    }

    void start() {
        Thread sender = new Thread(this::run, "sylk-msrp-send-" + messageId);
        sender.setDaemon(true);
        sender.start();
    }

    void reported(MsrpRequest report) {
        try {
            reports.report(report);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "report listener of message " + messageId + " failed", e);
        }
    }

    private void run() {
        try {
            sendChunks();
        } finally {
            started.complete(null);
        }
    }

    private void sendChunks() {
        try (body) {
            try {
                after.get();
            } catch (java.util.concurrent.ExecutionException e) {
                log.log(Level.FINE, "the message before " + messageId + " failed", e);
            }
            long total = body.size();
            long offset = 0;
            do {
                boolean interrupted;
                synchronized (this) {
                    while (inFlight >= options.window() && stop == null && !cancelled) {
                        wait();
                    }
                    if (stop != null) {
                        break;
                    }
                    interrupted = cancelled;
                    if (interrupted) {
                        stop = new Outcome(State.CANCELLED, 0, "cancelled after " + offset + " of " + total
                                + " bytes", acknowledged);
                    }
                }
                if (interrupted) {
                    interrupt(offset, total);
                    break;
                }
                int length = (int) Math.min(options.chunkSize(), total - offset);
                boolean last = offset + length == total;
                send(chunk(new ByteRange(offset + 1, offset + length, total), body.read(offset, length),
                        last ? Continuation.COMPLETE : Continuation.MORE), length);
                started.complete(null); // the next message may start
                offset += length;
            } while (offset < total);
            synchronized (this) {
                while (inFlight > 0 && stop == null) {
                    wait();
                }
                outcome.complete(stop != null ? stop
                        : new Outcome(State.DELIVERED, 0, total + " bytes delivered", acknowledged));
            }
        } catch (IOException e) {
            finish(failed(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(new Outcome(State.FAILED, 0, "sender interrupted", acknowledged()));
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "sending message " + messageId + " failed", e);
            finish(new Outcome(State.FAILED, 0, e.toString(), acknowledged()));
        }
    }

    private synchronized long acknowledged() {
        return acknowledged;
    }

    private synchronized void finish(Outcome end) {
        if (stop == null) {
            stop = end;
        }
        outcome.complete(stop);
    }

    private MsrpRequest chunk(ByteRange range, byte[] data, Continuation flag) {
        List<MsrpHeader> headers = new ArrayList<>();
        headers.add(new MsrpHeader(Headers.MESSAGE_ID, messageId));
        headers.add(new MsrpHeader(Headers.BYTE_RANGE, range.toString()));
        if (options.successReport() != null) {
            headers.add(new MsrpHeader(Headers.SUCCESS_REPORT, options.successReport()));
        }
        if (options.failureReport() != null) {
            headers.add(new MsrpHeader(Headers.FAILURE_REPORT, options.failureReport()));
        }
        headers.add(new MsrpHeader(Headers.CONTENT_TYPE, options.contentType()));
        return new MsrpRequest(MsrpServer.randomId(8), MsrpRequest.SEND, toPath, fromPath, headers, data, flag);
    }

    /** Writes one chunk; how its response counts depends on the Failure-Report asked for (RFC 4975 §7.1.1). */
    private void send(MsrpRequest chunk, int length) throws IOException, InterruptedException {
        connection.awaitRoom(chunk.body().length); // paced by the peer's reading, whatever the Failure-Report
        String failureReport = options.failureReport() == null ? "yes" : options.failureReport();
        if (failureReport.equals("no")) {
            connection.send(chunk); // no response will come
            synchronized (this) {
                acknowledged += length;
            }
            return;
        }
        boolean waits = failureReport.equals("yes");
        synchronized (this) {
            if (waits) {
                inFlight++;
            } else {
                acknowledged += length;
            }
        }
        connection.transaction(chunk).whenComplete((response, error) -> answered(response, error, length, waits));
    }

    private synchronized void answered(MsrpResponse response, Throwable error, int length, boolean waits) {
        if (waits) {
            inFlight--;
        }
        if (error instanceof TimeoutException && !waits) {
            return; // Failure-Report partial: silence means success
        }
        if (response != null && response.code() == 200) {
            if (waits) {
                acknowledged += length;
            }
        } else if (stop == null) {
            stop = response != null
                    ? new Outcome(State.REFUSED, response.code(), "chunk refused: " + response.code()
                    + (response.comment() == null ? "" : " " + response.comment()), acknowledged)
                    : failed(error);
        }
        notifyAll();
    }

    private synchronized Outcome failed(Throwable error) {
        if (error instanceof TimeoutException) {
            return new Outcome(State.FAILED, 408, "no response within "
                    + MsrpServer.TRANSACTION_TIMEOUT.toSeconds() + " s", acknowledged);
        }
        return new Outcome(State.FAILED, 0, String.valueOf(error.getMessage()), acknowledged);
    }

    /** RFC 4975 §7.1.1: an empty chunk at the next offset, ending in {@code #}, tells the receiver to give up. */
    private void interrupt(long offset, long total) {
        try {
            connection.transaction(chunk(new ByteRange(offset + 1, offset, total), new byte[0],
                    Continuation.ABORTED));
        } catch (RuntimeException e) {
            log.log(Level.FINE, "cannot interrupt message " + messageId, e);
        }
    }
}
