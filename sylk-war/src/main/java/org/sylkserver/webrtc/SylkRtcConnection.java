package org.sylkserver.webrtc;

import java.io.StringReader;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.json.Json;
import javax.json.JsonException;
import javax.json.JsonObject;
import javax.json.JsonReader;
import javax.json.JsonString;
import javax.json.JsonValue;
import javax.json.bind.Jsonb;
import javax.json.bind.JsonbBuilder;
import javax.json.bind.JsonbException;

import org.sylkserver.webrtc.api.AckResponse;
import org.sylkserver.webrtc.api.ErrorResponse;
import org.sylkserver.webrtc.api.ReadyEvent;
import org.sylkserver.webrtc.api.RequestType;
import org.sylkserver.webrtc.api.SylkRtcMessage;

/**
 * One sylkRTC-2 client connection (spec §4.2-4.3), independent of the WebSocket API: text in, text out.
 *
 * <p>Requests run strictly one after another on this connection's {@link SerialExecutor}, which owns all the
 * connection's state; every request that carries a {@code transaction} gets exactly one {@code ack} or
 * {@code error}. Divergence from the original (quirk Q3): an unknown request type, or a message without
 * {@code sylkrtc}, that has a transaction is answered with an error instead of silence.
 */
public final class SylkRtcConnection {

    private static final Logger LOG = Logger.getLogger("webrtcgateway");
    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final AtomicLong IDS = new AtomicLong();
    private static final boolean TRACE = Boolean.getBoolean("sylk.trace.client");
    private static final AtomicLong PACKETS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final String peer;
    private final Consumer<String> sender;
    private final Executor executor;

    /**
     * @param peer     how the logs name the client
     * @param sender   writes one text frame to the client (called on this connection's executor)
     * @param pool     the shared pool the connection's requests run on
     */
    public SylkRtcConnection(String peer, Consumer<String> sender, Executor pool) {
        this.peer = peer;
        this.sender = sender;
        this.executor = new SerialExecutor(pool);
    }

    /** The connection is open: tell the client it may send requests. */
    public void opened() {
        LOG.info(() -> this + " connected");
        executor.execute(() -> send(new ReadyEvent()));
    }

    /** A text frame arrived. */
    public void received(String text) {
        executor.execute(() -> handle(text));
    }

    public void closed(String reason) {
        LOG.info(() -> this + " closed: " + reason);
    }

    private void handle(String text) {
        trace("INCOMING", text);
        JsonObject json;
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                LOG.warning(() -> this + ": ignoring message that is not a JSON object: " + abbreviate(text));
                return;
            }
            json = value.asJsonObject();
        } catch (JsonException | IllegalStateException e) {
            LOG.warning(() -> this + ": ignoring invalid JSON (" + e.getMessage() + "): " + abbreviate(text));
            return;
        }
        JsonValue transactionValue = json.get("transaction");
        if (!(transactionValue instanceof JsonString transactionString)) {
            LOG.warning(() -> this + ": ignoring request without a string 'transaction': " + abbreviate(text));
            return;
        }
        String transaction = transactionString.getString();
        JsonValue typeValue = json.get("sylkrtc");
        if (!(typeValue instanceof JsonString typeString)) {
            send(new ErrorResponse(transaction, "Missing 'sylkrtc' property"));
            return;
        }
        RequestType type = RequestType.of(typeString.getString());
        if (type == null) {
            send(new ErrorResponse(transaction, "Unknown request type: " + typeString.getString()));
            return;
        }
        SylkRtcMessage request;
        try {
            request = JSONB.fromJson(text, type.requestClass());
        } catch (JsonbException e) {
            send(new ErrorResponse(transaction, "Invalid " + type.wireName() + " request: " + e.getMessage()));
            return;
        }
        try {
            dispatch(type, request);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, this + ": " + type.wireName() + " failed", e);
            send(new ErrorResponse(transaction, "Internal error"));
        }
    }

    private void dispatch(RequestType type, SylkRtcMessage request) {
        switch (type) {
            case PING -> send(new AckResponse(request.getTransaction()));
        }
    }

    private void send(SylkRtcMessage message) {
        String text = JSONB.toJson(message);
        trace("OUTGOING", text);
        sender.accept(text);
    }

    private void trace(String direction, String text) {
        if (TRACE) {
            LOG.info("Packet " + PACKETS.incrementAndGet() + " " + direction + ", client at " + peer + "\n" + text);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    @Override
    public String toString() {
        return "sylkRTC connection " + id + " (" + peer + ")";
    }
}
