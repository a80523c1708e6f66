package org.sylkserver.webrtc;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.json.JsonException;
import javax.json.JsonObject;
import javax.json.JsonString;
import javax.json.stream.JsonParser;
import javax.json.stream.JsonParsingException;
import javax.json.bind.JsonbBuilder;

import org.eclipse.yasson.YassonJsonb;
import org.sylkserver.core.SerialExecutor;
import org.sylkserver.webrtc.api.AckResponse;
import org.sylkserver.webrtc.api.ErrorResponse;
import org.sylkserver.webrtc.api.ReadyEvent;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SylkRtcMessage;
import org.sylkserver.webrtc.api.SyncConversationsEvent;

/**
 * One sylkRTC-2 client connection (spec §4.2-4.3), independent of the WebSocket API: text frames in, text
 * frames out through a {@link ClientTransport}.
 *
 * <p>Threads: {@link #onText} assembles fragments on the container's read thread of this WebSocket (one at a
 * time); every complete message, {@link #onOpen} and {@link #onClose} then run strictly one after another on
 * this connection's own serial executor over the shared pool, which owns all the connection's state and is the
 * only caller of {@link #send}.
 *
 * <p>Pipelined requests ({@code account-message}): a handler may hand the rest of its work to another thread and
 * let the connection go on with its next requests meanwhile ({@link #pipeline}); its answer then comes when that work
 * is done (the message is stored). Order is kept: answers go out in the order of the requests, each pipelined
 * request's last step ({@link Pipelined#then}) runs in that order too, and a request that is not pipelined, or
 * anything after it, waits until every pipelined request before it is answered, so it sees what they did (a
 * message removed right after it was sent is found). A request waiting so, or pipelined, counts against
 * {@code max_pending_requests} until it is answered.
 *
 * <p>Every request with a string {@code transaction} gets exactly one {@code ack} or {@code error}. Divergence
 * from the original (quirk Q3): an unknown request type or a missing {@code sylkrtc} is answered with an error
 * instead of silence. A message that is not a JSON object, or has no string {@code transaction}, cannot be
 * answered and is only logged.
 *
 * <p>Limits ({@link ClientLimits}, so that one client cannot hurt the others): a message over
 * {@code max_message_size} closes the connection with 1009; one nested deeper than {@code max_json_depth} is refused
 * after a streaming pass, before any tree is built (the tree builder, the binder and the schema check recurse, and
 * a few thousand levels overflow the stack), with an {@code error} when its top level names a transaction; a client
 * with more than {@code max_pending_requests} messages received and not yet handled is closed with 1008.
 *
 * <p>Logged with the client's address; with system property
 * {@code sylk.trace.client=true} every message is traced to logger {@value #TRACE_LOGGER} (spec §7.3).
 */
public final class SylkRtcConnection {

    /** RFC 6455 §7.4.1: message too big to process. */
    static final int CLOSE_TOO_BIG = 1009;
    /** RFC 6455 §7.4.1: a message that violates the endpoint's policy (here: more requests than it may queue). */
    static final int CLOSE_POLICY_VIOLATION = 1008;
    static final String TRACE_LOGGER = "webrtcgateway.trace.client";

    private static final Logger LOG = Logger.getLogger("webrtcgateway");
    private static final Logger TRACE = Logger.getLogger(TRACE_LOGGER);
    /** Yasson's binding (the module's JSON-B implementation), which also binds a parsed tree ({@link RequestCatalogue}). */
    private static final YassonJsonb JSONB = (YassonJsonb) JsonbBuilder.create();
    private static final AtomicLong IDS = new AtomicLong();
    private static final AtomicLong PACKETS = new AtomicLong();
    private static final int LOGGED_TEXT = 200;

    private final long id = IDS.incrementAndGet();
    private final String peer;
    private final ClientTransport transport;
    private final SerialExecutor owner;
    private final RequestCatalogue requests;
    private final Gateway gateway;
    private final boolean trace;
    private final ClientLimits limits;
    /** Complete messages handed to the executor and not yet handled (read thread increments, executor decrements). */
    private final AtomicInteger pending = new AtomicInteger();
    /** The connection's accounts: owned by its executor. */
    private final ConnectionAccounts accounts = new ConnectionAccounts(this);
    /** The connection's calls: owned by its executor. */
    private final ConnectionSessions sessions = new ConnectionSessions(this);
    /** The connection's video room sessions: owned by its executor. */
    private final ConnectionVideoRooms videoRooms = new ConnectionVideoRooms(this);

    // owned by the container's read thread
    private final StringBuilder message = new StringBuilder();
    private int messageBytes;
    /** The transaction of the request being handled, on the executor; null between requests. */
    private String handling;
    /** Whether the handler of {@link #handling} said it answers later ({@link #deferResponse}). */
    private boolean deferred;
    /** Set once the connection is being closed for breaking a limit: nothing more it sends is read. */
    private boolean refusing;
    /**
     * From the oldest pipelined request not yet answered: the answers of it and of every request handled after it, in
     * the order of the requests; empty when no pipelined request waits. Owned by the executor.
     */
    private final ArrayDeque<Answering> answering = new ArrayDeque<>();
    /** Requests (and the close) waiting for the pipelined requests before them to be answered; owned by the executor. */
    private final ArrayDeque<Runnable> held = new ArrayDeque<>();

    /**
     * @param peer      the client's address, {@code ip:port}, as the logs name it
     * @param transport the WebSocket to answer on
     * @param pool      the shared pool the connection's requests run on, one at a time
     * @param gateway   the running gateway
     */
    public SylkRtcConnection(String peer, ClientTransport transport, Executor pool, Gateway gateway) {
        this(peer, transport, pool, RequestCatalogue.SYLKRTC_2, gateway);
    }

    SylkRtcConnection(String peer, ClientTransport transport, Executor pool, RequestCatalogue requests,
                      Gateway gateway) {
        this.peer = peer;
        this.transport = transport;
        // frames sent while more tasks wait are written together, at the latest once the queue runs empty
        this.owner = new SerialExecutor(pool, LOG, "sylkRTC connection", Integer.MAX_VALUE, transport::flush);
        this.requests = requests;
        this.gateway = gateway;
        this.trace = gateway.config().traceClient() || Boolean.getBoolean("sylk.trace.client");
        this.limits = gateway.config().limits();
    }

    /** The WebSocket is open: the connection accepts requests (spec §4.2). */
    public void onOpen() {
        LOG.info(() -> this + " opened");
        owner.execute(() -> send(new ReadyEvent()));
    }

    /**
     * A text frame, or a fragment of one ({@code last} false until its final part), arrived. Messages over
     * {@code max_message_size} close the connection with 1009 without being processed, and so does a message
     * beyond {@code max_pending_requests} unhandled ones with 1008.
     */
    public void onText(String fragment, boolean last) {
        if (refusing) {
            return;
        }
        messageBytes += utf8Length(fragment);
        if (messageBytes > limits.maxMessageBytes()) {
            refuse(CLOSE_TOO_BIG, "Message too big", "message over " + limits.maxMessageBytes() + " bytes");
            return;
        }
        message.append(fragment);
        if (last) {
            String text = message.toString();
            message.setLength(0);
            messageBytes = 0;
            if (pending.incrementAndGet() > limits.maxPendingRequests()) {
                refuse(CLOSE_POLICY_VIOLATION, "Too many pending requests",
                        "more than " + limits.maxPendingRequests() + " requests waiting to be handled");
                return;
            }
            owner.execute(() -> {
                try {
                    handle(text);
                } finally {
                    pending.decrementAndGet();
                }
            });
        }
    }

    /** Closes the connection for breaking a limit and ignores the rest of what it sends. */
    private void refuse(int code, String reason, String why) {
        refusing = true;
        message.setLength(0);
        LOG.warning(() -> this + ": " + why + ", closing with " + code);
        transport.close(code, reason);
    }

    /** The WebSocket closed with {@code code} and {@code reason}; queued requests still run first. */
    public void onClose(int code, String reason) {
        owner.execute(() -> inOrder(() -> {
            LOG.info(() -> this + " closed: " + code + (reason == null || reason.isEmpty() ? "" : " " + reason));
            videoRooms.closeAll();
            sessions.closeAll();
            accounts.closeAll();
        }));
    }

    /** Runs {@code task} now, or once the pipelined requests before it are answered (and what waits before it ran). */
    private void inOrder(Runnable task) {
        if (held.isEmpty() && answering.isEmpty()) {
            task.run();
        } else {
            held.add(task);
        }
    }

    /** Runs {@code task} on this connection's executor, after what is queued there (e.g. a SIP event's effect). */
    void later(Runnable task) {
        owner.execute(task);
    }

    /** The connection's accounts; only on its executor. */
    ConnectionAccounts accounts() {
        return accounts;
    }

    /** The connection's calls; only on its executor. */
    ConnectionSessions sessions() {
        return sessions;
    }

    /** The connection's video room sessions; only on its executor. */
    ConnectionVideoRooms videoRooms() {
        return videoRooms;
    }

    /** The gateway this connection belongs to. */
    Gateway gateway() {
        return gateway;
    }

    /** Sends a response or event to the client; only on this connection's executor. */
    void send(SylkRtcMessage message) {
        send(json(message));
    }

    /** {@code message} as a client gets it: an event for several connections is serialized once ({@link #send(String)}). */
    static String json(SylkRtcMessage message) {
        // a sync's thousands of entries and the ack of every request are written by hand, as the binding writes them
        if (message instanceof SyncConversationsEvent sync) {
            return sync.toJson();
        }
        return message instanceof AckResponse ack ? ack.toJson() : JSONB.toJson(message);
    }

    /**
     * Sends a message {@linkplain #json serialized} already; only on this connection's executor. While more of the
     * connection's tasks wait (a flood of message events), the frame may be held and written with the next ones: one
     * socket write for many instead of one each (issue 14: the writes, each handed to Tomcat's WebSocket thread and
     * back, cost more CPU than anything else an incoming MESSAGE did for its event); what is held is written when the
     * queue runs empty.
     */
    void send(String json) {
        trace("OUTGOING", json);
        transport.send(json, owner.moreQueued());
    }

    private void handle(String text) {
        trace("INCOMING", text);
        if (!withinDepth(text)) {
            return;
        }
        JsonObject json = parseObject(text);
        if (json == null) {
            return;
        }
        if (!(json.get("transaction") instanceof JsonString transaction)) {
            LOG.warning(() -> this + ": ignoring a request without a string 'transaction', it cannot be answered: "
                    + abbreviate(text));
            return;
        }
        if (held.isEmpty() && (answering.isEmpty() || requests.pipelines(json))) {
            respond(transaction.getString(), json);
            return;
        }
        // counted until handled, as it would be while queued on the executor
        pending.incrementAndGet();
        held.add(() -> {
            try {
                respond(transaction.getString(), json);
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    private void respond(String transaction, JsonObject json) {
        SylkRtcMessage response = answer(transaction, json);
        if (response != null) {
            reply(response);
        }
    }

    /** Sends the answer of a request now, or after the answers of the pipelined requests before it. */
    private void reply(SylkRtcMessage response) {
        if (answering.isEmpty()) {
            send(response);
        } else {
            answering.add(new Answering(null, response));
        }
    }

    /**
     * Called by the handler of a pipelined request ({@link RequestCatalogue}) being handled, once nothing of what it
     * does on this thread can fail any more: it returns with its work handed on, and the {@link Pipelined} it got is
     * told when that work is done; the connection goes on with its next requests meanwhile.
     */
    Pipelined pipeline() {
        if (handling == null) {
            throw new IllegalStateException("no request is being handled");
        }
        deferred = true;
        Answering answer = new Answering(handling, null);
        answering.add(answer);
        // counted until answered
        pending.incrementAndGet();
        return rest -> later(() -> {
            answer.rest = rest;
            answerInOrder();
        });
    }

    /** The rest of a pipelined request ({@link #pipeline}). */
    @FunctionalInterface
    public interface Pipelined {

        /** What a pipelined request does last, on its connection's executor; throws the request's error. */
        @FunctionalInterface
        interface Rest {
            void run() throws RequestError;
        }

        /**
         * Called once, on any thread: {@code rest} runs on the connection's executor after the rest of every pipelined
         * request before it, and the request is acknowledged, or answered with the error {@code rest} throws.
         */
        void then(Rest rest);
    }

    /**
     * A request's place among the answers: a response already known ({@code response}), or a pipelined request
     * ({@code transaction}), ready once its {@code rest} is given.
     */
    private static final class Answering {
        private final String transaction;
        private final SylkRtcMessage response;
        /** Set on the executor. */
        private Pipelined.Rest rest;

        Answering(String transaction, SylkRtcMessage response) {
            this.transaction = transaction;
            this.response = response;
        }

        boolean ready() {
            return response != null || rest != null;
        }
    }

    /** Answers the ready requests at the head of {@link #answering}; once none waits, runs what was held for them. */
    private void answerInOrder() {
        while (!answering.isEmpty() && answering.peek().ready()) {
            Answering next = answering.poll();
            if (next.response != null) {
                send(next.response);
            } else {
                finish(next);
            }
        }
        while (answering.isEmpty() && !held.isEmpty()) {
            held.poll().run();
        }
    }

    private void finish(Answering pipelined) {
        try {
            pipelined.rest.run();
            send(new AckResponse(pipelined.transaction));
        } catch (RequestError e) {
            LOG.info(() -> this + ": request " + pipelined.transaction + " failed: " + e.getMessage());
            send(new ErrorResponse(pipelined.transaction, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, this + ": request " + pipelined.transaction + " failed", e);
            send(new ErrorResponse(pipelined.transaction, "Internal error"));
        } finally {
            pending.decrementAndGet();
        }
    }

    /**
     * Called by the handler of the request being handled when its outcome is known only later (an address book
     * service, an IMAP server): no response is sent when the handler returns; the {@link Reply} sends it.
     */
    Reply deferResponse() {
        if (handling == null) {
            throw new IllegalStateException("no request is being handled");
        }
        deferred = true;
        return new Reply(this, handling);
    }

    /** The response of a request whose handler deferred it; its methods run on the connection's executor. */
    record Reply(SylkRtcConnection connection, String transaction) {

        void ack() {
            connection.send(new AckResponse(transaction));
        }

        void error(String error) {
            LOG.info(() -> connection + ": request " + transaction + " failed: " + error);
            connection.send(new ErrorResponse(transaction, error));
        }
    }

    /** The response to the request, or null when its handler deferred it. */
    private SylkRtcMessage answer(String transaction, JsonObject json) {
        handling = transaction;
        deferred = false;
        try {
            requests.dispatch(this, json, JSONB);
            return deferred ? null : new AckResponse(transaction);
        } catch (RequestError e) {
            LOG.info(() -> this + ": request " + transaction + " (" + json.get("sylkrtc") + ") failed: " + e.getMessage());
            return new ErrorResponse(transaction, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, this + ": request " + transaction + " (" + json.get("sylkrtc") + ") failed", e);
            return new ErrorResponse(transaction, "Internal error");
        } finally {
            handling = null;
        }
    }

    /**
     * Whether the message nests no deeper than {@code max_json_depth}, checked with the streaming parser (which
     * keeps its nesting on the heap); a deeper one is answered with an error when its top level has a string
     * {@code transaction}, else logged. Malformed JSON passes here and is reported by {@link #parseObject}.
     */
    private boolean withinDepth(String text) {
        if (bracketDepth(text) <= limits.maxJsonDepth()) {
            // the parser cannot nest deeper than the brackets do: only a message with deep brackets is parsed here
            return true;
        }
        int depth = 0;
        int deepest = 0;
        String transaction = null;
        try (JsonParser parser = JsonP.PROVIDER.createParser(new StringReader(text))) {
            boolean transactionNext = false;
            while (parser.hasNext()) {
                JsonParser.Event event = parser.next();
                switch (event) {
                    case START_OBJECT, START_ARRAY -> deepest = Math.max(deepest, ++depth);
                    case END_OBJECT, END_ARRAY -> depth--;
                    case VALUE_STRING -> {
                        if (transactionNext && transaction == null) {
                            transaction = parser.getString();
                        }
                    }
                    default -> { }
                }
                transactionNext = depth == 1 && event == JsonParser.Event.KEY_NAME
                        && "transaction".equals(parser.getString());
            }
        } catch (JsonException | NoSuchElementException e) {
            // not JSON: parseObject reports it, unless it already nested too deeply before the fault
        }
        if (deepest <= limits.maxJsonDepth()) {
            return true;
        }
        String error = "Message nested too deeply (more than " + limits.maxJsonDepth() + " levels)";
        if (transaction == null) {
            LOG.warning(() -> this + ": ignoring a message without a string 'transaction': " + error);
        } else {
            LOG.warning(() -> this + ": " + error);
            ErrorResponse response = new ErrorResponse(transaction, error);
            inOrder(() -> reply(response));
        }
        return false;
    }

    /**
     * The deepest nesting of {@code {}} and {@code []} outside JSON strings: never less than the nesting a JSON parser
     * reaches in the same text (before its first error, the parser sees the same strings), and a plain scan of the
     * characters. Parsing every request twice, once for its depth alone, was 1 % of an {@code account-message}'s
     * samples (issue 14, session 23).
     */
    static int bracketDepth(String text) {
        int depth = 0;
        int deepest = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                deepest = Math.max(deepest, ++depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return deepest;
    }

    /** The message as a JSON object, or null (logged) when it is not one: such a message cannot be answered. */
    private JsonObject parseObject(String text) {
        try (JsonParser parser = JsonP.PROVIDER.createParser(new StringReader(text))) {
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                LOG.warning(() -> this + ": ignoring a message that is not a JSON object: " + abbreviate(text));
                return null;
            }
            JsonObject object = parser.getObject();
            if (parser.hasNext()) {
                throw new JsonParsingException("data after the JSON object", parser.getLocation());
            }
            return object;
        } catch (JsonException | NoSuchElementException e) {
            LOG.warning(() -> this + ": ignoring invalid JSON (" + e.getMessage() + "): " + abbreviate(text));
            return null;
        }
    }

    private void trace(String direction, String text) {
        if (trace) {
            TRACE.info("Packet " + PACKETS.incrementAndGet() + " " + direction + ", client at " + peer + "\n" + text);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > LOGGED_TEXT ? text.substring(0, LOGGED_TEXT) + "..." : text;
    }

    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                // a surrogate pair is one 4-byte code point; its low half, maybe in the next fragment, adds nothing
                bytes += 4;
            } else if (!Character.isLowSurrogate(c)) {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The client's IP address, as {@code HttpServletRequest.getRemoteAddr} gives it. */
    String address() {
        return ConnectionCounter.address(peer);
    }

    @Override
    public String toString() {
        return "sylkRTC connection " + id + " (" + peer + ")";
    }
}
