package org.sylkserver.conference.chat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * One participant's MSRP chat session with the room: receives its requests (reassembling chunked messages, RFC
 * 4975 §5.1), passes them to the {@link ChatSwitch}, and sends it what others say on the connection it opened.
 * Messages for it that come before its connection (the history) wait, at most {@value #MAX_WAITING}.
 */
public final class ChatMember implements ChatSwitch.Session, MsrpServer.Handler {

    private static final Logger log = Logger.getLogger(ChatMember.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_WAITING = 100;
    /**
     * Largest chat message reassembled, and most bytes of messages being reassembled at once (chunks beyond it are
     * refused with 413): a participant that starts many messages and never ends them holds no more than one.
     */
    private static final int MAX_MESSAGE = 4 * 1024 * 1024;

    private final String uri;
    private final String displayName;
    private final List<MsrpUri> remotePath;
    private final List<MsrpUri> toPath;
    private final Deque<CpimMessage> waiting = new ArrayDeque<>();
    private final Map<String, ByteArrayOutputStream> partial = new HashMap<>();
    /** Bytes in {@link #partial}, at most {@link #MAX_MESSAGE}. */
    private int partialBytes;
    public volatile MsrpUri localUri;
    /** The SAS of the participant's ZRTP audio (null: none), and what to do when the participant confirms it. */
    public volatile java.util.function.Supplier<String> sas = () -> null;
    public volatile Runnable sasVerified = () -> { };
    public volatile ChatSwitch chatSwitch;
    private MsrpConnection connection;
    /** The session ended on our side: its connection closing is no loss. */
    private boolean ending;
    /** Told when the participant's connection closes while the session is still on (peer or network gone). */
    public volatile Runnable lost = () -> { };

    public ChatMember(String uri, String displayName, List<MsrpUri> remotePath) {
        this(uri, displayName, remotePath, remotePath);
    }

    /** @param toPath where requests to the participant go: its path, after the relay's Use-Path if there is one */
    public ChatMember(String uri, String displayName, List<MsrpUri> remotePath, List<MsrpUri> toPath) {
        this.toPath = toPath;
        this.uri = uri;
        this.displayName = displayName;
        this.remotePath = remotePath;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String displayName() {
        return displayName;
    }

    /** A secure chat for SAS verification (spec §3.8): over TLS, straight to the participant (no relays). */
    public boolean secure() {
        return localUri.scheme().equalsIgnoreCase("msrps") && remotePath.size() == 1 && toPath.size() == 1;
    }

    @Override
    public boolean verifySas(String offered) {
        String ours = sas.get();
        if (ours == null || !secure() || !ours.equalsIgnoreCase(offered)) {
            return false;
        }
        sasVerified.run();
        return true;
    }

    /**
     * Queues the message until the participant's connection is known, else sends it: outside this stream's lock,
     * so that senders delivering to the same participant from their own connection threads do not queue behind
     * each other's encoding (the connection keeps each message whole).
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
        MsrpRequest send = new MsrpRequest(tid, MsrpRequest.SEND, toPath, List.of(localUri), List.of(
                new MsrpHeader("Message-ID", HexFormat.of().formatHex(randomBytes(8))),
                new MsrpHeader("Byte-Range", "1-" + body.length + "/" + body.length),
                new MsrpHeader("Content-Type", CpimMessage.CONTENT_TYPE)), body, Continuation.COMPLETE);
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
        ChatSwitch room = chatSwitch;
        if (room == null) {
            return 481;
        }
        switch (request.method()) {
            case MsrpRequest.NICKNAME:
                return room.setNickname(this, request.header("Use-Nickname").orElse("").replace("\"", ""));
            case MsrpRequest.REPORT:
                return 200;
            case MsrpRequest.SEND:
                break;
            default:
                return 501;
        }
        String id = request.messageId().orElse("");
        ByteArrayOutputStream buffer = partial.computeIfAbsent(id, k -> new ByteArrayOutputStream());
        if (partialBytes + request.body().length > MAX_MESSAGE) {
            forget(id);
            return 413;
        }
        buffer.writeBytes(request.body());
        partialBytes += request.body().length;
        switch (request.continuation()) {
            case MORE:
                return 200;
            case ABORTED:
                forget(id);
                return 200;
            default:
                forget(id);
                return room.received(this, request.contentType().orElse(null), buffer.toByteArray());
        }
    }

    /** A message no longer being reassembled. */
    private void forget(String messageId) {
        ByteArrayOutputStream buffer = partial.remove(messageId);
        if (buffer != null) {
            partialBytes -= buffer.size();
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
    public synchronized void closeConnection() {
        ending = true;
        if (connection != null) {
            connection.close();
        }
    }

    private void connectionClosed() {
        boolean expected;
        synchronized (this) {
            expected = ending;
        }
        if (!expected) {
            lost.run();
        }
    }

    @Override
    public String toString() {
        return "chat of " + uri + " (" + localUri + ")";
    }
}
