package org.sylkserver.protocols.msrp;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Puts incoming chunks (RFC 4975 §5.1, §7.1.1) back together into the {@link MessageSink} the session chose for
 * each message, by Message-ID. Chunks may arrive in any order and overlap: a message is complete when its total
 * is known (from a Byte-Range, or from the end of the chunk flagged {@code $}) and every byte up to it has been
 * written. A chunk ending in {@code #} aborts the message; one past the size limit aborts it and is answered
 * 413 (§7.1.1, §10), as is one that would take the bytes held for incomplete messages past their limit (a peer
 * that starts many messages and never ends them holds no more than that). A SEND without Byte-Range is the whole
 * message (§7.1.1). The chunk that completes a message is answered with what the sink's
 * {@link MessageSink#complete} returns; a sink that refuses the message ({@link MessageSink.Refusal}, when it is
 * opened, written or completed) has the chunk answered with the refusal's status.
 *
 * <p>The one reassembly path of the server: sessions pass every SEND chunk to {@link #accept} and answer with the
 * code it returns, and call {@link #abortAll} when they end.
 *
 * <p>Called from the session's request handler ({@code MsrpServer.Handler} in media-engine), on the connection's thread; synchronized in case a
 * session's chunks come over more than one connection.
 */
public final class MessageAssembler {

    /** Chooses where a new message goes, given its first chunk to arrive (its headers say what it is). */
    @FunctionalInterface
    public interface Sinks {
        MessageSink open(MsrpRequest firstChunk) throws IOException;
    }

    private static final Logger log = Logger.getLogger(MessageAssembler.class.getName());

    private final Sinks sinks;
    private final long maxMessageBytes;
    private final long maxPendingBytes;
    private final Map<String, Partial> partial = new HashMap<>();
    /** Chunk bytes accepted for the messages in {@link #partial}. */
    private long pendingBytes;

    /**
     * @param sinks           where messages go
     * @param maxMessageBytes the largest message accepted
     */
    public MessageAssembler(Sinks sinks, long maxMessageBytes) {
        this(sinks, maxMessageBytes, Long.MAX_VALUE);
    }

    /**
     * @param sinks           where messages go
     * @param maxMessageBytes the largest message accepted
     * @param maxPendingBytes the most chunk bytes held for incomplete messages at once (those in memory)
     */
    public MessageAssembler(Sinks sinks, long maxMessageBytes, long maxPendingBytes) {
        this.sinks = sinks;
        this.maxMessageBytes = maxMessageBytes;
        this.maxPendingBytes = maxPendingBytes;
    }

    /** A message under way: its sink, the byte intervals written (start to end, exclusive), the total. */
    private static final class Partial {
        final MessageSink sink;
        final TreeMap<Long, Long> written = new TreeMap<>();
        long total = ByteRange.UNKNOWN;
        /** Chunk bytes accepted for it, counted in {@link #pendingBytes}. */
        long held;

        Partial(MessageSink sink) {
            this.sink = sink;
        }

        void add(long start, long end) {
            Map.Entry<Long, Long> before = written.floorEntry(start);
            if (before != null && before.getValue() >= start) {
                start = before.getKey();
                end = Math.max(end, before.getValue());
            }
            for (Map.Entry<Long, Long> next = written.ceilingEntry(start); next != null && next.getKey() <= end;
                 next = written.ceilingEntry(start)) {
                end = Math.max(end, next.getValue());
                written.remove(next.getKey());
            }
            if (end > start) {
                written.put(start, end);
            }
        }

        boolean complete() {
            return total == 0 || total > 0 && written.size() == 1 && written.firstKey() == 0
                    && written.firstEntry().getValue() == total;
        }
    }

    /**
     * Takes one SEND chunk and returns the status code to answer it with: 200, 400 for a Byte-Range that does not
     * fit the chunk or the message, 413 past the size limit, 500 when the sink fails.
     */
    public synchronized int accept(MsrpRequest chunk) {
        String id = chunk.messageId().orElse(null);
        if (id == null) {
            return 400;
        }
        ByteRange range = chunk.byteRange().orElse(new ByteRange(1, ByteRange.UNKNOWN, ByteRange.UNKNOWN));
        byte[] data = chunk.hasBody() ? chunk.body() : new byte[0];
        long start = range.start() - 1;
        long end = start + data.length;
        Partial message = partial.get(id);
        if (message == null) {
            if (chunk.continuation() == Continuation.ABORTED) {
                return 200; // nothing of it kept
            }
            try {
                message = new Partial(sinks.open(chunk));
            } catch (MessageSink.Refusal refused) {
                return refused.status();
            } catch (IOException e) {
                log.log(Level.WARNING, "no place for message " + id, e);
                return 500;
            }
            partial.put(id, message);
        }
        if (chunk.continuation() == Continuation.ABORTED) {
            drop(id, message, "interrupted by the sender");
            return 200;
        }
        if (range.end() != ByteRange.UNKNOWN && range.end() != end
                || range.total() != ByteRange.UNKNOWN && message.total != ByteRange.UNKNOWN
                && range.total() != message.total) {
            long known = message.total;
            log.info(() -> "message " + id + ": Byte-Range " + range + " does not fit a chunk of " + data.length
                    + " bytes" + (known == ByteRange.UNKNOWN ? "" : " of a message of " + known));
            drop(id, message, "a chunk of " + data.length + " bytes for range " + range);
            return 400;
        }
        if (range.total() != ByteRange.UNKNOWN) {
            message.total = range.total();
        } else if (chunk.continuation() == Continuation.COMPLETE && message.total == ByteRange.UNKNOWN) {
            message.total = end;
        }
        if (end > maxMessageBytes || message.total > maxMessageBytes) {
            drop(id, message, "larger than " + maxMessageBytes + " bytes");
            return 413;
        }
        if (message.total != ByteRange.UNKNOWN && end > message.total) {
            drop(id, message, "a chunk of " + data.length + " bytes for range " + range);
            return 400;
        }
        if (pendingBytes + data.length > maxPendingBytes) {
            drop(id, message, "more than " + maxPendingBytes + " bytes of incomplete messages");
            return 413;
        }
        try {
            message.sink.write(start, data);
            message.add(start, end);
            message.held += data.length;
            pendingBytes += data.length;
            if (message.complete()) {
                forget(id, message);
                return message.sink.complete(message.total);
            }
        } catch (MessageSink.Refusal refused) {
            drop(id, message, refused.getMessage());
            return refused.status();
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot store message " + id, e);
            drop(id, message, "cannot store it");
            return 500;
        }
        return 200;
    }

    /** The session ended: every message still incomplete is aborted. */
    public synchronized void abortAll() {
        partial.values().forEach(message -> message.sink.abort("the session ended"));
        partial.clear();
        pendingBytes = 0;
    }

    private void drop(String id, Partial message, String why) {
        forget(id, message);
        message.sink.abort(why);
    }

    private void forget(String id, Partial message) {
        if (partial.remove(id) != null) {
            pendingBytes -= message.held;
        }
    }
}
