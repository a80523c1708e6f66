package org.sylkserver.conference.screen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.sylkserver.conference.chat.ChatSwitch;
import org.sylkserver.conference.chat.Identity;
import org.sylkserver.conference.files.RoomDirectory;
import org.sylkserver.protocols.cpim.CpimMessage;

/**
 * Screen sharing in one room (spec §3.7). A participant shares its screen by sending JPEG frames as
 * {@code application/blink-screensharing} chat messages; each frame replaces the sender's one image file,
 * {@code <screensharing_images_dir>/<room>/<user>@<host>_<10 random alphanumerics>.jpg}, which
 * {@link org.sylkserver.conference.web.ScreenSharingViewer} shows over HTTP.
 *
 * <p>Each sender is a small state machine: {@link State#IDLE} until its first frame, then {@link State#ACTIVE}
 * (its user gets a {@code screen_image_url} in conference-info and the room a status message with the link),
 * back to idle when no frame came for the idle timeout ({@code stopped sharing the screen}). The file name is kept
 * for the room's lifetime; the room's directory goes with the room ({@link #close}).
 *
 * <p>Threads: every sender's state and the files belong to the room's executor ({@code owner}). A frame arrives on
 * the sender's MSRP connection thread, which decodes it and waits while the executor stores it (the status of the
 * MSRP response); an idle timer fires on the conference's screen sharing timer thread ({@link Setup#timers}) and
 * posts its check to the executor; the room closes it there. Its announcements are made there too, in the order
 * of its events, so that a "stopped" never overtakes its "is sharing"; the room's conference-info writer reads
 * {@link #imageUrls} there.
 */
public final class ScreenSharing {

    /** A sender's sharing. */
    enum State { IDLE, ACTIVE }

    /** Where idle timers run; {@code schedule} returns the action that cancels the task. */
    public interface IdleTimers {
        Runnable schedule(Runnable task, Duration delay);
    }

    /**
     * What every room's screen sharing uses, made when the conference application starts ({@link Conference}).
     *
     * @param imagesDirectory {@code screensharing_images_dir}
     * @param webBaseUrl      the base of the links (spec §8.1)
     * @param idleTimeout     time after the last frame when sharing stops (10 s)
     * @param timers          the idle timers
     */
    public record Setup(Path imagesDirectory, String webBaseUrl, Duration idleTimeout, IdleTimers timers) {
    }

    private static final Logger log = Logger.getLogger(ScreenSharing.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHANUMERICS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** One sender's sharing; on the room's executor. */
    private static final class Sharer {
        final String uri;
        final String identity;
        final String fileName;
        State state = State.IDLE;
        /** Which idle timer is the current one: each frame starts a new one. */
        long generation;
        Runnable cancelIdleTimer = () -> { };

        Sharer(String uri, String identity, String fileName) {
            this.uri = uri;
            this.identity = identity;
            this.fileName = fileName;
        }
    }

    private final String room;
    private final String directoryName;
    private final Path directory;
    private final Setup setup;
    private final Executor owner;
    private final Consumer<String> status;
    private final Runnable changed;
    private final Map<String, Sharer> sharers = new HashMap<>();
    private final Map<String, String> activeUrls = new HashMap<>();
    private boolean closed;
    /** Whether an image was ever stored (executor): only then has the room a directory to delete. */
    private boolean stored;

    /**
     * @param room    {@code user@host} of the room
     * @param owner   the room's executor, where the sharing's state lives
     * @param status  sends a status message to every chat participant (spec §3.4)
     * @param changed the room's conference-info changed (spec §3.6)
     */
    public ScreenSharing(String room, Setup setup, Executor owner, Consumer<String> status, Runnable changed) {
        this.room = room;
        this.setup = setup;
        this.owner = owner;
        this.status = status;
        this.changed = changed;
        this.directoryName = RoomDirectory.name(room);
        this.directory = setup.imagesDirectory().resolve(directoryName);
    }

    /**
     * A frame from {@code sender} (a complete {@code application/blink-screensharing} message, after the chat
     * switch's anti-spoofing check), on its connection's thread (never the room's executor): decoded here, stored on
     * the executor while the connection waits.
     *
     * @return the MSRP status: 200, 400 for a payload that is no JPEG or bad base64, 413 when it cannot be stored
     */
    public int frame(ChatSwitch.Session sender, CpimMessage message) {
        byte[] image;
        try {
            image = ScreenImage.decode(message);
        } catch (ScreenImage.InvalidImageException e) {
            log.info(() -> "room " + room + ": screen image from " + sender.uri() + " refused: " + e.getMessage());
            return ChatSwitch.BAD_REQUEST;
        }
        return CompletableFuture.supplyAsync(() -> show(sender, image), owner).join();
    }

    /** A decoded frame from {@code sender} replaces its image (executor); the MSRP status. */
    private int show(ChatSwitch.Session sender, byte[] image) {
        if (closed) {
            return ChatSwitch.OK; // the room has ended: nobody is left to see it
        }
        Sharer sharer = sharers.computeIfAbsent(sender.uri(), uri -> new Sharer(uri,
                Identity.shown(sender.displayName(), uri), imageFileName(uri)));
        try {
            store(sharer.fileName, image);
        } catch (IOException e) {
            log.log(Level.WARNING, "room " + room + ": cannot store the screen image of " + sender.uri(), e);
            return ChatSwitch.UNWANTED;
        }
        if (sharer.state == State.IDLE) {
            activate(sharer);
        }
        restartIdleTimer(sharer);
        return ChatSwitch.OK;
    }

    /** {@code user@host} → {@code screen_image_url} of every user sharing now (spec §3.6); on the executor. */
    public Map<String, String> imageUrls() {
        return Collections.unmodifiableMap(activeUrls);
    }

    /** The room has ended: timers stop and its images are deleted (spec §3.1). On the executor. */
    public void close() {
        closed = true;
        sharers.values().forEach(sharer -> sharer.cancelIdleTimer.run());
        sharers.clear();
        activeUrls.clear();
        if (!stored) {
            return; // nothing was ever shared: no directory (looking for it cost an exception per room)
        }
        try {
            removeTree(directory);
        } catch (IOException e) {
            log.log(Level.WARNING, "room " + room + ": cannot delete its screen images in " + directory, e);
        }
    }

    private void activate(Sharer sharer) {
        sharer.state = State.ACTIVE;
        String url = setup.webBaseUrl() + "/conference/" + directoryName + "/screensharing?image=" + sharer.fileName;
        activeUrls.put(sharer.uri, url);
        log.info(() -> "room " + room + ": " + sharer.uri + " " + State.IDLE + " -> " + State.ACTIVE + ", " + url);
        status.accept("Room " + room + " - " + sharer.identity + " is sharing the screen at " + url);
        changed.run();
    }

    private void restartIdleTimer(Sharer sharer) {
        sharer.cancelIdleTimer.run();
        long generation = ++sharer.generation;
        sharer.cancelIdleTimer = setup.timers().schedule(() -> owner.execute(() -> idle(sharer, generation)),
                setup.idleTimeout());
    }

    private void idle(Sharer sharer, long generation) {
        // a frame that came while this timer was already firing started a newer one
        if (closed || generation != sharer.generation || sharer.state != State.ACTIVE) {
            return;
        }
        sharer.state = State.IDLE;
        activeUrls.remove(sharer.uri);
        log.info(() -> "room " + room + ": " + sharer.uri + " " + State.ACTIVE + " -> " + State.IDLE);
        status.accept(sharer.identity + " stopped sharing the screen");
        changed.run();
    }

    /** Written next to its final name and renamed over it, so that the viewer never reads half a frame. */
    private void store(String fileName, byte[] image) throws IOException {
        stored = true;
        Files.createDirectories(directory);
        Path partial = Files.createTempFile(directory, ".frame-", ".tmp");
        try {
            Files.write(partial, image);
            Files.move(partial, directory.resolve(fileName), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /**
     * {@code name} as one path component that needs no escaping in a URL: room and user names come from SIP URIs,
     * whose user part may hold {@code /} and other characters, so anything but letters, digits, {@code @ . _ -}
     * becomes {@code _}.
     */
    static String fileNameOf(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9@._-]", "_");
        return safe.isEmpty() || safe.equals(".") || safe.equals("..") ? "_" + safe : safe;
    }

    /** {@code <user>@<host>_<10 random alphanumerics>.jpg} (spec §3.7). */
    static String imageFileName(String uri) {
        return fileNameOf(uri) + "_" + randomAlphanumerics(10) + ".jpg";
    }

    private static String randomAlphanumerics(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHANUMERICS.charAt(RANDOM.nextInt(ALPHANUMERICS.length())));
        }
        return text.toString();
    }

    /** Deletes {@code root} and everything under it; nothing there is fine. */
    public static void removeTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException nothingThere) {
            // never created: no frame arrived
        }
    }
}
