package org.sylkserver.conference.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Issue 11: two rooms never share a directory (spec §3.5 file transfer, §3.7 screen sharing). */
class RoomDirectoryTest {

    private static final RoomFiles.Space NO_QUOTA = new RoomFiles.Space(RoomFiles.Quota.NONE);

    @Test
    void roomsThatTheOldCleanUpMergedGetDirectoriesOfTheirOwn() {
        List<String> rooms = List.of("victim@host", "x/victim@host", "x\\victim@host", "x_victim@host",
                "x_2fvictim@host", "x victim@host", "../victim@host", "..", ".", "_", "", "a..b@host", "a._2eb@host",
                "é@host", "_c3_a9@host", "_h" + "0".repeat(64), "x".repeat(300), "x".repeat(301));
        Set<String> names = new HashSet<>();
        for (String room : rooms) {
            assertTrue(names.add(RoomDirectory.name(room)), room + " shares " + RoomDirectory.name(room));
        }
    }

    @Test
    void aNameIsOneSafePathComponentAndPlainRoomsKeepTheirs() {
        assertEquals("room@conference.example.com", RoomDirectory.name("room@conference.example.com"));
        assertEquals("x_2fvictim@host", RoomDirectory.name("x/victim@host"));
        Path root = Path.of("/files");
        for (String room : List.of("..", ".", "", "../../etc@x", "a/../../b", "x".repeat(5000), "\u0000@x")) {
            String name = RoomDirectory.name(room);
            assertTrue(name.matches("[A-Za-z0-9@._-]{1,200}"), room + " -> " + name);
            assertFalse(name.contains("..") || name.startsWith("."), name);
            assertEquals(root, root.resolve(name).normalize().getParent(), name);
        }
    }

    @Test
    void roomFilesAndScreenSharingUseIt() {
        Path root = Path.of("/files");
        assertNotEquals(new RoomFiles(root, "x/victim@host", NO_QUOTA).directory(),
                new RoomFiles(root, "victim@host", NO_QUOTA).directory());
        assertEquals(root.resolve("x_2fvictim@host"), new RoomFiles(root, "x/victim@host", NO_QUOTA).directory());
    }
}
