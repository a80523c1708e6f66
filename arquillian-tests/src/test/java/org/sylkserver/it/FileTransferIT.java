package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * File transfer to a conference room (RFC 5547 §8.2, spec §3.5, issue 5): a participant uploads a file in a
 * session of its own; the room stores it whole (same SHA-256 as sent), tells the chat, and ends the session; an
 * upload cut short leaves nothing behind.
 */
@ExtendWith(ArquillianExtension.class)
class FileTransferIT {

    /** Where the test server keeps the rooms' files: {@code <spool>/conference/files/<room>}. */
    private static final Path FILES = Path.of("target/sylk-it/var/spool/sylkserver/conference/files");

    @AfterAll
    static void closeSipConnections() throws IOException {
        ChatClient.closeSipConnections();
    }

    /** conference.ini is read when the application is deployed: uploads are pushed to the others. */
    @Deployment(testable = false)
    static EnterpriseArchive conference() {
        try {
            ServerConfig.write("conference.ini", "[Conference]\npush_file_transfer = true\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Archives.all();
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    static String sha1Selector(byte[] data) throws Exception {
        return "sha-1:" + HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-1").digest(data));
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** RFC 5547 §8.2: the offer of a file to send. */
    private static String upload(ChatClient client, String name, long size, String hash) {
        return "m=message 9 TCP/TLS/MSRP *\r\na=sendonly\r\na=accept-types:*\r\na=path:" + client.ownPath
                + "\r\na=setup:active\r\na=file-selector:name:\"" + name + "\" type:application/octet-stream size:"
                + size + (hash == null ? "" : " hash:" + hash) + "\r\na=file-transfer-id:ft" + client.unique + "\r\n";
    }

    /** Uploads {@code data} in chunks of {@code chunk} bytes, checking each 200 and the final success REPORT. */
    static void send(ChatClient uploader, byte[] data, int chunk) throws Exception {
        String messageId = "file" + uploader.unique;
        int from = 0;
        int n = 0;
        do {
            int to = Math.min(data.length, from + chunk);
            String tid = "ch" + uploader.unique + "x" + n++;
            uploader.sendChunk(tid, messageId, data, from, to, data.length, to == data.length ? '$' : '+');
            uploader.readUntil(m -> m.startsWith("MSRP " + tid + " 200"), "the 200 to chunk " + tid);
            from = to;
        } while (from < data.length);
        // the REPORT may come before the last chunk's 200 (both follow its arrival)
        String report = uploader.inbox.stream().filter(m -> m.contains(" REPORT\r\n")).findFirst()
                .orElseGet(() -> uncheckedRead(uploader));
        assertTrue(report.contains("Status: 000 200"), report);
        assertTrue(report.contains("Byte-Range: 1-" + data.length + "/" + data.length), report);
    }

    private static String uncheckedRead(ChatClient client) {
        try {
            return client.readUntil(m -> m.contains(" REPORT\r\n"), "the success report");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void uploadsOfEverySizeAreStoredWholeAndAnnounced_rfc5547_8_2() throws Exception {
        // everyone in the room is alice (two devices): no other participant to push the files to
        try (ChatClient alice = new ChatClient("alice", "filesroom"); ChatClient bob = new ChatClient("alice", "filesroom")) {
            alice.join();
            bob.join();
            int[] sizes = {0, 1, 1_000_000, 100 * 1024 * 1024};
            for (int size : sizes) {
                byte[] data = random(size);
                String name = "upload-" + size + ".bin";
                ChatClient uploader = new ChatClient("alice", "filesroom");
                String ok = uploader.invite(upload(uploader, name, size, sha1Selector(data)));
                assertTrue(ok.startsWith("SIP/2.0 200"), ok);
                assertTrue(ok.contains("a=recvonly") && ok.contains("a=file-selector:name:\"" + name + "\""), ok);
                assertTrue(ok.contains("a=file-transfer-id:ft" + uploader.unique), "RFC 5547 §6 id echoed: " + ok);
                uploader.connect(ok);
                long started = System.nanoTime();
                send(uploader, data, 1024 * 1024);
                long millis = (System.nanoTime() - started) / 1_000_000;
                System.out.println("upload of " + size + " bytes took " + millis + " ms");
                bob.readUntil(m -> m.contains("is uploading file upload-" + size), "the upload notice");
                bob.readUntil(m -> m.contains("has uploaded file " + name), "the uploaded notice");
                uploader.awaitBye(); // spec §3.5: the room ends the transfer's session after it
                Path stored = FILES.resolve("filesroom@127.0.0.1").resolve(name);
                assertEquals(sha256(data), sha256(Files.readAllBytes(stored)), "the stored file is the file sent");
                // RFC 5547 §8.3: a participant asks for the file by its hash and gets the same bytes
                ChatClient downloader = new ChatClient("carol", "filesroom");
                String offer = downloader.invite("m=message 9 TCP/TLS/MSRP *\r\na=recvonly\r\na=accept-types:*\r\n"
                        + "a=path:" + downloader.ownPath + "\r\na=setup:active\r\na=file-selector:hash:"
                        + sha1Selector(data) + "\r\n");
                assertTrue(offer.startsWith("SIP/2.0 200") && offer.contains("a=sendonly"), offer);
                assertTrue(offer.contains("name:\"" + name + "\"") && offer.contains("size:" + size),
                        "the answer describes the file: " + offer);
                downloader.connect(offer, false);
                long pullStarted = System.nanoTime();
                byte[] pulled = downloader.receiveMessage();
                System.out.println("download of " + size + " bytes took " + (System.nanoTime() - pullStarted) / 1_000_000 + " ms");
                assertEquals(sha256(data), sha256(pulled), "the file downloaded is the file uploaded");
                downloader.awaitBye();
            }
            // the transfer sessions were not participants: nobody joined or left
            assertTrue(bob.inbox.stream().noneMatch(m -> m.contains("has left the room")), bob.inbox.toString());
            assertTrue(bob.inbox.stream().noneMatch(m -> m.contains("has joined the room")), bob.inbox.toString());
        }
        // the room ends with its last participant's BYE, just after the 200
        ServerLogs.await("room filesroom@127.0.0.1 destroyed", java.time.Duration.ofSeconds(10));
        assertFalse(Files.exists(FILES.resolve("filesroom@127.0.0.1")), "the room's files went with the room");
    }

    /**
     * Waits until the room exists: a call joins its room after its ACK, on the call's own executor (spec §3.1), so a
     * file offer sent right after the 200 may otherwise find no room yet (404).
     */
    private static void inRoom(String room) throws Exception {
        ServerLogs.await("joined room " + room + "@127.0.0.1", java.time.Duration.ofSeconds(10));
    }

    @Test
    void anUploadCutShortIsNeverListedAndLeavesNothing() throws Exception {
        try (ChatClient bob = new ChatClient("bob", "cutroom")) {
            bob.join();
            inRoom("cutroom");
            byte[] data = random(3 * 1024 * 1024);
            ChatClient uploader = new ChatClient("alice", "cutroom");
            String ok = uploader.invite(upload(uploader, "cut.bin", data.length, sha1Selector(data)));
            uploader.connect(ok);
            uploader.sendChunk("cut00001", "cutmsg01", data, 0, 1024 * 1024, data.length, '+');
            uploader.readUntil(m -> m.startsWith("MSRP cut00001 200"), "the first chunk's 200");
            uploader.close(); // the sender hangs up mid-transfer
            bob.readUntil(m -> m.contains("File transfer for cut.bin failed"), "the failure notice");
            // another sender's connection drops without a BYE: the room fails the upload and hangs up
            ChatClient dropped = new ChatClient("carol", "cutroom");
            dropped.connect(dropped.invite(upload(dropped, "dropped.bin", data.length, sha1Selector(data))));
            dropped.sendChunk("drop0001", "dropmsg1", data, 0, 1024 * 1024, data.length, '+');
            dropped.readUntil(m -> m.startsWith("MSRP drop0001 200"), "the first chunk's 200");
            dropped.msrp.close();
            dropped.awaitBye();
            bob.readUntil(m -> m.contains("File transfer for dropped.bin failed"), "the failure notice");
            try (Stream<Path> left = Files.list(FILES.resolve("cutroom@127.0.0.1"))) {
                assertEquals(0, left.count(), "no partial file is kept");
            }
        }
    }

    @Test
    void offersTheRoomCannotTakeAreRefused() throws Exception {
        try (ChatClient bob = new ChatClient("bob", "fullroom")) {
            bob.join();
            inRoom("fullroom");
            ChatClient big = new ChatClient("alice", "fullroom");
            String refused = big.invite(upload(big, "huge.iso", 4L << 30, null));
            assertTrue(refused.startsWith("SIP/2.0 488"), "larger than max_file_size: " + refused);
            assertTrue(refused.contains("Warning: 399") && refused.contains("File too large"), refused);
            ChatClient unknown = new ChatClient("carol", "fullroom");
            String notHere = unknown.invite("m=message 9 TCP/TLS/MSRP *\r\na=recvonly\r\na=path:" + unknown.ownPath
                    + "\r\na=file-selector:hash:sha-1:00:11:22\r\n");
            assertTrue(notHere.startsWith("SIP/2.0 404"), "spec §3.2: a file the room does not have: " + notHere);
            ChatClient nowhere = new ChatClient("alice", "noroom");
            String missing = nowhere.invite(upload(nowhere, "a.txt", 1, null));
            assertTrue(missing.startsWith("SIP/2.0 404"), "spec §3.2: a file for a room that does not exist: " + missing);
            ChatClient broken = new ChatClient("alice", "fullroom");
            String bad = broken.invite("m=message 9 TCP/TLS/MSRP *\r\na=sendonly\r\na=path:" + broken.ownPath
                    + "\r\na=file-selector:name:\"unterminated size:5\r\n");
            assertTrue(bad.startsWith("SIP/2.0 488"), "a malformed file-selector: " + bad);
        }
    }

    /** Spec §3.5 push_file_transfer: the room offers a new file to every other participant, who gets the same bytes. */
    @Test
    void anUploadIsPushedToTheOtherParticipants_spec3_5() throws Exception {
        try (ChatClient bob = new ChatClient("bob", "pushroom"); ChatClient dave = new ChatClient("dave", "pushroom")) {
            bob.join();
            dave.join();
            byte[] data = random(2 * 1024 * 1024 + 17);
            ChatClient uploader = new ChatClient("carol", "pushroom");
            uploader.connect(uploader.invite(upload(uploader, "pushed.bin", data.length, sha1Selector(data))));
            send(uploader, data, 512 * 1024);
            uploader.awaitBye();
            String offer = bob.awaitRequest("INVITE");
            assertTrue(offer.contains("Conference File Transfer") && offer.contains("X-Originator-From: <sip:carol@127.0.0.1>"),
                    offer);
            assertTrue(offer.contains("a=sendonly") && offer.contains("a=setup:actpass")
                    && offer.contains("name:\"pushed.bin\""), "RFC 5547 push offer, RFC 6135 actpass: " + offer);
            bob.acceptPush(offer);
            assertEquals(sha256(data), sha256(bob.receiveMessage()), "the pushed file is the file uploaded");
            bob.awaitBye();
            String declined = dave.awaitRequest("INVITE");
            dave.respond(declined, "486 Busy Here", "busy" + dave.unique, null);
            ServerLogs.await("push to sip:dave@127.0.0.1", java.time.Duration.ofSeconds(10));
        }
    }
}
