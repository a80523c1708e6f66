package org.sylkserver.protocols.msrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reassembly of incoming chunks into a file: RFC 4975 §5.1 and §7.1.1. */
class MessageAssemblerTest {

    @TempDir
    Path dir;

    private static final java.util.concurrent.atomic.AtomicInteger TRANSACTIONS =
            new java.util.concurrent.atomic.AtomicInteger(1000);

    private final AtomicReference<Path> done = new AtomicReference<>();

    private MessageAssembler assembler(long max) {
        return new MessageAssembler(first -> MessageSink.toFile(dir.resolve(first.messageId().orElseThrow()),
                done::set), max);
    }

    private static MsrpRequest chunk(String id, String range, String data, Continuation flag) {
        List<MsrpHeader> headers = new ArrayList<>();
        headers.add(new MsrpHeader("Message-ID", id));
        if (range != null) {
            headers.add(new MsrpHeader("Byte-Range", range));
        }
        headers.add(new MsrpHeader("Content-Type", "application/octet-stream"));
        return new MsrpRequest("tr" + TRANSACTIONS.incrementAndGet() + "x", MsrpRequest.SEND,
                List.of(MsrpUri.of(false, "127.0.0.1", 1, "us", "tcp")),
                List.of(MsrpUri.of(false, "127.0.0.1", 2, "them", "tcp")), headers,
                data.getBytes(StandardCharsets.US_ASCII), flag);
    }

    /** §5.1: chunks carry their place in the message, so they can be put back in any order. */
    @Test
    void chunksInAnyOrderMakeTheMessage_rfc4975_s5_1() throws Exception {
        MessageAssembler assembler = assembler(1000);
        assertEquals(200, assembler.accept(chunk("msg00001", "11-15/15", "KLMNO", Continuation.COMPLETE)));
        assertNull(done.get(), "the $ chunk came first; the message is not whole yet");
        assertEquals(200, assembler.accept(chunk("msg00001", "1-5/*", "ABCDE", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00001", "4-10/15", "DEFGHIJ", Continuation.MORE)));
        assertEquals(dir.resolve("msg00001"), done.get());
        assertArrayEquals("ABCDEFGHIJKLMNO".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(done.get()));
    }

    /**
     * §5.1 for a chat message held in memory: chunks out of order land where their Byte-Range says (not appended in
     * arrival order), and the receiver's verdict on the whole message (§7.2, here 415) answers the last chunk.
     */
    @Test
    void aMessageInMemoryIsPutTogetherInByteRangeOrderAndAnsweredByItsReceiver_rfc4975_s5_1() {
        List<String> received = new ArrayList<>();
        MessageAssembler assembler = new MessageAssembler(first -> MessageSink.inMemory(message -> {
            received.add(new String(message, StandardCharsets.US_ASCII));
            return received.size() == 1 ? 200 : 415;
        }), 1000, 1000);
        assertEquals(200, assembler.accept(chunk("msg00010", "6-10/10", "world", Continuation.COMPLETE)));
        assertEquals(200, assembler.accept(chunk("msg00010", "1-5/10", "hello", Continuation.MORE)));
        assertEquals(List.of("helloworld"), received);
        assertEquals(415, assembler.accept(chunk("msg00011", null, "refused", Continuation.COMPLETE)));
        assertEquals(List.of("helloworld", "refused"), received);
    }

    /**
     * §7.1.1, §10: the bytes held for messages not yet complete are bounded too: the chunk that would go past the
     * bound is refused with 413 and its message dropped; the others go on.
     */
    @Test
    void chunksPastTheBoundOfIncompleteMessagesAreRefused_rfc4975_s10() {
        List<String> received = new ArrayList<>();
        MessageAssembler assembler = new MessageAssembler(first -> MessageSink.inMemory(message -> {
            received.add(new String(message, StandardCharsets.US_ASCII));
            return 200;
        }), 1000, 12);
        assertEquals(200, assembler.accept(chunk("msg00020", "1-5/10", "ABCDE", Continuation.MORE)));
        assertEquals(413, assembler.accept(chunk("msg00021", "1-8/16", "abcdefgh", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00020", "6-10/10", "FGHIJ", Continuation.COMPLETE)),
                "a message completing frees what it held");
        assertEquals(200, assembler.accept(chunk("msg00022", "1-5/5", "vwxyz", Continuation.COMPLETE)));
        assertEquals(List.of("ABCDEFGHIJ", "vwxyz"), received);
    }

    /** §7.1.1: without Byte-Range the chunk is the whole message. */
    @Test
    void aSendWithoutByteRangeIsWhole_rfc4975_s7_1_1() throws Exception {
        assertEquals(200, assembler(1000).accept(chunk("msg00002", null, "whole", Continuation.COMPLETE)));
        assertArrayEquals("whole".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(done.get()));
    }

    /** §7.1.1: a chunk ending in # interrupts the message; what was stored goes away. */
    @Test
    void anInterruptedMessageIsDropped_rfc4975_s7_1_1() {
        MessageAssembler assembler = assembler(1000);
        assembler.accept(chunk("msg00003", "1-5/10", "ABCDE", Continuation.MORE));
        assertEquals(200, assembler.accept(chunk("msg00003", "6-5/10", "", Continuation.ABORTED)));
        assertFalse(Files.exists(dir.resolve("msg00003")));
        assertNull(done.get());
    }

    /** §7.1.1, §10: over the limit is 413; a Byte-Range that contradicts the chunk or the total is 400. */
    @Test
    void oversizedAndInconsistentChunksAreRefused_rfc4975_s10() {
        MessageAssembler assembler = assembler(8);
        assertEquals(413, assembler.accept(chunk("msg00004", "1-5/20", "ABCDE", Continuation.MORE)));
        assertFalse(Files.exists(dir.resolve("msg00004")));
        assertEquals(400, assembler.accept(chunk("msg00005", "1-4/5", "ABCDE", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00006", "1-2/6", "AB", Continuation.MORE)));
        assertEquals(400, assembler.accept(chunk("msg00006", "3-4/7", "CD", Continuation.MORE)),
                "the total changed");
        assertEquals(400, assembler.accept(chunk("msg00007", "5-*/6", "XYZ", Continuation.COMPLETE)),
                "past the total");
        assertNull(done.get());
    }

    /**
     * §7.2: the receiver may refuse a message as it arrives (413 past what it takes, 403 what it may not store): a
     * sink's {@link MessageSink.Refusal} answers the chunk with its status and drops the message; a sink hears why it
     * is aborted (§7.1.1 '#', a chunk that contradicts its Byte-Range, the end of the session).
     */
    @Test
    void aSinkRefusesWithItsOwnStatusAndHearsWhyItIsAborted_rfc4975_s7_2() {
        List<String> aborted = new ArrayList<>();
        MessageAssembler assembler = new MessageAssembler(first -> {
            if (first.messageId().orElseThrow().equals("msg00030")) {
                throw new MessageSink.Refusal(413, "declared too large");
            }
            return new MessageSink() {
                @Override
                public void write(long offset, byte[] data) throws IOException {
                    if (offset + data.length > 8) {
                        throw new MessageSink.Refusal(403, "no room for it");
                    }
                }

                @Override
                public int complete(long size) {
                    return 200;
                }

                @Override
                public void abort() {
                    aborted.add("?");
                }

                @Override
                public void abort(String why) {
                    aborted.add(why);
                }
            };
        }, 1000);
        assertEquals(413, assembler.accept(chunk("msg00030", "1-5/500", "ABCDE", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00031", "1-5/20", "ABCDE", Continuation.MORE)));
        assertEquals(403, assembler.accept(chunk("msg00031", "6-10/20", "FGHIJ", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00032", "1-2/6", "AB", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00032", "3-2/6", "", Continuation.ABORTED)));
        assertEquals(400, assembler.accept(chunk("msg00033", "1-4/5", "ABCDE", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00034", "1-2/6", "AB", Continuation.MORE)));
        assembler.abortAll();
        assertEquals(List.of("no room for it", "interrupted by the sender", "a chunk of 5 bytes for range 1-4/5",
                "the session ended"), aborted);
    }

    /** An in-memory assembler that records what it opens, delivers and hears aborted. */
    private static final class Recorder {
        final List<String> opened = new ArrayList<>();
        final List<String> received = new ArrayList<>();
        final List<String> aborted = new ArrayList<>();

        MessageAssembler assembler(long maxMessage, long maxPending) {
            return new MessageAssembler(first -> {
                String id = first.messageId().orElseThrow();
                opened.add(id);
                return new MessageSink() {
                    private final MessageSink memory = MessageSink.inMemory(message -> {
                        received.add(id + ":" + new String(message, StandardCharsets.US_ASCII));
                        return 200;
                    });

                    @Override
                    public void write(long offset, byte[] data) throws IOException {
                        memory.write(offset, data);
                    }

                    @Override
                    public int complete(long size) throws IOException {
                        return memory.complete(size);
                    }

                    @Override
                    public void abort() {
                        aborted.add(id);
                    }

                    @Override
                    public void abort(String why) {
                        aborted.add(id + ": " + why);
                    }
                };
            }, maxMessage, maxPending);
        }
    }

    /**
     * §7.1.1: a '#' chunk for a message of which nothing was kept (it was refused, or the abort overtook its chunks)
     * is answered 200 and opens nothing; an aborted message gives back the bytes it held for incomplete messages.
     */
    @Test
    void anAbortFreesWhatTheMessageHeldAndAnAbortOfNothingOpensNothing_rfc4975_s7_1_1() {
        Recorder recorder = new Recorder();
        MessageAssembler assembler = recorder.assembler(1000, 10);
        assertEquals(200, assembler.accept(chunk("msg00040", "1-0/*", "", Continuation.ABORTED)));
        assertEquals(List.of(), recorder.opened, "nothing to abort, nothing opened");
        assertEquals(200, assembler.accept(chunk("msg00041", "1-8/20", "ABCDEFGH", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00041", "9-8/20", "", Continuation.ABORTED)));
        assertEquals(List.of("msg00041: interrupted by the sender"), recorder.aborted);
        assertEquals(200, assembler.accept(chunk("msg00042", "1-8/8", "abcdefgh", Continuation.COMPLETE)),
                "the aborted message's 8 bytes no longer count against the 10 of incomplete messages");
        assertEquals(List.of("msg00042:abcdefgh"), recorder.received);
    }

    /**
     * §7.1.1, §10: a message of unknown total ('*') is refused with 413 by the chunk that takes it past the limit,
     * and its sink hears why; one of exactly the limit is taken.
     */
    @Test
    void aMessageOfUnknownSizeIsRefusedWhenItGrowsPastTheLimit_rfc4975_s7_1_1() {
        Recorder recorder = new Recorder();
        MessageAssembler assembler = recorder.assembler(8, 100);
        assertEquals(200, assembler.accept(chunk("msg00050", "1-5/*", "ABCDE", Continuation.MORE)));
        assertEquals(413, assembler.accept(chunk("msg00050", "6-10/*", "FGHIJ", Continuation.MORE)));
        assertEquals(List.of("msg00050: larger than 8 bytes"), recorder.aborted);
        assertEquals(200, assembler.accept(chunk("msg00051", "1-4/*", "abcd", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00051", "5-8/*", "efgh", Continuation.COMPLETE)));
        assertEquals(List.of("msg00051:abcdefgh"), recorder.received, "exactly the limit is not past it");
    }

    /**
     * §5.1, §7.1.1: Byte-Ranges may come in any order and overlap (a chunk sent again): a gap keeps the message
     * incomplete, whatever arrived last, and the chunk that fills it completes it once, with each byte where its
     * range puts it.
     */
    @Test
    void aGapKeepsTheMessageOpenUntilOverlappingChunksFillIt_rfc4975_s5_1() {
        Recorder recorder = new Recorder();
        MessageAssembler assembler = recorder.assembler(1000, 1000);
        assertEquals(200, assembler.accept(chunk("msg00060", "7-9/9", "GHI", Continuation.COMPLETE)));
        assertEquals(200, assembler.accept(chunk("msg00060", "1-3/9", "ABC", Continuation.MORE)));
        assertEquals(List.of(), recorder.received, "bytes 4-6 are missing");
        assertEquals(200, assembler.accept(chunk("msg00060", "2-5/9", "BCDE", Continuation.MORE)));
        assertEquals(List.of(), recorder.received, "byte 6 is still missing");
        assertEquals(200, assembler.accept(chunk("msg00060", "5-7/9", "EFG", Continuation.MORE)));
        assertEquals(List.of("msg00060:ABCDEFGHI"), recorder.received);
        assertEquals(List.of("msg00060"), recorder.opened, "one message, one sink");
    }

    /**
     * §7.3.1: the receiver answers a message it will not take with an error response, and keeps nothing of it: once
     * a message was refused with 413 the chunks of it still on their way are refused too and nothing of it is
     * delivered, while other messages of the session go on. (A SEND without Message-ID never gets here: the codec
     * refuses it, {@code MsrpRequest}.)
     */
    @Test
    void theRestOfARefusedMessageIsRefusedAndNothingOfItKept_rfc4975_s7_3_1() {
        Recorder recorder = new Recorder();
        MessageAssembler assembler = recorder.assembler(8, 100);
        assertEquals(413, assembler.accept(chunk("msg00070", "1-5/20", "ABCDE", Continuation.MORE)));
        assertEquals(413, assembler.accept(chunk("msg00070", "6-10/20", "FGHIJ", Continuation.MORE)));
        assertEquals(200, assembler.accept(chunk("msg00071", "1-3/3", "xyz", Continuation.COMPLETE)));
        assertEquals(413, assembler.accept(chunk("msg00070", "11-20/20", "KLMNOPQRST", Continuation.COMPLETE)));
        assertEquals(List.of("msg00071:xyz"), recorder.received);
        assertEquals(List.of("msg00070: larger than 8 bytes", "msg00070: larger than 8 bytes",
                "msg00070: larger than 8 bytes"), recorder.aborted, "each chunk of it is dropped, none is kept");
    }
}
