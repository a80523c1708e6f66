package org.sylkserver.webrtc;

import java.nio.file.Path;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;

/**
 * The video rooms' file-sharing options of {@code webrtcgateway.ini} (spec §4.10.5, §8.3); whether a room keeps its
 * files is its own {@code persistent} option ({@link VideoRoomConfig.Room}).
 *
 * @param directory      {@code [General] filesharing_dir}: rooms' files, {@code <dir>/<room>/<name>} with a
 *                       {@code meta-<name>} JSON file next to each ({@code <spool_dir>/videoconference/files}, as
 *                       the original's)
 * @param maxUploadBytes {@code [General] filesharing_max_size} (MiB): the largest file one upload shares; a bigger
 *                       {@code Content-Length} is refused with 413 before the body is read (2048)
 * @param maxRoomBytes   {@code [General] filesharing_max_room_size} (MiB): what a room's files may take together; an
 *                       upload that would pass it is refused with 413 (10240)
 */
public record FileSharingConfig(Path directory, long maxUploadBytes, long maxRoomBytes) {

    public static final int DEFAULT_MAX_SIZE_MIB = 2048;
    public static final int DEFAULT_MAX_ROOM_SIZE_MIB = 10240;
    private static final long MIB = 1024L * 1024L;

    /**
     * The options in {@code configDir}'s {@code webrtcgateway.ini}; a relative {@code filesharing_dir} is under
     * {@code varDir}, the default under {@code spoolDir}.
     */
    public static FileSharingConfig load(Path configDir, Path varDir, Path spoolDir) throws ConfigException {
        SectionReader general = new SectionReader(IniFile.read(configDir.resolve("webrtcgateway.ini")), "General");
        return new FileSharingConfig(general.path("filesharing_dir", varDir,
                spoolDir.resolve("videoconference").resolve("files")),
                general.integer("filesharing_max_size", DEFAULT_MAX_SIZE_MIB, 1, 1024 * 1024) * MIB,
                general.integer("filesharing_max_room_size", DEFAULT_MAX_ROOM_SIZE_MIB, 1, 1024 * 1024) * MIB);
    }
}
