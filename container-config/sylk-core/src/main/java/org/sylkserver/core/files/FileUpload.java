package org.sylkserver.core.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.ByteRange;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MessageAssembler;
import org.sylkserver.protocols.msrp.MessageSink;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * A file arriving over its MSRP session (RFC 5547 §8.2): the protocols' {@link MessageAssembler} puts
 * its chunks together (RFC 4975 §7.1.1; chunks may come in any order) into this upload's sink, which writes each
 * where its Byte-Range says into a hidden partial file, refusing with 413 what is larger than the application takes
 * (its limit, the offered size, the store's quota) and with 403 what it cannot store. When the last byte is there the
 * file is hashed, checked against the offered hash and size, and handed to the store; an interrupted, oversized or
 * abandoned upload is deleted and never listed. Chunks that come in order (the usual case) are hashed as they
 * arrive, so that the success report need not wait for the whole file to be read back; any other order falls back
 * to hashing the stored file.
 *
 * <p>Threads: its state belongs to the application's executor ({@code owner}, a room's or a transfer's): a chunk
 * arrives on the connection's thread, which waits while the executor stores it (the status of the response); the end
 * of the session is posted there.
 */
public final class FileUpload<F> implements MsrpServer.Handler {

    private static final Logger log = Logger.getLogger(FileUpload.class.getName());

    enum State { RECEIVING, DONE, FAILED }

    private final UploadStore<F> files;
    private final FileSelector offered;
    private final String sender;
    private final long limit;
    private final Consumer<F> onDone;
    private final Consumer<String> onFailure;
    private final Executor owner;
    private final Path partial;
    private final FileChannel channel;
    private final MessageAssembler assembler = new MessageAssembler(this::open, Long.MAX_VALUE);
    /** SHA-1 of the bytes before {@link #hashed}, or null once a chunk came out of order. */
    private MessageDigest inOrder = FileSelector.newSha1();
    private long hashed;
    /** Space taken from the store's quota: the highest end written so far. */
    private long reserved;
    private State state = State.RECEIVING;
    private MsrpUri localUri;
    private MsrpConnection connection;
    /** The chunk being stored: the last one, when it completes the file, says whether a report is wanted. */
    private MsrpRequest current;

    /**
     * @param limit largest accepted size in bytes, 0 for none
     * @param owner the executor its state belongs to
     */
    public FileUpload(UploadStore<F> files, FileSelector offered, String sender, long limit,
                      Consumer<F> onDone, Consumer<String> onFailure, Executor owner)
            throws IOException {
        this.files = files;
        this.offered = offered;
        this.sender = sender;
        this.limit = limit;
        this.onDone = onDone;
        this.onFailure = onFailure;
        this.owner = owner;
        this.partial = files.partial();
        this.channel = FileChannel.open(partial, StandardOpenOption.WRITE);
    }

    /** Our end of the session, once the MSRP server opened it (before the sender can connect). */
    public void localUri(MsrpUri local) {
        owner.execute(() -> localUri = local);
    }

    @Override
    public int request(MsrpRequest request, MsrpConnection connection) {
        return CompletableFuture.supplyAsync(() -> take(request, connection), owner).join();
    }

    private int take(MsrpRequest request, MsrpConnection on) {
        if (connection == null && on != null) {
            connection = on;
            // a sender that goes away (or is cut off) mid-file: the upload fails and its session ends
            on.whenClosed(() -> abort("the connection closed before the whole file came"));
        }
        if (!request.method().equals(MsrpRequest.SEND)) {
            return request.method().equals(MsrpRequest.REPORT) ? 200 : 501;
        }
        if (state != State.RECEIVING) {
            return state == State.DONE && !request.hasBody() ? 200 : 481;
        }
        if (!request.hasBody() && request.continuation() != Continuation.ABORTED) {
            return 200; // binds the connection (RFC 4975 §5.4) or keeps it alive
        }
        current = request;
        return assembler.accept(request);
    }

    /** The file's first chunk to arrive: a declared size over the limit is refused at once. */
    private MessageSink open(MsrpRequest first) throws IOException {
        long total = first.byteRange().map(ByteRange::total).orElse(ByteRange.UNKNOWN);
        if (limit > 0 && total != ByteRange.UNKNOWN && total > limit) {
            throw refuse(413, "larger than accepted here (" + FileSizes.format(limit) + ")");
        }
        return new PartialFile();
    }

    /** The upload's sink: the chunks into the partial file, the quota taken as it grows. */
    private final class PartialFile implements MessageSink {

        @Override
        public void write(long start, byte[] body) throws IOException {
            long end = start + body.length;
            if (limit > 0 && end > limit) {
                throw refuse(413, "larger than accepted here (" + FileSizes.format(limit) + ")");
            }
            if (offered.size() >= 0 && end > offered.size()) {
                throw refuse(413, "more data than the offered " + offered.size() + " bytes");
            }
            if (end > reserved) {
                if (!files.reserve(end - reserved)) {
                    throw refuse(413, files.quotaText());
                }
                reserved = end;
            }
            try {
                ByteBuffer data = ByteBuffer.wrap(body);
                long position = start;
                while (data.hasRemaining()) {
                    position += channel.write(data, position);
                }
            } catch (IOException e) {
                log.log(Level.WARNING, "cannot store a chunk of " + FileUpload.this, e);
                throw refuse(403, "cannot store the file");
            }
            if (end > start) {
                hash(start, body);
            }
        }

        @Override
        public int complete(long size) {
            finish(size);
            return 200;
        }

        @Override
        public void abort() {
            abort("interrupted");
        }

        @Override
        public void abort(String why) {
            if (state == State.RECEIVING) {
                fail(why);
            }
        }
    }

    /** The upload fails for {@code why}, and the chunk is answered {@code status}. */
    private MessageSink.Refusal refuse(int status, String why) {
        fail(why);
        return new MessageSink.Refusal(status, why);
    }

    private void hash(long start, byte[] body) {
        if (inOrder != null && start == hashed) {
            inOrder.update(body);
            hashed += body.length;
        } else {
            inOrder = null;
        }
    }

    /** Every byte is there: the file is checked, then handed to the store. */
    private void finish(long total) {
        F file;
        String hash;
        try {
            channel.truncate(total);
            channel.close();
            if (offered.size() >= 0 && total != offered.size()) {
                fail(total + " bytes received, " + offered.size() + " offered");
                return;
            }
            hash = inOrder != null && hashed == total ? FileSelector.sha1Hash(inOrder.digest())
                    : FileSelector.sha1(partial);
            if (offered.hash() != null && !offered.hash().equalsIgnoreCase(hash)) {
                fail("the file's hash " + hash + " is not the offered " + offered.hash());
                return;
            }
            file = files.add(partial, offered, hash, sender);
            files.release(reserved - total);
            reserved = total;
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot store " + this, e);
            fail("cannot store the file");
            return;
        }
        state = State.DONE;
        MsrpRequest last = current;
        if (connection != null && last.successReport().map(v -> v.equalsIgnoreCase("yes")).orElse(false)) {
            report(last, total);
        }
        String stored = hash;
        log.info(() -> this + " (" + total + " bytes, " + stored + ") uploaded");
        onDone.accept(file);
    }

    /** RFC 4975 §7.1.2: the success report covering the whole message. */
    private void report(MsrpRequest last, long total) {
        try {
            connection.send(MsrpRequest.successReport(HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(8)
                    .putLong(System.nanoTime()).array()), last, localUri, total));
        } catch (IOException | IllegalArgumentException | java.util.NoSuchElementException e) {
            log.log(Level.FINE, "cannot report the upload of " + this, e);
        }
    }

    /** The SIP session ended (BYE, CANCEL, room gone): an unfinished upload fails and its data is deleted. */
    public void abort(String why) {
        owner.execute(() -> {
            if (state == State.RECEIVING) {
                fail(why);
            }
            assembler.abortAll();
        });
    }

    /** The transfer's session is over: its connection carried only this session. */
    public void closeConnection() {
        owner.execute(() -> {
            if (connection != null) {
                connection.close();
            }
        });
    }

    private void fail(String why) {
        state = State.FAILED;
        files.release(reserved);
        reserved = 0;
        try {
            channel.close();
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot delete the partial upload " + partial, e);
        }
        log.info(() -> "upload of " + this + " failed: " + why);
        onFailure.accept(why);
    }

    @Override
    public String toString() {
        return "'" + offered.name() + "' from " + sender;
    }
}
