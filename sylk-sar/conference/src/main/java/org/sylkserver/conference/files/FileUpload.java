package org.sylkserver.conference.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.ByteRange;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * A file arriving in a room over its MSRP session (RFC 5547 §8.2): each chunk is written where its Byte-Range says
 * (RFC 4975 §7.1.1; chunks may come in any order), into a hidden partial file. When the last byte is there the
 * file is hashed, checked against the offered hash and size, and listed by the room; an interrupted, oversized or
 * abandoned upload is deleted and never listed. Chunks that come in order (the usual case) are hashed as they
 * arrive, so that the success report need not wait for the whole file to be read back; any other order falls back
 * to hashing the stored file.
 *
 * <p>State: requests come on the session's connection thread; {@link #abort} from the SIP side. Both lock this.
 */
public final class FileUpload implements MsrpServer.Handler {

    private static final Logger log = Logger.getLogger(FileUpload.class.getName());

    enum State { RECEIVING, DONE, FAILED }

    private final RoomFiles files;
    private final FileSelector offered;
    private final String sender;
    private final long limit;
    private final Consumer<RoomFiles.RoomFile> onDone;
    private final Consumer<String> onFailure;
    private final Path partial;
    private final FileChannel channel;
    /** Received byte ranges, start (0-based) to end (exclusive), merged. */
    private final TreeMap<Long, Long> received = new TreeMap<>();
    /** SHA-1 of the bytes before {@link #hashed}, or null once a chunk came out of order. */
    private MessageDigest inOrder = RoomFiles.newSha1();
    private long hashed;
    private long total = -1;
    /** Space taken from the room's quota: the highest end written so far. */
    private long reserved;
    private State state = State.RECEIVING;
    public volatile MsrpUri localUri;
    private MsrpConnection connection;

    /**
     * @param limit largest accepted size in bytes, 0 for none
     */
    public FileUpload(RoomFiles files, FileSelector offered, String sender, long limit,
               Consumer<RoomFiles.RoomFile> onDone, Consumer<String> onFailure) throws IOException {
        this.files = files;
        this.offered = offered;
        this.sender = sender;
        this.limit = limit;
        this.onDone = onDone;
        this.onFailure = onFailure;
        this.partial = files.partial();
        this.channel = FileChannel.open(partial, StandardOpenOption.WRITE);
    }

    @Override
    public synchronized int request(MsrpRequest request, MsrpConnection connection) {
        if (this.connection == null && connection != null) {
            this.connection = connection;
            // a sender that goes away (or is cut off) mid-file: the upload fails and its session ends
            connection.whenClosed(() -> abort("the connection closed before the whole file came"));
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
        ByteRange range = request.byteRange().orElse(new ByteRange(1, ByteRange.UNKNOWN, ByteRange.UNKNOWN));
        byte[] body = request.hasBody() ? request.body() : new byte[0];
        long start = range.start() - 1;
        long end = start + body.length;
        if (range.end() != ByteRange.UNKNOWN && range.end() != end) {
            // RFC 4975 §7.1.1: the data must be what the Byte-Range says; storing it elsewhere would corrupt the file
            fail("a chunk of " + body.length + " bytes for range " + range);
            return 400;
        }
        if (range.total() != ByteRange.UNKNOWN) {
            total = range.total();
        }
        if (limit > 0 && (end > limit || total > limit)) {
            fail("larger than the room accepts (" + FileSizes.format(limit) + ")");
            return 413;
        }
        if (offered.size() >= 0 && end > offered.size()) {
            fail("more data than the offered " + offered.size() + " bytes");
            return 413;
        }
        if (end > reserved) {
            if (!files.reserve(end - reserved)) {
                fail(files.quotaText());
                return 413;
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
            log.log(Level.WARNING, "cannot store a chunk of " + this, e);
            fail("cannot store the file");
            return 403;
        }
        if (end > start) {
            mark(start, end);
            hash(start, body);
        }
        switch (request.continuation()) {
            case ABORTED -> fail("interrupted by the sender");
            case COMPLETE -> {
                if (total < 0) {
                    total = end; // Byte-Range total '*': the last chunk tells the size
                }
                finishIfComplete(request, connection);
            }
            default -> finishIfComplete(request, connection);
        }
        return 200;
    }

    private void hash(long start, byte[] body) {
        if (inOrder != null && start == hashed) {
            inOrder.update(body);
            hashed += body.length;
        } else {
            inOrder = null;
        }
    }

    private void mark(long start, long end) {
        Map.Entry<Long, Long> before = received.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        Map.Entry<Long, Long> next;
        while ((next = received.ceilingEntry(start)) != null && next.getKey() <= end) {
            end = Math.max(end, next.getValue());
            received.remove(next.getKey());
        }
        received.put(start, end);
    }

    /** Whole when one range covers 0 to the total. */
    private boolean complete() {
        if (total == 0) {
            return true;
        }
        Map.Entry<Long, Long> first = received.firstEntry();
        return total > 0 && first != null && first.getKey() == 0 && first.getValue() >= total;
    }

    private void finishIfComplete(MsrpRequest last, MsrpConnection connection) {
        if (!complete()) {
            return;
        }
        RoomFiles.RoomFile file;
        try {
            channel.truncate(total);
            channel.close();
            if (offered.size() >= 0 && total != offered.size()) {
                fail(total + " bytes received, " + offered.size() + " offered");
                return;
            }
            String hash = inOrder != null && hashed == total ? FileSelector.sha1Hash(inOrder.digest())
                    : RoomFiles.sha1(partial);
            if (offered.hash() != null && !offered.hash().equalsIgnoreCase(hash)) {
                fail("the file's hash " + hash + " is not the offered " + offered.hash());
                return;
            }
            file = files.add(partial, offered.name(), offered.type(), hash, sender);
            files.release(reserved - total);
            reserved = total;
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot store " + this, e);
            fail("cannot store the file");
            return;
        }
        state = State.DONE;
        if (last.successReport().map(v -> v.equalsIgnoreCase("yes")).orElse(false)) {
            report(last, connection);
        }
        log.info(() -> "room file " + file.path().getFileName() + " (" + file.size() + " bytes, " + file.hash()
                + ") uploaded by " + sender);
        onDone.accept(file);
    }

    /** RFC 4975 §7.1.2: the success report covering the whole message. */
    private void report(MsrpRequest last, MsrpConnection connection) {
        try {
            connection.send(new MsrpRequest(HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(8)
                    .putLong(System.nanoTime()).array()), MsrpRequest.REPORT, last.fromPath(), List.of(localUri),
                    List.of(new MsrpHeader("Message-ID", last.messageId().orElse("unknown")),
                            new MsrpHeader("Byte-Range", "1-" + total + "/" + total),
                            new MsrpHeader("Status", "000 200 OK")), null, Continuation.COMPLETE));
        } catch (IOException | IllegalArgumentException e) {
            log.log(Level.FINE, "cannot report the upload of " + this, e);
        }
    }

    /** The SIP session ended (BYE, CANCEL, room gone): an unfinished upload fails and its data is deleted. */
    public synchronized void abort(String why) {
        if (state == State.RECEIVING) {
            fail(why);
        }
    }

    /** The transfer's session is over: its connection carried only this session. */
    public synchronized void closeConnection() {
        if (connection != null) {
            connection.close();
        }
    }

    synchronized State state() {
        return state;
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
