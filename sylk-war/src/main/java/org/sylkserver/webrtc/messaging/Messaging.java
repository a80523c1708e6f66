package org.sylkserver.webrtc.messaging;

import static org.sylkserver.webrtc.messaging.ClientContent.contentType;
import static org.sylkserver.webrtc.messaging.ClientContent.mediaType;
import static org.sylkserver.webrtc.messaging.ClientContent.messageId;
import static org.sylkserver.webrtc.messaging.ClientContent.text;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import javax.json.JsonException;
import javax.json.JsonReader;
import javax.json.JsonString;
import javax.json.JsonValue;
import javax.json.bind.Jsonb;
import javax.json.bind.JsonbBuilder;

import org.sylkserver.core.LogThrottle;
import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.imdn.ImdnDocument;
import org.sylkserver.protocols.imdn.ImdnException;
import org.sylkserver.protocols.rcs.FileTransferHttpDocument;
import org.sylkserver.protocols.rcs.FileTransferHttpException;
import org.sylkserver.webrtc.Account;
import org.sylkserver.webrtc.JsonP;
import org.sylkserver.webrtc.SylkRtcConnection;
import org.sylkserver.webrtc.api.AccountDispositionNotificationRequest;
import org.sylkserver.webrtc.filetransfer.TransferredFile;
import org.sylkserver.webrtc.api.AccountMessageRequest;
import org.sylkserver.webrtc.api.AccountSyncConversationsRequest;
import org.sylkserver.webrtc.api.DispositionNotificationEvent;
import org.sylkserver.webrtc.api.JournalItem;
import org.sylkserver.webrtc.api.LookupPublicKeyEvent;
import org.sylkserver.webrtc.api.MessageEvent;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SipAor;
import org.sylkserver.webrtc.api.SipIdentity;
import org.sylkserver.webrtc.api.SyncConversationsEvent;
import org.sylkserver.webrtc.api.SyncEvent;
import org.sylkserver.webrtc.api.SylkRtcMessage;

/**
 * Messaging for Sylk clients (spec §4.8, §4.9): messages an account's devices send go out as SIP MESSAGE with CPIM and
 * are journaled; MESSAGEs the proxy forks to the gateway are journaled for their recipient and delivered to its
 * devices; IMDNs update both copies; devices sync from the journal. Every message is in the {@link MessageStore} before
 * it is acknowledged (the sylkRTC ack, the SIP 200). Thread-safe: requests come from connections' executors, MESSAGEs
 * and their responses from SIP threads, which hand the store work to the {@link StoreQueue}'s threads, and the store
 * serialises what must be.
 */
public final class Messaging {

    /** Where account events go: every connection where the account is authenticated (spec §4.8.2). */
    public interface Devices {
        /** Sends {@code event} to the connections of {@code account}, except {@code except} (or none when null). */
        void publish(String account, SylkRtcMessage event, SylkRtcConnection except);

        /** Sends {@code event} to {@code connection} only, after what it is doing now. */
        void send(SylkRtcConnection connection, SylkRtcMessage event);
    }

    /** Wakes the recipient's mobile devices for a message (spec §4.11); must never block. */
    @FunctionalInterface
    public interface Push {
        void message(String account, SipIdentity sender, String contentType, String content);
    }

    /**
     * What an incoming MESSAGE is answered with (spec §4.8.2: 200, 400 for bad ones; here 200 only once stored).
     *
     * @param retryAfterSeconds the {@code Retry-After} of a 503 (RFC 3261 §21.5.4), 0 for none
     */
    public record Answer(int status, String reason, int retryAfterSeconds) {
        static final Answer OK = new Answer(200, "OK");
        /** The store's queue is full: try again in a moment. */
        static final Answer BUSY = new Answer(503, "Service Unavailable", RETRY_AFTER_SECONDS);

        public Answer(int status, String reason) {
            this(status, reason, 0);
        }
    }

    static final List<String> REQUESTED = List.of("positive-delivery", "display");
    private static final Set<String> NOTIFICATION_STATES = Set.of("delivered", "failed", "displayed", "forbidden", "error");
    private static final String IMDN_JOURNAL_TYPE = "message/imdn";
    private static final Logger LOG = Logger.getLogger("webrtcgateway.messaging");
    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** When a sender refused for a full store queue should try again: a full queue drains within seconds. */
    static final int RETRY_AFTER_SECONDS = 2;
    /** The least time between two warnings of refused MESSAGEs. */
    /** The original's time format (spec §4.3): {@code YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM}. */
    static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss").optionalStart().appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .optionalEnd().appendOffset("+HH:MM", "+00:00").toFormatter();

    private final MessageStore store;
    private final StoreQueue queue;
    /** The queue's batches (one object each: a lane runs together the tasks of the same batch). */
    private final StoreQueue.Batch<Waiting> regularMessages = (messages, done) -> regular(messages, done, true);
    /** Sent messages' adds and outcomes. */
    private final StoreQueue.Batch<Change> journalChanges = this::change;
    private final LogThrottle refusals = new LogThrottle(Duration.ofSeconds(10));
    private final SipMessages sip;
    private final Devices devices;
    private final Push push;
    private final Clock clock;
    private final int maxBodyBytes;
    private final Duration apiTokenLifetime;
    private final String serverAddress;
    private final String historyUrl;
    /** Removes the stored file of a removed file-transfer message (spec §4.8.5); set once file transfer runs. */
    private volatile Consumer<String> fileTransferRemoved = content -> { };

    /**
     * @param queue         where the store work of incoming MESSAGEs and of sent messages' outcomes runs, off the SIP
     *                      threads
     * @param push          wakes mobile devices ({@code sylk_push_url}), or null when none is configured
     * @param serverAddress the gateway's SIP address ({@code local_ip}): its own replies come from
     *                      {@code sylkserver@<serverAddress>} (spec §4.9)
     * @param historyUrl    the history API's base URL, {@code <web base>/webrtcgateway/messages/history}
     */
    public Messaging(MessageStore store, StoreQueue queue, SipMessages sip, Devices devices, Push push, Clock clock,
                     MessagingConfig config, String serverAddress, String historyUrl) {
        this.store = store;
        this.queue = queue;
        this.sip = sip;
        this.devices = devices;
        this.push = push;
        this.clock = clock;
        this.maxBodyBytes = config.maxBodyBytes();
        this.apiTokenLifetime = config.apiTokenLifetime();
        this.serverAddress = serverAddress;
        this.historyUrl = historyUrl;
    }

    /**
     * What removes a transfer's stored file when its {@code application/sylk-file-transfer} message is removed (spec
     * §4.8.5); it gets the message's content. File transfer sends its notifications through messaging, so it is made
     * after messaging and set here.
     */
    public void onFileTransferRemoved(Consumer<String> removal) {
        this.fileTransferRemoved = removal;
    }

    /**
     * The account authenticated (spec §4.8.2: from now on messages for it are stored), on a device with the push
     * parameters {@code push} (or null), which are stored for message pushes (spec §4.5.2).
     */
    public void authenticated(String account, DeviceToken push) {
        try {
            store.touchAccount(account, clock.instant());
            if (push != null) {
                store.putDeviceToken(push);
            }
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "cannot record " + account + " as a messaging account", e);
        }
    }

    /** The device unregistered the account: no more pushes to it (spec §4.4 {@code account-unregister}). */
    public void removeDeviceToken(DeviceToken push) {
        try {
            store.removeDeviceToken(push.account(), push.appId(), push.deviceId());
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "push token of " + push.account() + " not removed", e);
        }
    }

    // ---- sending (spec §4.8.1) ----

    /**
     * {@code account-message}: checked and built on the calling thread (what cannot be sent throws, and changes
     * nothing); then stored as pending on the conversation's store lane, in one commit with the conversation's other
     * changes waiting there, while the connection goes on with its next requests: a connection's messages in flight
     * share commits instead of one each, the connection's thread waiting for every one (issue 14). Once committed,
     * {@code answering}'s {@link SylkRtcConnection.Pipelined#then} gets the rest, which runs where the request is
     * answered: announced to the account's other devices, sent as a SIP MESSAGE with CPIM, and acknowledged (or, when
     * the store failed, answered with an error, nothing sent). The final response to the MESSAGE makes it accepted or
     * failed, announced to every device.
     *
     * @param answering asked once, when nothing can fail on the calling thread any more: where the request is answered
     */
    public void send(Account account, SylkRtcConnection origin, AccountMessageRequest request,
                     Supplier<SylkRtcConnection.Pipelined> answering) throws RequestError {
        String contentType = contentType(request.getContentType());
        byte[] content = contentBytes(contentType, request.getContent());
        OffsetDateTime timestamp = time("timestamp", request.getTimestamp());
        String messageId = messageId(request.getMessageId());
        // built before anything is stored: what cannot be sent changes nothing
        CpimMessage cpim = CpimMessage.builder()
                .from(new CpimMessage.Address(account.displayName(), "sip:" + account.aor()))
                .to(CpimMessage.Address.of("sip:" + request.getUri()))
                .dateTime(timestamp)
                .namespace("imdn", CpimMessage.IMDN_NAMESPACE)
                .header("imdn.Message-ID", messageId)
                .header("imdn.Disposition-Notification", String.join(", ", REQUESTED))
                .contentHeader("Content-Type", contentType.startsWith("text/") ? contentType + ";charset=utf-8" : contentType)
                .content(content)
                .build();
        StoredMessage message = new StoredMessage(account.aor(), request.getUri(), StoredMessage.OUTGOING, messageId,
                contentType, request.getContent(), timestamp, now(), REQUESTED, "pending");
        String conversation = conversation(account.aor(), request.getUri());
        SylkRtcConnection.Pipelined answer = answering.get();
        boolean queued = queue.add(conversation, journalChanges, new Change(new MessageStore.Add(message),
                added -> answer.then(() -> {
                    if (added.failure() != null) {
                        throw storeFailed(added.failure());
                    }
                    devices.publish(account.aor(), new SyncEvent(account.aor(), "message", "add", requestContent(request)),
                            origin);
                    sip.send(new SipMessages.Outgoing(account, account.aor(), account.displayName(), request.getUri(),
                            CpimMessage.CONTENT_TYPE, cpim.toBytes(), Map.of(), SipMessages.Audience.CONTACT),
                            (status, reason) ->
                            // the outcome comes on a SIP thread: the store's own threads record it
                            queue.add(conversation, journalChanges, sent(message, status, reason)));
                })));
        if (!queued) {
            answer.then(() -> {
                throw new RequestError("Message store unavailable");
            });
        }
    }

    /**
     * A change of a conversation's journal waiting on its store lane, and what follows once it is made or failed (on
     * the lane's thread, in the lane's order).
     */
    private record Change(MessageStore.Write write, Consumer<MessageStore.Written> then) {
    }

    /** Makes the changes (in one commit when the store can), then runs what follows each, in order. */
    private void change(List<Change> changes, Runnable done) {
        List<MessageStore.Write> writes = new ArrayList<>(changes.size());
        for (Change change : changes) {
            writes.add(change.write());
        }
        List<MessageStore.Written> written = written(writes);
        for (int i = 0; i < changes.size(); i++) {
            done.run();
            try {
                changes.get(i).then().accept(written.get(i));
            } catch (RuntimeException e) {
                // the others still need theirs
                LOG.log(Level.SEVERE, "message store change " + changes.get(i).write() + " not followed up", e);
            }
        }
    }

    /**
     * The final response to the SIP MESSAGE of a sent message: its state, accepted or failed, recorded, then told to
     * every device.
     */
    private Change sent(StoredMessage message, int status, String reason) {
        String state = status >= 200 && status < 300 ? "accepted" : "failed";
        return new Change(new MessageStore.Update(message.account(), message.messageId(), state, message.disposition()),
                recorded -> {
                    if (recorded.failure() != null) {
                        LOG.log(Level.WARNING, "message " + message.messageId() + " " + state + " but not recorded",
                                recorded.failure());
                    }
                    LOG.fine(() -> "message " + message.messageId() + " of " + message.account() + ": " + status + " "
                            + reason);
                    devices.publish(message.account(), new DispositionNotificationEvent(message.account(),
                            message.messageId(), format(message.timestamp()), state, status, reason), null);
                });
    }

    /**
     * {@code account-disposition-notification} (spec §4.8.3): an IMDN to {@code uri}, CPIM-wrapped with a new id and no
     * Disposition-Notification; the account's own copy takes the state. {@code failed} and {@code forbidden} are
     * delivery notifications (they crashed the original, quirk Q7), {@code error} a display notification as there.
     */
    public void notifyDisposition(Account account, AccountDispositionNotificationRequest request) throws RequestError {
        String state = request.getState();
        if (!NOTIFICATION_STATES.contains(state)) {
            throw new RequestError("Invalid value for 'state' property: '" + state
                    + "' (expected: delivered, failed, displayed, forbidden or error)");
        }
        OffsetDateTime timestamp = time("timestamp", request.getTimestamp());
        messageId(request.getMessageId());
        StoredMessage original = find(account.aor(), request.getMessageId());
        ImdnDocument.Notification kind = switch (state) {
            case "displayed", "error" -> ImdnDocument.Notification.DISPLAY;
            default -> ImdnDocument.Notification.DELIVERY;
        };
        ImdnDocument imdn = new ImdnDocument(request.getMessageId(),
                original != null ? original.timestamp() : timestamp, "sip:" + account.aor(), kind,
                ImdnDocument.Status.valueOf(state.toUpperCase(Locale.ROOT)));
        CpimMessage cpim = imdn.toCpim(new CpimMessage.Address(account.displayName(), "sip:" + account.aor()),
                CpimMessage.Address.of("sip:" + request.getUri()), UUID.randomUUID().toString(), now().atOffset(ZoneOffset.UTC));
        if (original != null) {
            update(original, state, remaining(original.disposition(), state));
        }
        sip.send(new SipMessages.Outgoing(account, account.aor(), account.displayName(), request.getUri(),
                CpimMessage.CONTENT_TYPE, cpim.toBytes(), Map.of(), SipMessages.Audience.CONTACT),
                (status, reason) -> LOG.fine(() -> "IMDN for " + request.getMessageId() + " to " + request.getUri()
                        + ": " + status + " " + reason));
    }

    // ---- receiving (spec §4.8.2, §4.9) ----

    /**
     * A MESSAGE routed to the gateway, handled on the calling thread: 400 when it lacks From, To, Content-Type or a
     * body, or its CPIM, IMDN or API body does not parse; 413 when its body is over {@code max_message_body_size}; 500
     * when the store failed (the sender retries); else 200 once what it carries is stored. For what the gateway hands
     * itself (a file transfer's message, spec §4.10.1); SIP requests go through {@link #receive}.
     */
    public Answer received(IncomingSipMessage message) {
        Taken taken = take(message);
        if (taken.regular() != null) {
            Answer[] answer = new Answer[1];
            regular(List.of(new Waiting(taken.regular(), reply -> answer[0] = reply)), () -> { }, false);
            return answer[0];
        }
        return taken.work() == null ? taken.answer() : perform(message, taken.work());
    }

    /**
     * A MESSAGE routed to the gateway (spec §4.8.2, §4.9), answered through {@code reply} with what {@link #received}
     * answers, but without holding the calling thread (a SIP thread) while the store works: what is wrong with the
     * request is answered at once; the store work is queued by conversation (the two AORs), so that a conversation's
     * messages are stored in the order they arrived, and {@code reply} gets the answer from the store's thread once
     * the work is done, 200 only once it is stored. When {@code message_store_queue_size} requests wait already, it
     * gets 503 with {@code Retry-After} at once (RFC 3261 §21.5.4): nothing is stored, the sender tries again later.
     */
    public void receive(IncomingSipMessage message, Consumer<Answer> reply) {
        Taken taken = take(message);
        boolean queued;
        if (taken.regular() != null) {
            // successive messages of a conversation are stored together (one commit), in order
            queued = queue.offer(taken.conversation(), regularMessages, new Waiting(taken.regular(), reply));
        } else if (taken.work() != null) {
            queued = queue.offer(taken.conversation(), () -> reply.accept(perform(message, taken.work())));
        } else {
            reply.accept(taken.answer());
            return;
        }
        if (!queued) {
            refused(message);
            reply.accept(Answer.BUSY);
        }
    }

    /** Warns that a MESSAGE was refused for a full store queue: at most every 10 s, with how many since the last time. */
    private void refused(IncomingSipMessage message) {
        long count = refusals.occurred();
        if (count > 0) {
            LOG.warning(() -> "message store queue full (" + queue.pending() + " queued or being stored, "
                    + "message_store_queue_size " + queue.capacity() + "): MESSAGE from " + message.from() + " to "
                    + message.to() + " answered 503 (Retry-After " + RETRY_AFTER_SECONDS + " s); " + count
                    + " refused since the last warning");
        }
    }

    /** What the store does for one MESSAGE, and the answer once done. */
    @FunctionalInterface
    private interface StoreWork {
        Answer run() throws StoreException;
    }

    /**
     * An incoming MESSAGE as read on the calling thread: its answer already, or its conversation and store work, which
     * is a regular message's or other work.
     */
    private record Taken(Answer answer, String conversation, StoreWork work, Regular regular) {
        static Taken answered(Answer answer) {
            return new Taken(answer, null, null, null);
        }

        static Taken work(String one, String other, StoreWork work) {
            return new Taken(null, Messaging.conversation(one, other), work, null);
        }

        static Taken regular(Regular regular) {
            return new Taken(null, Messaging.conversation(regular.sender().getUri(), regular.message().to()), null,
                    regular);
        }
    }

    /** The queue key of what is between two AORs, whichever sent it. */
    static String conversation(String one, String other) {
        return one.compareTo(other) <= 0 ? one + "\n" + other : other + "\n" + one;
    }

    private static Answer perform(IncomingSipMessage message, StoreWork work) {
        try {
            return work.run();
        } catch (StoreException | RuntimeException e) {
            return failed(message, e);
        }
    }

    /** 500 for a MESSAGE whose store work failed (the sender retries), logged. */
    private static Answer failed(IncomingSipMessage message, Exception e) {
        if (e instanceof StoreException) {
            LOG.log(Level.WARNING, "MESSAGE from " + message.from() + " to " + message.to() + " not stored", e);
        } else {
            // never unanswered: the sender would wait for its transaction to time out
            LOG.log(Level.SEVERE, "MESSAGE from " + message.from() + " to " + message.to() + " failed", e);
        }
        return new Answer(500, "Server Internal Error");
    }

    /** Everything about the MESSAGE that needs no store: checks, CPIM, the documents its types carry. */
    private Taken take(IncomingSipMessage message) {
        if (message.from() == null || message.to() == null || message.contentType() == null) {
            return Taken.answered(new Answer(400, "Missing From, To or Content-Type"));
        }
        if (message.body().length == 0) {
            return Taken.answered(new Answer(400, "Empty body"));
        }
        if (message.body().length > maxBodyBytes) {
            return Taken.answered(new Answer(413, "Request Entity Too Large"));
        }
        byte[] body = message.body();
        if ("deflate".equalsIgnoreCase(message.contentEncoding())) {
            body = inflate(body);
            if (body == null) {
                return Taken.answered(new Answer(400, "Bad deflate body"));
            }
        }
        String contentType = mediaType(message.contentType());
        SipIdentity sender = new SipIdentity(message.from(), message.fromDisplayName());
        String messageId = UUID.randomUUID().toString();
        OffsetDateTime timestamp = now().atOffset(ZoneOffset.UTC);
        List<String> disposition = null;
        if (contentType.equals(CpimMessage.CONTENT_TYPE)) {
            try {
                CpimMessage cpim = CpimMessage.parse(body);
                contentType = cpim.contentType();
                body = cpim.content();
                messageId = cpim.imdnMessageId().orElse(messageId);
                timestamp = cpim.dateTime().orElse(timestamp);
                Set<String> requested = cpim.dispositionNotification();
                disposition = requested.isEmpty() ? null : List.copyOf(requested);
                if (cpim.from().isPresent()) {
                    CpimMessage.Address from = cpim.from().get();
                    sender = new SipIdentity(aor(from.uri()), from.displayName().isEmpty()
                            ? message.fromDisplayName() : from.displayName());
                }
            } catch (CpimException e) {
                return Taken.answered(new Answer(400, "Bad CPIM: " + e.getMessage()));
            }
        }
        String from = sender.getUri();
        String to = message.to();
        switch (contentType) {
            case "application/im-iscomposing+xml",
                    // what the gateway itself sends to an account's SIP devices (X-Sylk-To-Sip): not a message to keep
                    "application/sylk-message-remove", "application/sylk-conversation-read",
                    "application/sylk-conversation-remove" -> {
                return Taken.answered(Answer.OK);
            }
            case "application/sylk-api-token" -> {
                return Taken.work(from, from, () -> apiToken(from));
            }
            case "application/sylk-api-pgp-key-lookup" -> {
                return Taken.work(from, to, () -> keyLookup(from, to));
            }
            case "application/sylk-api-message-remove" -> {
                String id = text(contentType, body).strip();
                if (id.isEmpty()) {
                    return Taken.answered(new Answer(400, "No message id"));
                }
                return Taken.work(from, to, () -> {
                    removeMessage(from, null, null, id, to);
                    return Answer.OK;
                });
            }
            case "application/sylk-api-conversation-read", "application/sylk-api-conversation-remove" -> {
                String contact = contact(text(contentType, body));
                if (contact == null) {
                    return Taken.answered(new Answer(400, "Body must be {\"contact\": \"<AOR>\"}"));
                }
                boolean read = contentType.equals("application/sylk-api-conversation-read");
                return Taken.work(from, contact, () -> {
                    if (read) {
                        markRead(from, null, null, contact);
                    } else {
                        removeConversation(from, null, null, contact);
                    }
                    return Answer.OK;
                });
            }
            case ImdnDocument.CONTENT_TYPE -> {
                ImdnDocument imdn;
                try {
                    imdn = ImdnDocument.parse(body);
                } catch (ImdnException e) {
                    return Taken.answered(new Answer(400, "Bad IMDN: " + e.getMessage()));
                }
                SipIdentity imdnSender = sender;
                String imdnId = messageId;
                return Taken.work(from, to, () -> imdn(to, imdnSender, imdnId, imdn));
            }
            case FileTransferHttpDocument.CONTENT_TYPE -> {
                FileTransferHttpDocument rcs;
                try {
                    rcs = FileTransferHttpDocument.parse(body);
                } catch (FileTransferHttpException e) {
                    return Taken.answered(new Answer(400, "Bad RCS file transfer: " + e.getMessage()));
                }
                String content = TransferredFile.fromRcs(rcs, new TransferredFile.Party(from, sender.getDisplayName()),
                        new TransferredFile.Party(to, null), messageId, timestamp).toMessageJson();
                return regularWork(message, sender, messageId, TransferredFile.CONTENT_TYPE, content, timestamp,
                        disposition);
            }
            default -> {
                return regularWork(message, sender, messageId, contentType, text(contentType, body), timestamp,
                        disposition);
            }
        }
    }

    private Taken regularWork(IncomingSipMessage message, SipIdentity sender, String messageId, String contentType,
                              String content, OffsetDateTime timestamp, List<String> disposition) {
        return Taken.regular(new Regular(message, sender, messageId, contentType, content, timestamp,
                disposition == null ? List.of() : disposition));
    }

    /** A regular message (spec §4.8.2, §4.9 "anything else"), checked and read. */
    private record Regular(IncomingSipMessage message, SipIdentity sender, String messageId, String contentType,
                           String content, OffsetDateTime timestamp, List<String> disposition) {
    }

    /** A regular message waiting for the store, and where its answer goes. */
    private record Waiting(Regular regular, Consumer<Answer> reply) {
    }

    /**
     * The store work of successive regular messages of one conversation: journaled for the recipient if known (a
     * message from one of the sender's SIP devices also for the sender, below), delivered to its devices, answered.
     * Their journal entries are written in one call, in order, so that the embedded store commits them together: one
     * conversation's flood stored one transaction per message ran at one commit's rate (issue 14). Then, message by
     * message in order: the events and the push; and the answers (200 once stored, 500 if the store failed), each
     * counted {@code done} for the queue just before it is answered: with {@code answerElsewhere} on another of the
     * queue's threads, so that the conversation's next messages are stored meanwhile (sending a SIP response took
     * half of the lane's CPU per message, and one conversation's flood runs on one lane).
     */
    private void regular(List<Waiting> messages, Runnable done, boolean answerElsewhere) {
        List<MessageStore.Write> writes = new ArrayList<>();
        // per message: the index in writes of its entry for the recipient and for the sender, -1 for none
        int[] incoming = new int[messages.size()];
        int[] outgoing = new int[messages.size()];
        Answer[] answers = new Answer[messages.size()];
        for (int i = 0; i < messages.size(); i++) {
            Regular message = messages.get(i).regular();
            incoming[i] = -1;
            outgoing[i] = -1;
            try {
                String account = message.message().to();
                String sender = message.sender().getUri();
                switch (message.contentType()) {
                    case "text/pgp-public-key" -> store.setPublicKey(sender, message.content(), now());
                    case "text/pgp-private-key" -> {
                        // moved between the account's own devices: delivered, never journaled (spec §4.8.4)
                    }
                    default -> {
                        if (store.isKnown(account)) {
                            incoming[i] = writes.size();
                            writes.add(new MessageStore.Add(new StoredMessage(account, sender, StoredMessage.INCOMING,
                                    message.messageId(), message.contentType(), message.content(), message.timestamp(),
                                    now(), message.disposition(), "received")));
                        }
                    }
                }
                if (message.message().fromSip() && store.isKnown(sender)) {
                    outgoing[i] = writes.size();
                    writes.add(new MessageStore.Add(new StoredMessage(sender, account, StoredMessage.OUTGOING,
                            message.messageId(), message.contentType(), message.content(), message.timestamp(), now(),
                            List.of(), "accepted")));
                }
            } catch (StoreException | RuntimeException e) {
                answers[i] = failed(message.message(), e);
            }
        }
        List<MessageStore.Written> written = writes.isEmpty() ? List.of() : written(writes);
        for (int i = 0; i < messages.size(); i++) {
            Waiting waiting = messages.get(i);
            if (answers[i] == null) {
                try {
                    delivered(waiting.regular(), incoming[i] < 0 || written.get(incoming[i]).get(),
                            outgoing[i] >= 0 && written.get(outgoing[i]).get());
                    answers[i] = Answer.OK;
                } catch (StoreException | RuntimeException e) {
                    answers[i] = failed(waiting.regular().message(), e);
                }
            }
        }
        Runnable answering = () -> {
            for (int i = 0; i < messages.size(); i++) {
                done.run();
                try {
                    messages.get(i).reply().accept(answers[i]);
                } catch (RuntimeException e) {
                    // the others still need theirs
                    LOG.log(Level.SEVERE, "MESSAGE from " + messages.get(i).regular().message().from() + " not answered", e);
                }
            }
        };
        if (answerElsewhere) {
            queue.elsewhere(answering);
        } else {
            answering.run();
        }
    }

    /** {@link MessageStore#write}, whose failures, even unexpected ones, are each change's outcome. */
    private List<MessageStore.Written> written(List<MessageStore.Write> changes) {
        try {
            return store.write(changes);
        } catch (RuntimeException e) {
            StoreException failure = new StoreException("message store: cannot write " + changes.size()
                    + " changes: " + e, e);
            return changes.stream().map(change -> new MessageStore.Written(false, failure)).toList();
        }
    }

    /**
     * A regular message's events once stored: to the recipient's devices unless it was a copy ({@code fresh} false),
     * and, when one of the sender's SIP devices sent it and the sender's copy is new ({@code sentCopy}), to the
     * sender's WebRTC devices (spec §4.8.5).
     */
    private void delivered(Regular message, boolean fresh, boolean sentCopy) {
        String account = message.message().to();
        List<String> disposition = message.disposition().isEmpty() ? null : message.disposition();
        if (fresh) {
            devices.publish(account, new MessageEvent(account, message.sender(), format(message.timestamp()), disposition,
                    message.messageId(), message.contentType(), message.content()), null);
            if (push != null && PushNotifications.PUSHED.contains(message.contentType())) {
                push.message(account, message.sender(), message.contentType(), message.content());
            }
        }
        if (sentCopy) {
            sentFromSip(message.sender().getUri(), account, message.messageId(), message.contentType(),
                    message.content(), message.timestamp());
        }
    }

    /**
     * spec §4.8.5: a message one of the sender's SIP devices sent ({@code X-Sylk-From-Sip}) is also the sender's
     * outgoing message, stored as accepted when the sender is known (by {@link #regular}) and announced to its WebRTC
     * devices as if one of them had sent it ({@code "transaction": "1"}, {@code "server_generated": true}).
     */
    private void sentFromSip(String sender, String recipient, String messageId, String contentType, String content,
                             OffsetDateTime timestamp) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("transaction", "1");
        request.put("sylkrtc", AccountMessageRequest.TYPE);
        request.put("account", sender);
        request.put("uri", recipient);
        request.put("message_id", messageId);
        request.put("content", content);
        request.put("content_type", contentType);
        request.put("timestamp", format(timestamp));
        request.put("server_generated", true);
        devices.publish(sender, new SyncEvent(sender, "message", "add", request), null);
    }

    /**
     * spec §4.8.3, received: the original sender's copy (the IMDN's recipient) and the IMDN sender's copy take the state
     * ({@code delivered} ends {@code positive-delivery}, {@code displayed} every notification; a copy stored as
     * {@code received} keeps its state), a {@code message/imdn} journal entry is stored once, and the devices of the
     * original sender are told.
     */
    private Answer imdn(String account, SipIdentity sender, String imdnId, ImdnDocument imdn) throws StoreException {
        String state = imdn.status().element();
        StoredMessage original = store.find(account, imdn.messageId()).orElse(null);
        if (original != null) {
            update(original, state, remaining(original.disposition(), state));
        }
        StoredMessage copy = store.find(sender.getUri(), imdn.messageId()).orElse(null);
        if (copy != null) {
            update(copy, state, remaining(copy.disposition(), state));
        }
        DispositionNotificationEvent event = new DispositionNotificationEvent(account, imdn.messageId(),
                format(original != null ? original.timestamp() : imdn.dateTime()), state, 200, "");
        boolean fresh = !store.isKnown(account) || store.add(new StoredMessage(account, sender.getUri(),
                StoredMessage.INCOMING, imdnId, IMDN_JOURNAL_TYPE, JSONB.toJson(event), now().atOffset(ZoneOffset.UTC),
                now(), List.of(), "received"));
        if (fresh) {
            devices.publish(account, event, null);
        }
        return Answer.OK;
    }

    /**
     * spec §4.9 {@code application/sylk-api-token}: a new history API token for the sender, sent back to its AOR (so
     * only its own devices learn it) From {@code sylkserver@<local_ip>}.
     */
    private Answer apiToken(String account) throws StoreException {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        store.setApiToken(account, token, now().plus(apiTokenLifetime));
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("token", token);
        reply.put("url", historyUrl + "/" + account);
        sip.send(new SipMessages.Outgoing(null, "sylkserver@" + serverAddress, null, account, "application/sylk-api-token",
                JSONB.toJson(reply).getBytes(StandardCharsets.UTF_8), Map.of(), SipMessages.Audience.SIP_DEVICES),
                (status, reason) -> LOG.fine(() ->
                "API token for " + account + ": " + status + " " + reason));
        return Answer.OK;
    }

    /**
     * The history API (spec §4.13): the account's journal after {@code afterMessageId} (or all), at most 5000
     * entries; null when {@code token} is not the account's valid API token.
     */
    public List<JournalItem> history(String account, String token, String afterMessageId) throws StoreException {
        if (token == null || !store.hasApiToken(account, token, clock.instant())) {
            return null;
        }
        return items(store.journal(account, afterMessageId, null, MessageStore.DEFAULT_SYNC_LIMIT));
    }

    /** {@code lookup-public-key} (spec §4.5.1): the stored key of {@code uri}, or null, to the asking connection. */
    public void lookupPublicKey(SylkRtcConnection origin, String uri) throws RequestError {
        try {
            devices.send(origin, new LookupPublicKeyEvent(uri, store.publicKey(uri).orElse(null)));
        } catch (StoreException e) {
            throw storeFailed(e);
        }
    }

    // ---- synchronisation (spec §4.8.4) ----

    /** {@code account-sync-conversations}: the journal after {@code message_id}, else after {@code since}, else all. */
    public void sync(Account account, SylkRtcConnection origin, AccountSyncConversationsRequest request) throws RequestError {
        int limit = request.getLimit() == null ? MessageStore.DEFAULT_SYNC_LIMIT : request.getLimit();
        if (limit < 1) {
            throw new RequestError("Invalid value for 'limit' property: " + limit + " (expected: a positive integer)");
        }
        Instant since = request.getSince() == null ? null : time("since", request.getSince()).toInstant();
        List<StoredMessage> journal;
        try {
            journal = store.journal(account.aor(), request.getMessageId(), since, limit);
        } catch (StoreException e) {
            throw storeFailed(e);
        }
        devices.send(origin, new SyncConversationsEvent(account.aor(), items(journal)));
    }

    // ---- conversation management (spec §4.8.5; from SIP devices §4.9) ----

    /** {@code account-mark-conversation-read}: no notification pending with {@code contact} any more. */
    public void markRead(Account account, SylkRtcConnection origin, String contact) throws RequestError {
        try {
            markRead(account.aor(), account, origin, contact);
        } catch (StoreException e) {
            throw storeFailed(e);
        }
    }

    /** {@code account-remove-message}: the account's copy goes, and the recipient's when its journal is here too. */
    public void removeMessage(Account account, SylkRtcConnection origin, String messageId, String contact)
            throws RequestError {
        try {
            removeMessage(account.aor(), account, origin, messageId, contact);
        } catch (StoreException e) {
            throw storeFailed(e);
        }
    }

    /** {@code account-remove-conversation}: every message with {@code contact} goes. */
    public void removeConversation(Account account, SylkRtcConnection origin, String contact) throws RequestError {
        try {
            removeConversation(account.aor(), account, origin, contact);
        } catch (StoreException e) {
            throw storeFailed(e);
        }
    }

    /**
     * The three changes for {@code account}, asked by one of its WebRTC devices ({@code origin}, with the account's
     * {@code credentials}) or, through the SIP API (spec §4.9), by one of its SIP devices (both null).
     */
    private void markRead(String account, Account credentials, SylkRtcConnection origin, String contact)
            throws StoreException {
        store.clearDispositions(account, contact);
        manage(account, credentials, origin, "application/sylk-conversation-read", contact, "conversation", "read",
                Map.of("contact", contact), contact);
    }

    /** The recipient's devices get the same sync event, with direction {@code incoming}. */
    private void removeMessage(String account, Account credentials, SylkRtcConnection origin, String messageId,
                               String contact) throws StoreException {
        Optional<StoredMessage> message = store.find(account, messageId);
        store.remove(account, messageId);
        message.filter(entry -> TransferredFile.CONTENT_TYPE.equals(entry.contentType()))
                .ifPresent(entry -> fileTransferRemoved.accept(entry.content()));
        Map<String, Object> removed = new LinkedHashMap<>();
        removed.put("contact", contact);
        removed.put("message_id", messageId);
        removed.put("direction", StoredMessage.OUTGOING);
        manage(account, credentials, origin, "application/sylk-message-remove", JSONB.toJson(removed), "message",
                "remove", removed, contact);
        if (store.remove(contact, messageId)) {
            Map<String, Object> theirs = new LinkedHashMap<>(removed);
            theirs.put("contact", account);
            theirs.put("direction", StoredMessage.INCOMING);
            devices.publish(contact, new SyncEvent(contact, "message", "remove", theirs), null);
        }
    }

    private void removeConversation(String account, Account credentials, SylkRtcConnection origin, String contact)
            throws StoreException {
        store.removeConversation(account, contact);
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("contact", contact);
        content.put("timestamp", format(now().atOffset(ZoneOffset.UTC)));
        manage(account, credentials, origin, "application/sylk-conversation-remove", contact, "conversation", "remove",
                content, contact);
    }

    /**
     * What every conversation change does after the store (spec §4.8.5): a journal entry, a {@code sync} event to the
     * account's other WebRTC devices, and a MESSAGE From the contact To the account ({@code X-Sylk-To-Sip: yes}) for
     * its SIP devices.
     */
    private void manage(String account, Account credentials, SylkRtcConnection origin, String journalType,
                        String journalContent, String syncType, String action, Map<String, Object> syncContent,
                        String contact) throws StoreException {
        store.add(new StoredMessage(account, contact, "", UUID.randomUUID().toString(), journalType, journalContent,
                now().atOffset(ZoneOffset.UTC), now(), List.of(), ""));
        devices.publish(account, new SyncEvent(account, syncType, action, syncContent), origin);
        byte[] body = (journalType.equals("application/sylk-conversation-read")
                ? JSONB.toJson(Map.of("contact", contact)) : journalContent).getBytes(StandardCharsets.UTF_8);
        sip.send(new SipMessages.Outgoing(credentials, contact, null, account, journalType, body,
                Map.of("X-Sylk-To-Sip", "yes"), SipMessages.Audience.SIP_DEVICES), (status, reason) -> LOG.fine(() ->
                journalType + " for the SIP devices of " + account + ": " + status + " " + reason));
    }

    /**
     * spec §4.9: the SIP API of the account's SIP devices (a MESSAGE to the gateway From the account): remove a message
     * (body: its id; To: the contact), mark a conversation read or remove it (body: {@code {"contact": ...}}), or look
     * up the To's public key (answered From the To with {@code text/pgp-public-key}, nothing when none is stored).
     * This is the key lookup.
     */
    private Answer keyLookup(String account, String to) throws StoreException {
        Optional<String> key = store.publicKey(to);
        key.ifPresent(found -> sip.send(new SipMessages.Outgoing(null, to, null, account, "text/pgp-public-key",
                found.getBytes(StandardCharsets.UTF_8), Map.of(), SipMessages.Audience.SIP_DEVICES),
                (status, reason) -> LOG.fine(() ->
                "public key of " + to + " for " + account + ": " + status + " " + reason)));
        return Answer.OK;
    }

    /** The AOR of a conversation API body {@code {"contact": ...}} (spec §4.9), or null when it has none. */
    private static String contact(String body) {
        try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(body))) {
            JsonValue value = reader.readObject().get("contact");
            return value instanceof JsonString text && SipAor.Syntax.isValid(text.getString())
                    ? SipAor.Syntax.strip(text.getString()) : null;
        } catch (JsonException e) {
            return null;
        }
    }

    /** The journal as sync and the history API give it. */
    public static List<JournalItem> items(List<StoredMessage> journal) {
        List<JournalItem> items = new ArrayList<>(journal.size());
        for (StoredMessage entry : journal) {
            items.add(new JournalItem(entry.contact(), format(entry.timestamp()), entry.disposition(), entry.messageId(),
                    entry.contentType(), entry.content(), entry.direction(), entry.state()));
        }
        return items;
    }

    // ---- helpers ----

    private StoredMessage find(String account, String messageId) throws RequestError {
        try {
            return store.find(account, messageId).orElse(null);
        } catch (StoreException e) {
            throw storeFailed(e);
        }
    }

    private void update(StoredMessage message, String state, List<String> disposition) {
        String kept = "received".equals(message.state()) ? message.state() : state;
        try {
            store.update(message.account(), message.messageId(), kept, disposition);
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "state " + state + " of message " + message.messageId() + " not recorded", e);
        }
    }

    private static RequestError storeFailed(StoreException e) {
        LOG.log(Level.WARNING, e.getMessage(), e);
        return new RequestError("Message store unavailable");
    }

    /** The notifications still pending after one with {@code state} arrived (spec §4.8.3). */
    static List<String> remaining(List<String> pending, String state) {
        return switch (state) {
            case "delivered" -> pending.stream().filter(n -> !n.equals("positive-delivery")).toList();
            case "displayed" -> List.of();
            default -> pending;
        };
    }

    /** spec §4.8.1: text is UTF-8; any other type's content is a Latin-1 string carrying its bytes. */
    private byte[] contentBytes(String contentType, String content) throws RequestError {
        byte[] bytes = ClientContent.bytes(contentType, content);
        if (bytes.length > maxBodyBytes) {
            throw new RequestError("Message content too large (max_message_body_size " + maxBodyBytes + " bytes)");
        }
        return bytes;
    }

    /** {@code Content-Encoding: deflate} (spec §4.8.2), inflated to at most {@code max_message_body_size}; null if bad. */
    private byte[] inflate(byte[] body) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(body);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return null;
                }
                out.write(buffer, 0, n);
                if (out.size() > maxBodyBytes) {
                    return null;
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    /**
     * An ISO 8601 time with offset, as {@link OffsetDateTime#parse} reads it; the usual form through CPIM's reader,
     * which takes a fraction of the JDK formatter's time (a tenth of an {@code account-message}'s handling was the
     * formatter, JFR of bench/messaging.sh).
     */
    static OffsetDateTime time(String property, String value) throws RequestError {
        try {
            // the CPIM reader would strip blanks, which the JDK's refuses
            return value.strip().length() == value.length() ? CpimMessage.parseDateTime(value) : OffsetDateTime.parse(value);
        } catch (CpimException | DateTimeParseException e) {
            throw new RequestError("Invalid value for '" + property + "' property: '" + value + "' (expected: ISO 8601 time)");
        }
    }

    /** {@code sip:user@host} (or {@code user@host}) without scheme and parameters. */
    static String aor(String uri) {
        String aor = uri.startsWith("sips:") ? uri.substring(5) : uri.startsWith("sip:") ? uri.substring(4) : uri;
        int parameters = aor.indexOf(';');
        return parameters < 0 ? aor : aor.substring(0, parameters);
    }

    /** {@code time} as the original writes times in events (spec §4.3). */
    public static String format(OffsetDateTime time) {
        // what TIMESTAMP writes, without the formatter: a sync formats each of its thousands of entries' times, and
        // the formatter's first 5,000 took 20-30 ms of CPU
        String usual = CpimMessage.usualDateTimeText(time, 6, "+00:00");
        return usual != null ? usual : TIMESTAMP.format(time);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The request as the other devices get it in a {@code sync} event (spec §4.8.1 point 4). */
    private static Map<String, Object> requestContent(AccountMessageRequest request) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("transaction", request.getTransaction());
        content.put("sylkrtc", request.getSylkrtc());
        content.put("account", request.getAccount());
        content.put("uri", request.getUri());
        content.put("message_id", request.getMessageId());
        content.put("content", request.getContent());
        content.put("content_type", request.getContentType());
        content.put("timestamp", request.getTimestamp());
        return content;
    }
}
