package org.sylkserver.conference.chat;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.iscomposing.IsComposing;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MessageAssembler;
import org.sylkserver.protocols.msrp.MessageSink;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.msrp.QuotedString;

/**
 * One participant's MSRP chat session with the room: receives its requests (chunked messages put back together by
 * the protocols' {@link MessageAssembler}, RFC 4975 §5.1), passes them to the {@link ChatSwitch}, and sends it what
 * others say on the connection it opened. Messages for it that come before its connection (the history) wait, at
 * most {@value #MAX_WAITING}.
 *
 * <p>Threads: a message for the participant is encoded and queued on its connection by the thread relaying it (the
 * room's executor, while the sender's connection thread waits for the relay): that is what slows a sender down to
 * what its room can pass on, so the session's connection state stays under this object's monitor rather than on an
 * executor of its own (queued there, a fast sender would fill the readers' send queues and have them closed:
 * {@code ChatOverMsrpTest}). What the call gives it ({@link Call}) is fixed at construction; our end's URI and the
 * room's switch are set once.
 */
public final class ChatMember implements ChatSwitch.Session, MsrpServer.Handler {

    /**
     * What a chat session asks of the participant's call: the SAS of its ZRTP audio (null: none) and what to do when
     * the participant confirms it (spec §3.8), and who hears of a connection lost while the session was on.
     */
    public record Call(Supplier<String> sas, Runnable sasVerified, Consumer<ChatMember> lost) {

        /** No call behind the session (tests): no SAS, nothing hears of a loss. */
        public static final Call NONE = new Call(() -> null, () -> { }, member -> { });
    }

    private static final Logger log = Logger.getLogger(ChatMember.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_WAITING = 100;
    /** RFC 7701 §9.2: the Use-Nickname of a NICKNAME request is not a quoted-string. */
    static final int MALFORMED_NICKNAME = 424;
    /**
     * Largest chat message reassembled, and most bytes of messages being reassembled at once (chunks beyond it are
     * refused with 413): a participant that starts many messages and never ends them holds no more than one.
     */
    private static final int MAX_MESSAGE = 4 * 1024 * 1024;

    private final String uri;
    private final String displayName;
    private final List<MsrpUri> remotePath;
    private final List<MsrpUri> toPath;
    private final Call call;
    private final Deque<CpimMessage> waiting = new ArrayDeque<>();
    private final MessageAssembler assembler = new MessageAssembler(first -> MessageSink.inMemory(
            body -> received(first, body)), MAX_MESSAGE, MAX_MESSAGE);
    /** Set once, by the call (SIP side), read by the connection's thread and the room: volatile for that handoff. */
    private volatile MsrpUri localUri;
    /** Set once, by the room's executor, read by the connection's thread (volatile: it may bind before the join). */
    private volatile ChatSwitch chatSwitch;
    /** Under this object's monitor: shared by the room's executor (deliveries) and the connection's thread. */
    private MsrpConnection connection;
    /** The session ended on our side: its connection closing is no loss (under the monitor). */
    private boolean ending;

    public ChatMember(String uri, String displayName, List<MsrpUri> remotePath) {
        this(uri, displayName, remotePath, remotePath, Call.NONE);
    }

    /** @param toPath where requests to the participant go: its path, after the relay's Use-Path if there is one */
    public ChatMember(String uri, String displayName, List<MsrpUri> remotePath, List<MsrpUri> toPath, Call call) {
        this.toPath = toPath;
        this.uri = uri;
        this.displayName = displayName;
        this.remotePath = remotePath;
        this.call = call;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String displayName() {
        return displayName;
    }

    /** Our end of the session, once the MSRP server opened it. */
    public void opened(MsrpUri local) {
        localUri = local;
    }

    /** Our end of the session. */
    public MsrpUri localUri() {
        return localUri;
    }

    /** The participant is in the room past its PIN: its messages go to {@code room}'s switch. */
    public void joined(ChatSwitch room) {
        chatSwitch = room;
    }

    /** The room's switch, once joined. */
    public ChatSwitch chatSwitch() {
        return chatSwitch;
    }

    /** A secure chat for SAS verification (spec §3.8): over TLS, straight to the participant (no relays). */
    private boolean secure() {
        return localUri().scheme().equalsIgnoreCase("msrps") && remotePath.size() == 1 && toPath.size() == 1;
    }

    /** Tells the participant the server's SAS of its audio over this chat, when it is secure and the SAS its own. */
    public void tellSas(String sas, ChatSwitch room) {
        if (sas.equals(call.sas().get()) && secure()) {
            room.sas(this, sas);
        }
    }

    @Override
    public boolean verifySas(String offered) {
        String ours = call.sas().get();
        if (ours == null || !secure() || !ours.equalsIgnoreCase(offered)) {
            return false;
        }
        call.sasVerified().run();
        return true;
    }

    /**
     * Queues the message until the participant's connection is known, else sends it: outside this session's lock,
     * so that senders delivering to the same participant do not queue behind each other's encoding (the connection
     * keeps each message whole).
     */
    @Override
    public void deliver(CpimMessage message) {
        MsrpConnection to;
        synchronized (this) {
            if (connection == null) {
                if (waiting.size() < MAX_WAITING) {
                    waiting.add(message);
                }
                return;
            }
            to = connection;
        }
        send(message, to);
    }

    private void send(CpimMessage message, MsrpConnection connection) {
        byte[] body = message.toBytes();
        String tid = HexFormat.of().formatHex(randomBytes(8));
        List<MsrpHeader> headers = new java.util.ArrayList<>(List.of(
                new MsrpHeader("Message-ID", HexFormat.of().formatHex(randomBytes(8))),
                new MsrpHeader("Byte-Range", "1-" + body.length + "/" + body.length)));
        if (!IsComposing.CONTENT_TYPE.equalsIgnoreCase(message.contentType())) {
            // spec §3.4: messages ask for a success report (is-composing indications go without)
            headers.add(new MsrpHeader("Success-Report", "yes"));
        }
        headers.add(new MsrpHeader("Content-Type", CpimMessage.CONTENT_TYPE));
        MsrpRequest send = new MsrpRequest(tid, MsrpRequest.SEND, toPath, List.of(localUri), headers, body,
                Continuation.COMPLETE);
        try {
            connection.send(send);
        } catch (IOException e) {
            log.log(Level.FINE, "cannot send chat to " + uri, e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    @Override
    public int request(MsrpRequest request, MsrpConnection from) {
        connected(from);
        if (request.method().equals(MsrpRequest.SEND) && !request.hasBody()) {
            // a keep-alive, or the first SEND that binds the connection (RFC 4975 §5.4), also when it overtakes the
            // ACK that puts the participant in the room
            return 200;
        }
        ChatSwitch room = chatSwitch();
        if (room == null) {
            return 481;
        }
        switch (request.method()) {
            case MsrpRequest.NICKNAME:
                return nickname(room, request);
            case MsrpRequest.REPORT:
                return 200;
            case MsrpRequest.SEND:
                return assembler.accept(request);
            default:
                return 501;
        }
    }

    /**
     * RFC 7701 §6.1: {@code Use-Nickname} is a quoted-string (RFC 3261 §25.1), unescaped here; one that is not is
     * 424 Malformed nickname. Without the header the nickname is cleared, as with an empty one (spec §3.4).
     */
    private int nickname(ChatSwitch room, MsrpRequest request) {
        String nickname;
        try {
            nickname = request.header("Use-Nickname").map(QuotedString::parse).orElse("");
        } catch (IllegalArgumentException e) {
            log.info(() -> this + ": NICKNAME refused: " + e.getMessage());
            return MALFORMED_NICKNAME;
        }
        return room.setNickname(this, nickname);
    }

    /**
     * A whole message from the participant: the room's switch answers it; a message the room took is reported to its
     * sender when it asked (RFC 4975 §7.1.2: {@code Success-Report: yes}).
     */
    private int received(MsrpRequest first, byte[] body) {
        ChatSwitch room = chatSwitch();
        int status = room == null ? 481 : room.received(this, first.contentType().orElse(null), body);
        if (status == 200 && first.successReport().map(v -> v.equalsIgnoreCase("yes")).orElse(false)) {
            report(first, body.length);
        }
        return status;
    }

    private void report(MsrpRequest chunk, long total) {
        MsrpConnection on;
        synchronized (this) {
            on = connection;
        }
        try {
            on.send(MsrpRequest.successReport(HexFormat.of().formatHex(randomBytes(8)), chunk, localUri, total));
        } catch (IOException | RuntimeException e) {
            log.log(Level.FINE, "cannot report a message of " + uri, e);
        }
    }

    /**
     * The session's connection: the one the participant opened (its first request), or the one the room opened to
     * it (RFC 6135 active role). Messages waiting for it go out.
     */
    public synchronized void connected(MsrpConnection on) {
        if (connection == null) {
            connection = on;
            on.whenClosed(this::connectionClosed);
            waiting.forEach(message -> send(message, on));
            waiting.clear();
        }
    }

    /** The session ended: the participant's connection is closed (it carried only this session). */
    public void closeConnection() {
        assembler.abortAll();
        synchronized (this) {
            ending = true;
            if (connection != null) {
                connection.close();
            }
        }
    }

    private void connectionClosed() {
        boolean expected;
        synchronized (this) {
            expected = ending;
        }
        if (!expected) {
            call.lost().accept(this);
        }
    }

    @Override
    public String toString() {
        return "chat of " + uri;
    }
}
