package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.json.Json;
import javax.json.JsonObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.AccessList;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.webrtc.api.SharedFile;
import org.sylkserver.webrtc.api.SipIdentity;
import org.sylkserver.webrtc.filetransfer.TransferLayout;
import org.sylkserver.webrtc.filetransfer.UploadRefused;
import org.sylkserver.webrtc.filetransfer.UploadStaging;

/**
 * Room file sharing (spec §4.10.5, §4.6.8, §4.6.1, §4.6.5) on real rooms and a real directory, without HTTP (see
 * RoomFileSharingIT): who may share, the {@code file-sharing} events, names, sizes, and the files' life with the
 * room's.
 */
class RoomFileSharingTest {

    private static final String ROOM = "room1@videoconference.example.com";
    private static final String KEPT = "kept@videoconference.example.com";
    /** Where the test's sylkRTC connections come from. */
    private static final String CLIENT = "192.0.2.1";

    @TempDir
    Path root;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private MediaEngine engine;
    private VideoRoomConfig roomConfig;
    private Gateway gateway;
    private VideoRooms rooms;

    @BeforeEach
    void start() throws Exception {
        engine = new MediaEngine(InetAddress.getLoopbackAddress(), 43250, 43290, Duration.ZERO, RtpPolicy.OPEN);
        VideoRoomConfig.Room plain = new VideoRoomConfig.Room(2016000, "vp8", false, AccessList.OPEN, false, false);
        roomConfig = new VideoRoomConfig(plain, Map.of(KEPT, new VideoRoomConfig.Room(2016000, "vp8", false,
                AccessList.OPEN, true, false)), 10, Duration.ofMillis(500), 64, Duration.ofMillis(500));
        rooms = rooms(new FileSharingConfig(root, 100, 150));
    }

    private VideoRooms rooms(FileSharingConfig files) throws IOException {
        VideoRooms made = new VideoRooms(roomConfig, (name, offer, settings, listener) ->
                Publisher.fromOffer(engine, name, offer, settings, listener), new RoomFiles(files, roomConfig));
        gateway = new Gateway(new GatewayConfig(null, List.of("*"), Set.of("*"), null, false, Duration.ofSeconds(120),
                486, ClientLimits.DEFAULTS, false), Gateway.notStarted().registrar(), Gateway.notStarted().calls(),
                new IncomingCalls(timer, IncomingCalls.RING_TIMEOUT), Gateway.notStarted().media(), made, null);
        return made;
    }

    @AfterEach
    void stop() throws Exception {
        timer.shutdownNow();
        engine.close();
    }

    /** One client: its connection and what it was sent. */
    private final class Client {
        final SylkRtcConnectionTest.RecordingTransport sent = new SylkRtcConnectionTest.RecordingTransport();
        final SylkRtcConnection connection = new SylkRtcConnection("192.0.2.1:40000", sent, Runnable::run,
                RequestCatalogue.SYLKRTC_2, gateway);

        Client(String account) {
            this(account, account.startsWith("k") ? KEPT : ROOM);
        }

        Client(String account, String room) {
            request("account-add", "\"account\":\"" + account + "\",\"password\":\"x\",\"display_name\":\""
                    + account.substring(0, 1).toUpperCase() + account.substring(1, account.indexOf('@')) + "\"");
            request("videoroom-join", "\"account\":\"" + account + "\",\"session\":\"" + account.charAt(0)
                    + "1\",\"uri\":\"" + room + "\",\"sdp\":" + Json.createValue(VideoRoomsTest.OFFER));
        }

        void request(String type, String properties) {
            connection.onText("{\"sylkrtc\":\"" + type + "\",\"transaction\":\"t\"," + properties + "}", true);
        }

        List<JsonObject> messages() {
            List<JsonObject> messages = sent.sent.stream()
                    .map(text -> Json.createReader(new StringReader(text)).readObject()).toList();
            sent.sent.clear();
            return messages;
        }

        /** The {@code file-sharing} events it was sent since last asked, their files' JSON. */
        List<String> fileSharing() {
            return messages().stream().filter(m -> "file-sharing".equals(m.getString("event", null)))
                    .map(m -> m.getJsonArray("files").toString()).toList();
        }
    }

    private SharedFile share(String room, String session, String name, String content) throws Exception {
        byte[] body = content.getBytes(StandardCharsets.UTF_8);
        String safe = TransferLayout.filename(name);
        RoomMember uploader = FileSharingServlet.uploader(rooms, room, session, safe, CLIENT);
        rooms.files().check(uploader.room, body.length);
        try (UploadStaging.Staged staged = rooms.files().receive(new ByteArrayInputStream(body), body.length)) {
            return rooms.share(uploader, safe, staged);
        }
    }

    /**
     * §4.10.5: only an admitted publisher session of that room may share (the room looked up lower-cased), and only
     * from its connection's address (as §4.10.2 has it for 1:1 uploads).
     */
    @Test
    void onlyAPublisherOfTheRoomMayShare_spec_4_10_5() throws Exception {
        new Client("alice@example.com");
        new Client("kate@example.com");
        assertEquals("a1", FileSharingServlet.uploader(rooms, ROOM.toUpperCase(), "a1", "x.txt", CLIENT).id);
        assertEquals("a1", FileSharingServlet.uploader(rooms, "sip:" + ROOM, "a1", "x.txt", CLIENT).id);
        UploadRefused otherRoom = assertThrows(UploadRefused.class,
                () -> FileSharingServlet.uploader(rooms, ROOM, "k1", "x.txt", CLIENT));
        assertEquals(403, otherRoom.status());
        assertEquals("Session k1 is not a publisher in room " + ROOM, otherRoom.getMessage());
        assertEquals(403, assertThrows(UploadRefused.class,
                () -> FileSharingServlet.uploader(rooms, ROOM, "nobody", "x.txt", CLIENT)).status());
        assertEquals(403, assertThrows(UploadRefused.class,
                () -> FileSharingServlet.uploader(rooms, "nosuchroom@example.com", "a1", "x.txt", CLIENT)).status());
        assertEquals("Invalid room or file name", assertThrows(UploadRefused.class,
                () -> FileSharingServlet.uploader(rooms, "../../etc", "a1", "x.txt", CLIENT)).getMessage());
        assertEquals("Invalid room or file name", assertThrows(UploadRefused.class,
                () -> FileSharingServlet.uploader(rooms, ROOM, "a1", null, CLIENT)).getMessage());
        UploadRefused elsewhere = assertThrows(UploadRefused.class,
                () -> FileSharingServlet.uploader(rooms, ROOM, "a1", "x.txt", "198.51.100.7"));
        assertEquals(403, elsewhere.status());
        assertEquals("Session a1 has no sylkRTC connection from 198.51.100.7", elsewhere.getMessage());
    }

    /**
     * §4.6.8: each upload is one file-sharing event with just that file to every member; §4.6.2: a member that joins
     * later gets every file shared, after initial-publishers; §4.10.5: a clashing name gets a number.
     */
    @Test
    void aSharedFileReachesEveryMemberThenLaterJoiners_spec_4_6_8() throws Exception {
        Client alice = new Client("alice@example.com");
        Client bob = new Client("bob@example.com");
        alice.messages();
        bob.messages();
        share(ROOM, "a1", "slides.pdf", "first");
        String first = "[{\"filename\":\"slides.pdf\",\"filesize\":5,\"uploader\":{\"uri\":\"alice@example.com\","
                + "\"display_name\":\"Alice\"},\"session\":\"a1\"}]";
        assertEquals(List.of(first), alice.fileSharing());
        assertEquals(List.of(first), bob.fileSharing());
        share(ROOM, "b1", "slides.pdf", "second!");
        assertEquals(List.of("[{\"filename\":\"slides-1.pdf\",\"filesize\":7,\"uploader\":{\"uri\":\"bob@example.com\","
                + "\"display_name\":\"Bob\"},\"session\":\"b1\"}]"), alice.fileSharing());

        Client carol = new Client("carol@example.com");
        List<String> joined = carol.messages().stream().map(m -> m.getString("event", m.getString("sylkrtc")))
                .toList();
        assertEquals(List.of("ack", "session-state", "ack", "session-state", "initial-publishers", "file-sharing"),
                joined, "account-add, then the join");
        carol.request("videoroom-leave", "\"session\":\"c1\"");
        Client dave = new Client("dave@example.com");
        String all = dave.fileSharing().get(0);
        assertTrue(all.contains("\"slides.pdf\"") && all.contains("\"slides-1.pdf\""), all);

        Path stored = rooms.files().find(ROOM.toUpperCase(), "a1", "slides.pdf");
        assertNotNull(stored);
        assertEquals("first", Files.readString(stored));
        assertEquals("second!", Files.readString(rooms.files().find(ROOM, "b1", "slides-1.pdf")));
        assertNull(rooms.files().find(ROOM, "b1", "slides.pdf"), "the URL names the uploader's session");
        assertNull(rooms.files().find(ROOM, "a1", "meta-slides.pdf"), "metadata is never served");
        assertNull(rooms.files().find(ROOM, "a1", "../" + ROOM + "/slides.pdf"));
    }

    /** Sizes are checked before the body is read: 411 without a length, 413 over either limit. */
    @Test
    void sizeLimits() throws Exception {
        new Client("alice@example.com");
        VideoRoom room = rooms.publisher(ROOM, "a1").room;
        assertEquals(411, assertThrows(UploadRefused.class, () -> rooms.files().check(room, -1)).status());
        UploadRefused big = assertThrows(UploadRefused.class, () -> rooms.files().check(room, 101));
        assertEquals(413, big.status());
        assertEquals("File larger than filesharing_max_size (100 bytes)", big.getMessage());
        share(ROOM, "a1", "a.bin", "x".repeat(100));
        UploadRefused full = assertThrows(UploadRefused.class, () -> share(ROOM, "a1", "b.bin", "x".repeat(51)));
        assertEquals(413, full.status());
        assertTrue(full.getMessage().contains("filesharing_max_room_size"), full.getMessage());
        share(ROOM, "a1", "b.bin", "x".repeat(50));
    }

    /** A body cut off leaves nothing, and nobody is told; an uploader that left meanwhile is refused (403). */
    @Test
    void cutOffOrLateUploadsLeaveNothing() throws Exception {
        Client alice = new Client("alice@example.com");
        new Client("bob@example.com");
        alice.messages();
        assertThrows(IOException.class, () -> rooms.files().receive(new ByteArrayInputStream(new byte[10]), 20));
        try (UploadStaging.Staged staged = rooms.files().receive(new ByteArrayInputStream(new byte[10]), 10)) {
            RoomMember uploader = rooms.publisher(ROOM, "a1");
            alice.request("videoroom-leave", "\"session\":\"a1\"");
            UploadRefused late = assertThrows(UploadRefused.class, () -> rooms.share(uploader, "late.bin", staged));
            assertEquals(403, late.status());
        }
        assertEquals(List.of(), alice.fileSharing());
        try (Stream<Path> left = Files.walk(root)) {
            assertEquals(List.of(root, root.resolve(UploadStaging.DIRECTORY)), left.sorted().toList());
        }
    }

    /**
     * A room is one room however its URI's letters are cased (its files directory is the lower-cased URI): a member
     * joining as {@code ROOM1@...} and leaving must not destroy the room, nor the files, of those in {@code room1@...}.
     */
    @Test
    void aRoomUriInOtherCaseIsTheSameRoom() throws Exception {
        new Client("alice@example.com");
        share(ROOM, "a1", "notes.txt", "stays");
        Client bob = new Client("bob@example.com", ROOM.toUpperCase(java.util.Locale.ROOT));
        assertEquals(List.of("[{\"filename\":\"notes.txt\",\"filesize\":5,\"uploader\":{\"uri\":\"alice@example.com\","
                + "\"display_name\":\"Alice\"},\"session\":\"a1\"}]"), bob.fileSharing(), "bob joined alice's room");
        bob.request("videoroom-leave", "\"session\":\"b1\"");
        assertTrue(rooms.exists(ROOM));
        assertEquals("stays", Files.readString(rooms.files().find(ROOM, "a1", "notes.txt")));
    }

    /**
     * §4.6.5: the files go with the room's last publisher; §4.6.1: a persistent room keeps them, and shows them again
     * when it is created anew, also after a restart (which removes what other rooms left).
     */
    @Test
    void filesGoWithTheRoomUnlessPersistent_spec_4_6_5() throws Exception {
        Client alice = new Client("alice@example.com");
        Client kate = new Client("kate@example.com");
        share(ROOM, "a1", "notes.txt", "gone");
        share(KEPT, "k1", "notes.txt", "kept");
        assertTrue(Files.exists(root.resolve(ROOM).resolve("notes.txt")));
        alice.request("videoroom-leave", "\"session\":\"a1\"");
        kate.request("videoroom-leave", "\"session\":\"k1\"");
        assertFalse(rooms.exists(ROOM));
        assertFalse(Files.exists(root.resolve(ROOM)), "deleted with the room");
        assertNull(rooms.files().find(ROOM, "a1", "notes.txt"));
        assertEquals("kept", Files.readString(rooms.files().find(KEPT, "k1", "notes.txt")));

        Client ken = new Client("ken@example.com");
        assertEquals(List.of("[{\"filename\":\"notes.txt\",\"filesize\":4,\"uploader\":{\"uri\":\"kate@example.com\","
                + "\"display_name\":\"Kate\"},\"session\":\"k1\"}]"), ken.fileSharing());
        ken.request("videoroom-leave", "\"session\":\"k1\"");

        Files.createDirectories(root.resolve("left@example.com"));
        Files.writeString(root.resolve("left@example.com").resolve("x"), "crash");
        rooms(new FileSharingConfig(root, 100, 150));
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(Set.of(UploadStaging.DIRECTORY, KEPT),
                    left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    /** A room's directory is its lower-cased URI, encoded where it could leave the root or hide. */
    @Test
    void directoryNames() {
        assertEquals("room1@videoconference.example.com", RoomFiles.directoryName("Room1@VideoConference.example.com"));
        assertEquals("%2E.%2Fx@y", RoomFiles.directoryName("../x@y"));
        assertEquals("a%5Cb%3Fc@y", RoomFiles.directoryName("a\\b?c@y"));
    }

    /** §4.10.5: a taken name gets {@code -<n>} before its extension; a name whose metadata exists counts as taken. */
    @Test
    void clashingNames_spec_4_10_5() throws Exception {
        assertEquals("a.tar.gz", RoomFiles.freeName(root, "a.tar.gz"));
        Files.writeString(root.resolve("a.tar.gz"), "");
        Files.writeString(root.resolve("meta-a.tar-1.gz"), "");
        assertEquals("a.tar-2.gz", RoomFiles.freeName(root, "a.tar.gz"));
        Files.writeString(root.resolve("README"), "");
        assertEquals("README-1", RoomFiles.freeName(root, "README"));
    }

    @Test
    void metadataRoundTrip() {
        SharedFile file = new SharedFile("ä b.pdf", 12, new SipIdentity("bob@example.com", ""), "s1");
        String json = RoomFiles.toJson(file);
        assertEquals(json, RoomFiles.toJson(RoomFiles.fromJson(json)));
        assertThrows(IllegalArgumentException.class, () -> RoomFiles.fromJson("{\"filename\":\"x\"}"));
    }
}
