package org.sylkserver.webrtc;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.sylkserver.core.session.ChatLine;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.iscomposing.IsComposing;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SipIdentity;
import org.sylkserver.webrtc.api.VideoroomEvent;
import org.sylkserver.webrtc.messaging.ClientContent;
import org.sylkserver.webrtc.messaging.Messaging;

/**
 * The room chat bridge of one publisher (spec §4.7.4): a SIP call from the publisher's account to the SIP conference
 * of the room ({@link #conferenceUri}) carrying one MSRP chat stream, so that browsers in the video room and SIP MSRP
 * clients in the conference share one chat. The MSRP side is a {@link ChatLine}.
 *
 * <p>States: {@code CALLING} (the INVITE is out) → {@code CONNECTING} (answered: the MSRP connection is being made)
 * → {@code ACTIVE} (messages flow) → {@code ENDED} (refused, hung up, connection lost, or the publisher left).
 * Messages the client sends before {@code ACTIVE} wait, at most {@code chat_queue_size} of them; when the chat ends
 * every message not yet reported is reported undelivered with code 0 and {@code Chat session ended} (spec §4.6.8), and
 * so is any sent later (a room whose conference cannot be reached fails its messages, not the join).
 *
 * <p>Threads: the methods run on the publisher's connection executor ({@code executor}); what the SIP call and the
 * MSRP line report on their own threads is queued there.
 */
final class RoomChat {

    enum State { CALLING, CONNECTING, ACTIVE, ENDED }

    private static final Logger LOG = Logger.getLogger("webrtcgateway.videoroom");
    private static final String COMPOSING_CONTENT = "text";

    private record Waiting(String messageId, CpimMessage message) {
    }

    private final String session;
    private final Account account;
    private final String roomUri;
    private final String conferenceUri;
    private final Executor executor;
    private final Consumer<VideoroomEvent> client;
    private final int maxWaiting;
    private final int maxBody;
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    /** Messages sent and not reported yet, by the client's message id. */
    private final Map<String, Boolean> sent = new LinkedHashMap<>();
    private State state = State.CALLING;
    private ChatLine line;
    private SipCall call;
    /** The publisher left: nothing more is told to its client. */
    private boolean closed;

    /**
     * @param session    the publisher session the events are about
     * @param roomUri    the video room, {@code user@host}
     * @param executor   the publisher's connection executor
     * @param client     sends an event to the publisher's client (on the executor)
     * @param maxWaiting messages that may wait for the chat to come up
     * @param maxBody    {@code max_message_body_size}: the largest content a client may send
     */
    RoomChat(String session, Account account, String roomUri, Executor executor, Consumer<VideoroomEvent> client,
             int maxWaiting, int maxBody) {
        this.session = session;
        this.account = account;
        this.roomUri = roomUri;
        this.conferenceUri = conferenceUri(roomUri);
        this.executor = executor;
        this.client = client;
        this.maxWaiting = maxWaiting;
        this.maxBody = maxBody;
    }

    /**
     * Spec §4.7.4: the SIP conference of a video room, the room URI with the first {@code videoconference} of its host
     * replaced by {@code conference} ({@code room1@videoconference.example.com} → {@code room1@conference.example.com});
     * a host without it is kept.
     */
    static String conferenceUri(String roomUri) {
        int at = roomUri.lastIndexOf('@');
        String host = roomUri.substring(at + 1);
        int label = host.toLowerCase(Locale.ROOT).indexOf("videoconference");
        if (label < 0) {
            return roomUri;
        }
        return roomUri.substring(0, at + 1) + host.substring(0, label) + "conference"
                + host.substring(label + "videoconference".length());
    }

    State state() {
        return state;
    }

    /** Places the call (on the executor). A call that cannot be placed ends the chat at once, silently. */
    void start(SipCalls calls, ChatLine.Factory lines) {
        try {
            line = lines.open(new ChatLine.Listener() {
                @Override
                public void connected() {
                    executor.execute(RoomChat.this::connected);
                }

                @Override
                public void received(CpimMessage message) {
                    executor.execute(() -> RoomChat.this.received(message));
                }

                @Override
                public void closed(String why) {
                    executor.execute(() -> end("MSRP connection: " + why));
                }
            });
            call = calls.dial(account, conferenceUri, line.offer(), List.of(), new CallListener());
            LOG.info(() -> this + ": calling " + conferenceUri);
        } catch (IOException | RuntimeException e) {
            end("cannot call " + conferenceUri + ": " + e.getMessage());
        }
    }

    /** {@code videoroom-message}: sent now when the chat is up, else queued; reported by {@code message-delivery}. */
    void message(String messageId, String contentType, String content) throws RequestError {
        String id = ClientContent.messageId(messageId);
        String type = ClientContent.contentType(contentType);
        if (sent.containsKey(id) || waiting.stream().anyMatch(w -> w.messageId.equals(id))) {
            throw new RequestError("Invalid value for 'message_id' property: '" + CpimMessage.printable(id)
                    + "' (expected: an id not in use)");
        }
        byte[] bytes = ClientContent.bytes(type, content);
        if (bytes.length > maxBody) {
            throw new RequestError("Message content too large (max_message_body_size " + maxBody + " bytes)");
        }
        if (state == State.ENDED) {
            client.accept(VideoroomEvent.messageDelivery(session, id, false, 0, ChatLine.ENDED_REASON));
            return;
        }
        CpimMessage message = CpimMessage.builder()
                .from(new CpimMessage.Address(account.displayName(), "sip:" + account.aor()))
                .to(CpimMessage.Address.of("sip:" + conferenceUri))
                .dateTime(OffsetDateTime.now(ZoneOffset.UTC))
                .namespace("imdn", CpimMessage.IMDN_NAMESPACE)
                .header("imdn.Message-ID", id)
                .contentHeader("Content-Type", type)
                .content(bytes)
                .build();
        if (state == State.ACTIVE) {
            send(id, message);
        } else if (waiting.size() >= maxWaiting) {
            throw new RequestError("Too many messages waiting for the room chat to start (chat_queue_size "
                    + maxWaiting + ")");
        } else {
            waiting.add(new Waiting(id, message));
        }
    }

    /** {@code videoroom-composing-indication}: relayed when the chat is up (RFC 3994), dropped otherwise. */
    void composing(String composingState, Integer refresh) throws RequestError {
        if (!composingState.equals("active") && !composingState.equals("idle")) {
            throw new RequestError("Invalid value for 'state' property: '" + CpimMessage.printable(composingState)
                    + "' (expected: active or idle)");
        }
        if (refresh != null && refresh <= 0) {
            throw new RequestError("Invalid value for 'refresh' property: " + refresh + " (expected: seconds above 0)");
        }
        if (state != State.ACTIVE) {
            return;
        }
        IsComposing indication = new IsComposing(composingState.equals("active"), refresh == null ? 0 : refresh,
                null, COMPOSING_CONTENT);
        line.sendQuietly(CpimMessage.builder()
                .from(new CpimMessage.Address(account.displayName(), "sip:" + account.aor()))
                .to(CpimMessage.Address.of("sip:" + conferenceUri))
                .dateTime(OffsetDateTime.now(ZoneOffset.UTC))
                .contentHeader("Content-Type", IsComposing.CONTENT_TYPE)
                .content(indication.toXml())
                .build());
    }

    /** The publisher left (or its connection closed): the call ends, nothing more is told to its client. */
    void close() {
        closed = true;
        end("the publisher left");
    }

    private void send(String id, CpimMessage message) {
        sent.put(id, Boolean.TRUE);
        line.send(message, (code, reason) -> executor.execute(() -> delivered(id, code, reason)));
    }

    private void delivered(String id, int code, String reason) {
        if (sent.remove(id) != null && !closed) {
            client.accept(VideoroomEvent.messageDelivery(session, id, code == 200, code, reason));
        }
    }

    private void connected() {
        if (state != State.CONNECTING) {
            return;
        }
        state = State.ACTIVE;
        LOG.info(() -> this + ": chat up" + (waiting.isEmpty() ? "" : ", " + waiting.size() + " messages waiting"));
        while (!waiting.isEmpty()) {
            Waiting next = waiting.poll();
            send(next.messageId, next.message);
        }
    }

    /** A message from the room: a composing indication, or a message ({@code status} for the room's notices). */
    private void received(CpimMessage message) {
        if (state == State.ENDED || closed) {
            return;
        }
        CpimMessage.Address from = message.from().orElse(CpimMessage.Address.of("sip:" + conferenceUri));
        SipIdentity sender = new SipIdentity(stripScheme(from.uri()), from.displayName());
        String type = message.contentType() == null || message.contentType().isEmpty() ? "text/plain"
                : message.contentType();
        if (type.equals(IsComposing.CONTENT_TYPE)) {
            IsComposing indication;
            try {
                indication = IsComposing.parse(message.content());
            } catch (IllegalArgumentException e) {
                LOG.fine(() -> this + ": bad is-composing from " + from.uri() + ": " + e.getMessage());
                return;
            }
            client.accept(VideoroomEvent.composingIndication(session, indication.active() ? "active" : "idle",
                    indication.refresh() > 0 ? indication.refresh() : null,
                    indication.contentType() != null ? indication.contentType() : COMPOSING_CONTENT, sender));
            return;
        }
        OffsetDateTime time = message.dateTime().orElse(OffsetDateTime.now(ZoneOffset.UTC));
        client.accept(VideoroomEvent.message(session, message.isStatus(), ClientContent.text(type, message.content()),
                type, sender, Messaging.format(time)));
    }

    /** {@code sip:alice@example.com} → {@code alice@example.com}, as events name parties. */
    private static String stripScheme(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return lower.startsWith("sip:") ? uri.substring(4) : lower.startsWith("sips:") ? uri.substring(5) : uri;
    }

    /** The chat is over: the call and the line end; what was not reported fails (spec §4.6.8). */
    private void end(String why) {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        LOG.info(() -> this + ": chat ended: " + why);
        if (!closed) {
            for (Waiting message : waiting) {
                client.accept(VideoroomEvent.messageDelivery(session, message.messageId, false, 0, ChatLine.ENDED_REASON));
            }
            for (String id : sent.keySet()) {
                client.accept(VideoroomEvent.messageDelivery(session, id, false, 0, ChatLine.ENDED_REASON));
            }
        }
        waiting.clear();
        sent.clear();
        if (call != null) {
            call.hangUp();
        }
        if (line != null) {
            line.close();
        }
    }

    /** The SIP call's events, moved to the executor. */
    private final class CallListener implements SipCall.Listener {

        @Override
        public void provisional(int status, String reason, String sdp) {
        }

        @Override
        public void answered(String sdp, Map<String, String> headers) {
            executor.execute(() -> {
                if (state != State.CALLING) {
                    return;
                }
                if (sdp == null) {
                    end("the conference answered without SDP");
                    return;
                }
                state = State.CONNECTING;
                try {
                    line.answered(sdp);
                } catch (SdpException e) {
                    end("the conference's answer: " + e.getMessage());
                }
            });
        }

        @Override
        public void confirmed() {
        }

        @Override
        public void rejected(int status, String reason) {
            executor.execute(() -> end("the conference refused the call: " + status + " " + reason));
        }

        @Override
        public void cancelled() {
        }

        @Override
        public void ended() {
            executor.execute(() -> end("the conference hung up"));
        }

        /** Spec §4.7.4: re-INVITE proposals on the chat session are rejected. */
        @Override
        public void reoffered(String sdp) {
            call.rejectReinvite(488);
        }

        @Override
        public void reanswered(String sdp) {
        }

        @Override
        public void reinviteFailed(int status, String reason) {
        }

        @Override
        public void messageDelivered(int status, String reason) {
        }

        @Override
        public void messageReceived(String contentType, byte[] content) {
        }
    }

    @Override
    public String toString() {
        return "room chat of " + session + " (" + account.aor() + " in " + roomUri + ")";
    }
}
