package org.sylkserver.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Executor;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;
import org.sylkserver.core.msrp.MsrpRoute;
import org.sylkserver.core.session.ChatLine;
import org.sylkserver.core.session.MsrpChatLine;
import org.sylkserver.webrtc.messaging.MessagingConfig;

/**
 * What the video rooms' chat bridges share (spec §4.7.4): how their MSRP lines are made,
 * {@code [VideoRooms] chat_queue_size} of {@code webrtcgateway.ini}, the messages a publisher may send before its chat
 * is up (they wait; more are refused), and {@code [General] max_message_body_size}, the largest message content taken
 * from a client or from the room, as for the account messages (spec §4.8).
 */
public final class RoomChats {

    /** The default of {@code chat_queue_size}. */
    public static final int DEFAULT_QUEUE_SIZE = 100;

    /** No bridge (the gateway's MSRP endpoint is not running): every room message is reported undelivered. */
    public static final RoomChats NONE = new RoomChats(listener -> {
        throw new IOException("the gateway has no MSRP endpoint");
    }, DEFAULT_QUEUE_SIZE, MessagingConfig.DEFAULT_MAX_BODY_BYTES);

    final ChatLine.Factory lines;
    final int queueSize;
    final int maxBodyBytes;

    RoomChats(ChatLine.Factory lines, int queueSize, int maxBodyBytes) {
        this.lines = lines;
        this.queueSize = queueSize;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Bridges whose MSRP sessions are opened on the gateway's endpoint {@code route}, connecting on
     * {@code connector}, with {@code address} in their SDP.
     */
    public static RoomChats msrp(MsrpRoute route, Executor connector, InetAddress address, int queueSize,
                                 int maxBodyBytes) {
        return new RoomChats(listener -> new MsrpChatLine(route, connector, address, maxBodyBytes, listener),
                queueSize, maxBodyBytes);
    }

    /** {@code [VideoRooms] chat_queue_size} of {@code webrtcgateway.ini} (1-10000, default 100). */
    public static int queueSize(Path configDir) throws ConfigException {
        return new SectionReader(IniFile.read(configDir.resolve("webrtcgateway.ini")), "VideoRooms")
                .integer("chat_queue_size", DEFAULT_QUEUE_SIZE, 1, 10000);
    }
}
