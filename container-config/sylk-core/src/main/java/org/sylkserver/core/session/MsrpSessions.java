package org.sylkserver.core.session;

import java.util.ArrayList;
import java.util.List;

import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * Where an application's MSRP streams listen (RFC 4975): its MSRP server, reached directly or through a relay
 * (RFC 4976). The chat and file-transfer streams open their sessions here and write its transport and paths into
 * their answers.
 */
public interface MsrpSessions {

    /** The transport of our {@code m=message} lines: {@code TCP/MSRP} or {@code TCP/TLS/MSRP}. */
    String proto();

    /** The port of our {@code m=message} lines. */
    int port();

    /** Opens a session whose requests go to {@code handler}; returns its local URI. */
    MsrpUri open(MsrpServer.Handler handler);

    /** Forgets the session {@code local}. */
    void close(MsrpUri local);

    /** The value of our {@code a=path} for the session {@code local}. */
    String path(MsrpUri local);

    /** The To-Path of our requests to a peer whose {@code a=path} is {@code remotePath}. */
    List<MsrpUri> toPath(List<MsrpUri> remotePath);

    /** Our {@code m=message} line for the session {@code local}: its {@code a=path} first, then {@code attributes}. */
    default MediaDescription line(MsrpUri local, List<SessionDescription.Line> attributes) {
        List<SessionDescription.Line> lines = new ArrayList<>(attributes.size() + 1);
        lines.add(new SessionDescription.Line('a', "path:" + path(local)));
        lines.addAll(attributes);
        return new MediaDescription("message", port(), proto(), List.of("*"), lines);
    }
}
