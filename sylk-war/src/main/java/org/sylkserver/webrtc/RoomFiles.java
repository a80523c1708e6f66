package org.sylkserver.webrtc;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.json.JsonException;
import javax.json.JsonObject;
import javax.json.JsonReader;

import org.sylkserver.webrtc.api.SharedFile;
import org.sylkserver.webrtc.api.SipIdentity;
import org.sylkserver.webrtc.filetransfer.TransferLayout;
import org.sylkserver.webrtc.filetransfer.UploadRefused;
import org.sylkserver.webrtc.filetransfer.UploadStaging;

/**
 * The files shared in video rooms, on disk (spec §4.10.5): {@code <filesharing_dir>/<room>/<name>} with a
 * {@code meta-<name>} JSON file next to each (the {@code file-sharing} item, §4.6.8). Uploads are staged
 * ({@link UploadStaging}) and moved into the room's directory only once complete. What changes a room's directory
 * ({@link #restore}, {@link #keep}, {@link #discard}) is called under the {@link VideoRooms} monitor, together with
 * the change of the room it goes with; downloads ({@link #find}) read the disk.
 */
public final class RoomFiles {

    /** Video rooms without file sharing (a gateway that is not running, tests of other things). */
    static final RoomFiles DISABLED = new RoomFiles();

    private static final Logger LOG = Logger.getLogger("webrtcgateway.videoroom");
    private static final String META = "meta-";
    /** Tries of {@code name-<n>.ext} before an upload whose name is taken everywhere is refused. */
    private static final int MAX_SUFFIX = 1000;

    private final FileSharingConfig config;
    private final UploadStaging staging;

    private RoomFiles() {
        config = null;
        staging = null;
    }

    /**
     * The shared files under {@code config}'s directory. No room exists yet: what rooms that are not
     * {@code persistent} left there (a run that ended without destroying them) is deleted.
     */
    public RoomFiles(FileSharingConfig config, VideoRoomConfig rooms) throws IOException {
        this.config = config;
        this.staging = new UploadStaging(config.directory());
        try (DirectoryStream<Path> directories = Files.newDirectoryStream(config.directory(), Files::isDirectory)) {
            for (Path directory : directories) {
                String uri = TransferLayout.unquote(directory.getFileName().toString());
                if (!directory.equals(staging.directory()) && (uri == null || !rooms.room(uri).persistent())) {
                    UploadStaging.deleteTree(directory);
                    LOG.info(() -> "shared files of " + directory.getFileName() + " removed: the room is gone");
                }
            }
        }
    }

    boolean enabled() {
        return config != null;
    }

    FileSharingConfig config() {
        return config;
    }

    /**
     * The checks of an upload's size before its body is read, and again, under the {@link VideoRooms} monitor, before
     * it is kept: a {@code Content-Length} (411), at most {@code filesharing_max_size} (413), and the room's files
     * with it at most {@code filesharing_max_room_size} (413).
     */
    void check(VideoRoom room, long length) throws UploadRefused {
        if (length < 0) {
            throw new UploadRefused(411, "Content-Length required");
        }
        if (length > config.maxUploadBytes()) {
            throw new UploadRefused(413, "File larger than filesharing_max_size (" + config.maxUploadBytes() + " bytes)");
        }
        long shared = room.sharedFiles.stream().mapToLong(SharedFile::getFilesize).sum();
        if (shared + length > config.maxRoomBytes()) {
            throw new UploadRefused(413, "The files of room " + room.uri + " would pass filesharing_max_room_size ("
                    + config.maxRoomBytes() + " bytes)");
        }
    }

    /** An upload's body, staged; an error leaves nothing behind (see {@link UploadStaging#receive}). */
    UploadStaging.Staged receive(InputStream body, long length) throws IOException {
        return staging.receive(body, length, () -> false);
    }

    /**
     * The files a {@code persistent} room shared before it was last destroyed (or the server stopped), oldest first
     * (spec §4.6.1); none for other rooms. A file whose metadata is unreadable is left out, logged.
     */
    List<SharedFile> restore(VideoRoom room) {
        if (!enabled() || !room.config.persistent() || !Files.isDirectory(directory(room.uri))) {
            return List.of();
        }
        Path directory = directory(room.uri);
        List<Map.Entry<FileTime, SharedFile>> found = new ArrayList<>();
        try (DirectoryStream<Path> metadata = Files.newDirectoryStream(directory, META + "*")) {
            for (Path meta : metadata) {
                Path file = meta.resolveSibling(meta.getFileName().toString().substring(META.length()));
                try {
                    SharedFile shared = fromJson(Files.readString(meta, StandardCharsets.UTF_8));
                    if (Files.isRegularFile(file) && shared.getFilename().equals(file.getFileName().toString())) {
                        found.add(Map.entry(Files.getLastModifiedTime(file), shared));
                    }
                } catch (IOException | IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "shared file " + file + " left out: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "shared files of " + room + " not restored", e);
            return List.of();
        }
        found.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        List<SharedFile> files = found.stream().map(Map.Entry::getValue).toList();
        LOG.info(() -> room + " shares " + files.size() + " files again (persistent)");
        return files;
    }

    /**
     * Keeps {@code staged} as {@code name} in the room of {@code uploader}: the name with a number inserted before
     * its extension ({@code name-1.ext}, {@code name-2.ext}, ...) when the room has one such (spec §4.10.5), then the
     * metadata.
     */
    SharedFile keep(RoomMember uploader, String name, UploadStaging.Staged staged) throws IOException {
        Path directory = directory(uploader.room.uri);
        Files.createDirectories(directory);
        String free = freeName(directory, name);
        SharedFile file = new SharedFile(free, staged.length(),
                new SipIdentity(uploader.account.aor(), uploader.account.displayName() == null ? ""
                        : uploader.account.displayName()), uploader.id);
        staged.moveTo(directory.resolve(free));
        UploadStaging.writeAtomically(directory.resolve(META + free), toJson(file));
        return file;
    }

    /** The room is destroyed (spec §4.6.5): its files go, unless it is {@code persistent}. */
    void discard(VideoRoom room) {
        if (!enabled() || room.config.persistent()) {
            return;
        }
        Path directory = directory(room.uri);
        try {
            if (Files.exists(directory)) {
                UploadStaging.deleteTree(directory);
                LOG.info(() -> "shared files of " + room + " removed with it");
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "shared files of " + room + " not removed", e);
        }
    }

    /**
     * The stored file {@code name} of room {@code uri} that publisher session {@code session} shared, or null: the
     * download URL names the uploader's session as the {@code file-sharing} event gave it, so the room and a file
     * name alone do not fetch a file.
     */
    Path find(String uri, String session, String name) {
        if (!enabled() || !name.equals(TransferLayout.filename(name))) {
            return null;
        }
        Path directory = directory(uri);
        Path file = directory.resolve(name);
        try {
            SharedFile shared = fromJson(Files.readString(directory.resolve(META + name), StandardCharsets.UTF_8));
            return Files.isRegularFile(file) && shared.getSession().equals(session) ? file : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The room's directory under the root. */
    private Path directory(String uri) {
        return config.directory().resolve(directoryName(uri));
    }

    /**
     * A room URI as a directory name: lower case (rooms are looked up so, spec §4.10.5) and percent-encoded where a
     * character could leave the directory or hide it ({@code /}, {@code \}, a leading dot, control characters: a
     * SIP user part may hold {@code /}); a usual {@code user@host} is itself.
     */
    static String directoryName(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        StringBuilder name = new StringBuilder(lower.length());
        for (byte b : lower.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '@' || c == '-' || c == '_'
                    || c == '+' || c == '~' || c == '.' && !name.isEmpty();
            if (plain) {
                name.append((char) c);
            } else {
                name.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return name.toString();
    }

    /** {@code name}, or with {@code -<n>} before its extension when the directory has it (or its metadata). */
    static String freeName(Path directory, String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        for (int n = 0; n <= MAX_SUFFIX; n++) {
            String candidate = n == 0 ? name : base + "-" + n + extension;
            if (!Files.exists(directory.resolve(candidate)) && !Files.exists(directory.resolve(META + candidate))) {
                return candidate;
            }
        }
        throw new IOException("no free name for " + name + " in " + directory);
    }

    static String toJson(SharedFile file) {
        return JsonP.PROVIDER.createObjectBuilder().add("filename", file.getFilename())
                .add("filesize", file.getFilesize())
                .add("uploader", JsonP.PROVIDER.createObjectBuilder().add("uri", file.getUploader().getUri())
                        .add("display_name", file.getUploader().getDisplayName()))
                .add("session", file.getSession()).build().toString();
    }

    /** @throws IllegalArgumentException when {@code json} is not such metadata */
    static SharedFile fromJson(String json) {
        try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(json))) {
            JsonObject object = reader.readObject();
            JsonObject uploader = object.getJsonObject("uploader");
            return new SharedFile(object.getString("filename"), object.getJsonNumber("filesize").longValueExact(),
                    new SipIdentity(uploader.getString("uri"), uploader.getString("display_name", "")),
                    object.getString("session"));
        } catch (JsonException | ClassCastException | NullPointerException | ArithmeticException e) {
            throw new IllegalArgumentException("not shared-file metadata: " + e.getMessage(), e);
        }
    }
}
