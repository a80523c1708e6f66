package org.sylkserver.conference.chat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.imdn.ImdnDocument;

/**
 * The room's chat switch (spec §3.4, RFC 7701 style): every participant has its own chat session with the server,
 * which re-originates what each one says. This class is the switching logic only (no MSRP, no SIP), so that its
 * rules can be tested on their own:
 *
 * <ul>
 *   <li>only {@code message/cpim} is taken (415 otherwise, 400 when it does not parse);</li>
 *   <li>anti-spoofing: a CPIM {@code From} other than the session's own identity is dropped; a missing one is the
 *       session's identity; a missing DateTime is now; {@code ?OTR:} messages are dropped;</li>
 *   <li>{@code text/*} and {@code image/*} are relayed, {@code application/im-iscomposing+xml} too (RFC 3994),
 *       {@code application/blink-screensharing} goes to the room's screen sharing (spec §3.7), anything else is
 *       refused with 413;</li>
 *   <li>a CPIM {@code To} of exactly one recipient other than the room makes a private message, delivered to that
 *       user's sessions and the sender's other sessions, never stored; otherwise the message is public: stored in
 *       the history ({@code history_size} messages, {@code history_max_size} bytes) and delivered to every other session, From the sender (display name:
 *       its nickname if it has one), To the room, with its timestamp and extra CPIM headers (IMDN headers pass
 *       through end to end);</li>
 *   <li>nicknames (RFC 7701 NICKNAME): unique per room among sessions (425 otherwise), empty clears;</li>
 *   <li>joiners get the history replayed with the original senders and times.</li>
 * </ul>
 *
 * <p>Threads: the switch's state (sessions, nicknames, history) belongs to the room's executor ({@code owner}):
 * sessions join and leave, and the room's own messages go out, there. A participant's message arrives on its MSRP
 * connection's thread, which checks it (the status of the MSRP response) and waits while the executor relays it (so
 * that a fast sender is slowed to what the others' connections take, as when it relayed them itself); a nickname is
 * decided on the executor while the connection's thread waits for the answer.
 */
public final class ChatSwitch {

    /** One participant's chat stream as the switch sees it. */
    public interface Session {
        /** {@code user@host} of the participant (the SIP identity), lower case. */
        String uri();

        /** The From display name of the SIP session. */
        String displayName();

        /** Sends a re-originated message to this participant. */
        void deliver(CpimMessage message);

        /**
         * Whether {@code sas}, sent by the participant as {@code application/blink-zrtp-sas}, matches the SAS of its
         * ZRTP audio over a secure chat, which then counts as verified (spec §3.8).
         */
        default boolean verifySas(String sas) {
            return false;
        }
    }

    /** Where the room's screen images go (spec §3.7). */
    public interface ScreenImages {
        /** The payload type of a screen image (spec §3.4): taken from the chat, never relayed. */
        String CONTENT_TYPE = "application/blink-screensharing";

        /** A complete screen image message from {@code sender}; returns the status for the MSRP response. */
        int received(Session sender, CpimMessage message);
    }

    public static final int OK = 200;
    public static final int BAD_REQUEST = 400;
    public static final int UNWANTED = 413;
    static final int BAD_TYPE = 415;
    static final int NICKNAME_IN_USE = 425;

    private static final java.security.SecureRandom ID_RANDOM = new java.security.SecureRandom();
    private static final String ZRTP_SAS = "application/blink-zrtp-sas";
    private static final String IS_COMPOSING = "application/im-iscomposing+xml";
    private static final Logger log = Logger.getLogger(ChatSwitch.class.getName());

    private final String room;
    private final int historySize;
    private final JoinInfo join;
    private final ScreenImages screenImages;
    private final Executor owner;
    private final List<Session> sessions = new ArrayList<>();
    private final Map<Session, String> nicknames = new HashMap<>();
    /** Spec §3.4: the last nickname set per participant URI, while the participant has a session here. */
    private final Map<String, String> lastNicknames = new HashMap<>();
    /** Told on the executor when a nickname was set or cleared: the room's conference-info changed (spec §3.4). */
    private final Runnable nicknamesChanged;
    private final Deque<CpimMessage> history = new ArrayDeque<>();
    /** Content bytes of the messages in {@link #history}, at most {@link #historyBytes}. */
    private long historyContent;
    private final long historyBytes;

    /** Default of {@code history_max_size}: content bytes of the history kept per room (1 MiB). */
    public static final long HISTORY_BYTES = 1024 * 1024;

    /**
     * @param room        {@code user@host} of the room
     * @param historySize public messages kept for joiners ({@code history_size}, default 20)
     * @param screenImages takes {@code application/blink-screensharing} messages, which are not chat
     * @param owner       the room's executor, where the switch's state lives
     */
    ChatSwitch(String room, int historySize, ScreenImages screenImages, Executor owner) {
        this(room, historySize, HISTORY_BYTES, JoinInfo.SIP_ONLY, screenImages, owner, () -> { });
    }

    /**
     * @param historyBytes content bytes the history may hold ({@code history_max_size}): the oldest messages go
     *                     first, so that a room's history costs no more than that however large its messages
     * @param nicknamesChanged run on the executor when a nickname is set or cleared (conference-info is re-sent)
     */
    public ChatSwitch(String room, int historySize, long historyBytes, JoinInfo join, ScreenImages screenImages,
                      Executor owner, Runnable nicknamesChanged) {
        this.nicknamesChanged = Objects.requireNonNull(nicknamesChanged, "nicknamesChanged");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.historyBytes = historyBytes;
        this.join = join;
        this.room = Objects.requireNonNull(room, "room");
        this.historySize = historySize;
        this.screenImages = Objects.requireNonNull(screenImages, "screenImages");
    }

    /** A chat stream joined: it gets the history, oldest first. */
    public void join(Session session) {
        sessions.add(session);
        history.forEach(session::deliver);
    }

    /** A chat stream left. */
    public void leave(Session session) {
        sessions.remove(session);
        nicknames.remove(session);
        if (sessions.stream().noneMatch(other -> other.uri().equals(session.uri()))) {
            lastNicknames.remove(session.uri());
        }
    }

    /** The session's nickname (RFC 7701), or null: what conference-info shows for its endpoint (spec §3.6). */
    public String nickname(Session session) {
        return nicknames.get(session);
    }

    /** The last nickname one of the user's sessions set, or null: conference-info's user display-text (§3.6). */
    public String lastNickname(String uri) {
        return lastNicknames.get(uri);
    }

    /** AG Projects' CPIM namespace for the status marker (spec §3.4). */
    static final String AGP_NAMESPACE = CpimMessage.AGP_NAMESPACE;

    /**
     * The welcome a chat joiner gets from the room (spec §3.3): how many others are here and how to join.
     *
     * @param others other distinct participants
     */
    public void welcome(Session session, int others) {
        String count = others == 0 ? "You are the first participant"
                : others == 1 ? "There is one more participant" : "There are " + others + " more participants";
        session.deliver(fromRoom(count + " in the conference. Others can join by using:\n"
                + String.join("\n", join.welcomeLines(room)), false));
    }

    /**
     * A server status message (join, leave) from the room to every chat session but {@code except}, marked
     * {@code agp.Message-Type: status} so clients render it as a notice (spec §3.4).
     */
    public void status(String text, Session except) {
        CpimMessage message = null; // built only when someone will read it: most joins have no chat session to tell
        for (Session session : sessions) {
            if (session != except) {
                if (message == null) {
                    message = fromRoom(text, true);
                }
                session.deliver(message);
            }
        }
    }

    /** Tells one participant the server's ZRTP SAS of its audio, over its chat only (spec §3.8). Any thread. */
    public void sas(Session session, String sas) {
        session.deliver(fromRoom("Received ZRTP Short Authentication String: " + sas, true));
    }

    private CpimMessage fromRoom(String text, boolean status) {
        CpimMessage.Builder builder = CpimMessage.builder()
                .from(new CpimMessage.Address("Conference Room", "sip:" + room))
                .to(roomAddress())
                .dateTime(OffsetDateTime.now(ZoneOffset.UTC));
        if (status) {
            builder.namespace("agp", AGP_NAMESPACE).header("agp.Message-Type", "status");
        }
        return builder.contentHeader("Content-Type", "text/plain")
                .content((status ? text : "Welcome! " + text).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .build();
    }

    /** How long someone stayed, as the original means to write it: N seconds, MM:SS or HH:MM:SS (spec §3.3). */
    public static String duration(java.time.Duration stay) {
        long seconds = stay.getSeconds();
        if (seconds < 60) {
            return seconds + " seconds";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%02d:%02d", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    /**
     * RFC 7701 NICKNAME: 200, or 425 when another session uses it; an empty nickname clears. Decided on the room's
     * executor; the caller (the session's MSRP connection thread, never the executor itself) waits for it.
     */
    public int setNickname(Session session, String nickname) {
        return CompletableFuture.supplyAsync(() -> nickname(session, nickname), owner).join();
    }

    private int nickname(Session session, String nickname) {
        String wanted = nickname == null ? "" : nickname.strip();
        if (wanted.isEmpty()) {
            // spec §3.4: an empty nickname clears the session's and the user's last one
            boolean had = nicknames.remove(session) != null | lastNicknames.remove(session.uri()) != null;
            if (had) {
                nicknamesChanged.run();
            }
            return OK;
        }
        for (Map.Entry<Session, String> other : nicknames.entrySet()) {
            if (other.getKey() != session && other.getValue().equalsIgnoreCase(wanted)) {
                return NICKNAME_IN_USE;
            }
        }
        String before = nicknames.put(session, wanted);
        String lastBefore = lastNicknames.put(session.uri(), wanted);
        if (!wanted.equals(before) || !wanted.equals(lastBefore)) {
            nicknamesChanged.run();
        }
        return OK;
    }

    /**
     * A complete message received from {@code sender} (after reassembly of its chunks), on its connection's thread
     * (never the room's executor): checked here, relayed on the room's executor.
     *
     * @return the status for the MSRP response
     */
    public int received(Session sender, String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(CpimMessage.CONTENT_TYPE)) {
            return BAD_TYPE;
        }
        if (body == null || body.length == 0) {
            return OK; // keep-alive
        }
        CpimMessage message;
        try {
            message = CpimMessage.parse(body);
        } catch (CpimException e) {
            log.info(() -> "room " + room + ": CPIM from " + sender.uri() + " refused: " + e.getMessage());
            return BAD_REQUEST;
        }
        String payloadType = message.contentType() == null ? "" : message.contentType().toLowerCase(Locale.ROOT);
        if (payloadType.equals(ZRTP_SAS)) {
            String sas = new String(message.content(), java.nio.charset.StandardCharsets.UTF_8).strip();
            boolean verified = sender.verifySas(sas);
            log.info(() -> "room " + room + ": " + sender.uri() + " sent its ZRTP SAS, "
                    + (verified ? "verified" : "not verified"));
            return verified ? OK : UNWANTED;
        }
        boolean composing = payloadType.startsWith(IS_COMPOSING);
        boolean screenImage = payloadType.startsWith(ScreenImages.CONTENT_TYPE);
        if (!composing && !screenImage && !payloadType.startsWith("text/") && !payloadType.startsWith("image/")) {
            return UNWANTED;
        }
        Optional<CpimMessage.Address> from = message.from();
        if (from.isPresent() && !Identity.bare(from.get().uri()).equals(sender.uri())) {
            log.info(() -> "room " + room + ": message from " + sender.uri() + " claiming to be "
                    + from.get().uri() + " dropped");
            return OK;
        }
        if (screenImage) {
            return screenImages.received(sender, message); // shown over HTTP: neither relayed nor kept (spec §3.7)
        }
        if (!composing && new String(message.content(), java.nio.charset.StandardCharsets.UTF_8).startsWith("?OTR:")) {
            return OK;
        }
        // relayed on the room's executor while the sender's connection waits: a sender goes no faster than its room
        CompletableFuture.runAsync(() -> relay(sender, message, composing), owner).join();
        return OK;
    }

    /** Delivers a checked message to its recipients, answers the sender's IMDN request, keeps it in the history. */
    private void relay(Session sender, CpimMessage message, boolean composing) {
        List<CpimMessage.Address> to = message.to();
        boolean isPrivate = to.size() == 1 && !Identity.bare(to.get(0).uri()).equals(room);
        CpimMessage relayed = reoriginate(sender, message, isPrivate ? to.get(0) : roomAddress());
        int delivered = 0;
        for (Session session : sessions) {
            if (session == sender) {
                continue;
            }
            boolean recipient = isPrivate
                    ? session.uri().equals(Identity.bare(to.get(0).uri())) || session.uri().equals(sender.uri())
                    : true;
            if (recipient) {
                session.deliver(relayed);
                delivered++;
            }
        }
        if (!composing) {
            notifyDelivery(sender, message, delivered > 0);
        }
        if (!isPrivate && !composing && historySize > 0) {
            history.addLast(relayed);
            historyContent += relayed.content().length;
            while (history.size() > historySize || historyContent > historyBytes) {
                historyContent -= history.removeFirst().content().length;
            }
        }
    }

    /**
     * RFC 5438 §7.2.1.1 for the room as recipient (beyond the original, which never sends IMDNs): a sender that
     * asked for {@code positive-delivery} hears {@code delivered} once the room has passed the message on, one
     * that asked for {@code negative-delivery} hears {@code failed} when nobody was there to take it.
     */
    private void notifyDelivery(Session sender, CpimMessage message, boolean delivered) {
        java.util.Set<String> requested = message.dispositionNotification();
        Optional<String> id = message.imdnMessageId();
        if (id.isEmpty() || !requested.contains(delivered ? "positive-delivery" : "negative-delivery")) {
            return;
        }
        OffsetDateTime sent = message.dateTime().orElse(OffsetDateTime.now(ZoneOffset.UTC));
        ImdnDocument imdn = new ImdnDocument(id.get(), sent, "sip:" + room, ImdnDocument.Notification.DELIVERY,
                delivered ? ImdnDocument.Status.DELIVERED : ImdnDocument.Status.FAILED);
        sender.deliver(imdn.toCpim(new CpimMessage.Address("Conference Room", "sip:" + room),
                new CpimMessage.Address("", "sip:" + sender.uri()), newMessageId(), OffsetDateTime.now(ZoneOffset.UTC)));
    }

    private static String newMessageId() {
        byte[] id = new byte[12];
        ID_RANDOM.nextBytes(id);
        return java.util.HexFormat.of().formatHex(id);
    }

    private CpimMessage.Address roomAddress() {
        return new CpimMessage.Address("", "sip:" + room);
    }

    /** The message as the switch sends it: From the sender (nickname as display name), To, time, other headers. */
    private CpimMessage reoriginate(Session sender, CpimMessage original, CpimMessage.Address to) {
        String display = nicknames.getOrDefault(sender, sender.displayName() == null ? "" : sender.displayName());
        List<CpimMessage.Header> headers = new ArrayList<>();
        headers.add(new CpimMessage.Header("From", new CpimMessage.Address(display, "sip:" + sender.uri())
                .toHeaderValue()));
        headers.add(new CpimMessage.Header("To", to.toHeaderValue()));
        boolean dated = false;
        for (CpimMessage.Header header : original.headers()) {
            String name = header.name();
            if (name.equalsIgnoreCase("From") || name.equalsIgnoreCase("To") || name.equalsIgnoreCase("cc")) {
                continue;
            }
            dated |= name.equalsIgnoreCase("DateTime");
            headers.add(header);
        }
        if (!dated) {
            headers.add(CpimMessage.builder().dateTime(OffsetDateTime.now(ZoneOffset.UTC))
                    .contentHeader("Content-Type", "text/plain").build().headers().get(0));
        }
        return new CpimMessage(headers, original.contentHeaders(), original.content());
    }

    /** Messages in the history now (on the executor). */
    int historyLength() {
        return history.size();
    }
}
