package org.sylkserver.webrtc;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

import org.sylkserver.webrtc.api.SyncConversationsEvent;
import org.sylkserver.webrtc.messaging.Messaging;
import org.sylkserver.webrtc.messaging.StoredMessage;

/**
 * Runs a sync's code once before a client asks (issue 14): the first {@code account-sync-conversations} of 5,000
 * entries after a start took 364-542 ms where the next took 90-200 ms, the difference being code run for the first
 * time (JSON-B binding the event's class, the journal entries' conversion and writing, interpreted then compiled).
 * A synthetic journal in memory goes through the same conversion and serialization a few times; nothing is stored
 * or sent.
 */
public final class SyncWarmUp {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.messaging");
    /** A full sync's worth (the default limit). */
    static final int ENTRIES = 5000;
    private static final int ROUNDS = 3;

    private SyncWarmUp() {
    }

    /** Starts the warm-up on a thread of its own, at low priority: the server takes requests meanwhile. */
    public static void start() {
        Thread thread = new Thread(SyncWarmUp::run, "webrtcgateway-sync-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    /** Serializes the synthetic sync {@link #ROUNDS} times; the length of the last event, in characters. */
    static int run() {
        long start = System.nanoTime();
        List<StoredMessage> journal = journal();
        int length = 0;
        for (int round = 0; round < ROUNDS; round++) {
            length = SylkRtcConnection.json(new SyncConversationsEvent("warm-up@invalid", Messaging.items(journal)))
                    .length();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOG.fine(() -> "sync warmed up in " + millis + " ms");
        return length;
    }

    /** Entries of the kinds a journal holds: text both ways with pending notifications, IMDN entries, removals. */
    static List<StoredMessage> journal() {
        List<StoredMessage> journal = new ArrayList<>(ENTRIES);
        OffsetDateTime time = OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 123_456_000, ZoneOffset.UTC);
        Instant created = time.toInstant();
        for (int i = 0; i < ENTRIES; i++) {
            String id = "warm-up-" + i;
            StoredMessage entry = switch (i % 4) {
                case 0 -> new StoredMessage("warm-up@invalid", "peer@invalid", StoredMessage.INCOMING, id, "text/plain",
                        "Hello \"there\", message " + i + " \u00e9\u263a", time, created,
                        List.of("positive-delivery", "display"), "received");
                case 1 -> new StoredMessage("warm-up@invalid", "peer@invalid", StoredMessage.OUTGOING, id, "text/html",
                        "<p>message " + i + "</p>", time, created, List.of(), "accepted");
                case 2 -> new StoredMessage("warm-up@invalid", "peer@invalid", StoredMessage.INCOMING, id,
                        "message/imdn", "{\"state\":\"delivered\",\"message_id\":\"warm-up-" + (i - 1) + "\"}", time,
                        created, List.of(), "received");
                default -> new StoredMessage("warm-up@invalid", "peer@invalid", "", id,
                        "application/sylk-conversation-read", "peer@invalid", time, created, List.of(), "");
            };
            journal.add(entry);
            time = time.plusSeconds(1);
            created = created.plusSeconds(1);
        }
        return journal;
    }
}
