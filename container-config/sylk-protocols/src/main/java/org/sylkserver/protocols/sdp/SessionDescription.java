package org.sylkserver.protocols.sdp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An SDP session description (RFC 4566): the session-level lines and the media descriptions, every line kept
 * in its order so that what is not understood is still carried. Parsing checks the structure RFC 4566 §5
 * requires (v=0 first, one o= and one s=, only session-level types before the first m=, well-formed o=, m= and
 * c= lines, a connection address for every active stream) and accepts LF as well as CRLF line ends;
 * {@link #toString()} writes CRLF.
 */
public final class SessionDescription {

    /** The direction attributes of RFC 3264 §5.1. */
    static final List<String> DIRECTIONS = List.of("sendrecv", "sendonly", "recvonly", "inactive");

    /** Types that belong to the session (or to its time description) and must not follow an m= line. */
    private static final String SESSION_ONLY_TYPES = "vosuepzrt";

    private final List<Line> session;
    private final List<MediaDescription> media;

    public SessionDescription(List<Line> session, List<MediaDescription> media) {
        this.session = List.copyOf(session);
        this.media = List.copyOf(media);
    }

    /** One {@code <type>=<value>} line. */
    public record Line(char type, String value) {
        @Override
        public String toString() {
            return type + "=" + value;
        }
    }

    /** Parses SDP text (CRLF or LF line ends). */
    public static SessionDescription parse(String text) throws SdpException {
        if (text == null || text.isBlank()) {
            throw new SdpException("empty SDP");
        }
        String[] lines = text.split("\r?\n");
        List<Line> session = new ArrayList<>();
        List<MediaDescription> media = new ArrayList<>();
        List<Line> current = null;
        String mediaLine = null;
        int mediaLineNumber = 0;
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            // a body ending in a lone CR still counts as line-terminated
            String raw = i == lines.length - 1 && lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1)
                    : lines[i];
            if (raw.isEmpty()) {
                throw SdpException.atLine(number, "empty line");
            }
            if (raw.length() < 2 || raw.charAt(1) != '=' || raw.charAt(0) < 'a' || raw.charAt(0) > 'z') {
                throw SdpException.atLine(number, "expected '<type>=<value>', got '" + abbreviate(raw) + "'");
            }
            Line line = new Line(raw.charAt(0), raw.substring(2));
            if (number == 1 && (line.type() != 'v' || !line.value().equals("0"))) {
                throw SdpException.atLine(1, "expected 'v=0', got '" + abbreviate(raw) + "'");
            }
            switch (line.type()) {
                case 'm' -> {
                    if (current != null) {
                        media.add(MediaDescription.parse(mediaLine, mediaLineNumber, current));
                    }
                    mediaLine = line.value();
                    mediaLineNumber = number;
                    current = new ArrayList<>();
                }
                case 'c' -> ConnectionData.parse(line.value(), number);
                case 'o' -> checkOrigin(line.value(), number);
                default -> { }
            }
            if (line.type() == 'm') {
                continue;
            }
            if (current != null) {
                if (SESSION_ONLY_TYPES.indexOf(line.type()) >= 0) {
                    throw SdpException.atLine(number, "'" + line.type() + "=' is not allowed in a media section");
                }
                current.add(line);
            } else {
                if ("vos".indexOf(line.type()) >= 0 && count(session, line.type()) > 0) {
                    throw SdpException.atLine(number, "second '" + line.type() + "=' line");
                }
                session.add(line);
            }
        }
        if (current != null) {
            media.add(MediaDescription.parse(mediaLine, mediaLineNumber, current));
        }
        // t= is required by RFC 4566 too, but is tolerated when missing: nothing here depends on it
        for (char required : new char[] {'o', 's'}) {
            if (count(session, required) == 0) {
                throw new SdpException("SDP has no '" + required + "=' line");
            }
        }
        SessionDescription sdp = new SessionDescription(session, media);
        sdp.checkConnections(lines);
        return sdp;
    }

    private static void checkOrigin(String value, int number) throws SdpException {
        String[] parts = value.trim().split(" +");
        if (parts.length != 6 || !parts[3].equals("IN") || !(parts[4].equals("IP4") || parts[4].equals("IP6"))) {
            throw SdpException.atLine(number, "bad origin 'o=" + abbreviate(value)
                    + "' (expected '<username> <sess-id> <sess-version> IN IP4|IP6 <address>')");
        }
    }

    /** RFC 4566 §5.7: each active stream needs a c= line of its own or at session level. */
    private void checkConnections(String[] lines) throws SdpException {
        if (connection() != null) {
            return;
        }
        int index = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("m=")) {
                MediaDescription m = media.get(index++);
                if (m.port() != 0 && m.connection() == null) {
                    throw SdpException.atLine(i + 1, "no connection address ('c=') for this media line nor at session level");
                }
            }
        }
    }

    private static int count(List<Line> lines, char type) {
        int count = 0;
        for (Line line : lines) {
            if (line.type() == type) {
                count++;
            }
        }
        return count;
    }

    static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    /** Parses an SDP body (UTF-8, RFC 4566 §5). */
    public static SessionDescription parse(byte[] content) throws SdpException {
        if (content == null) {
            throw new SdpException("empty SDP");
        }
        return parse(new String(content, StandardCharsets.UTF_8));
    }

    public List<Line> sessionLines() {
        return session;
    }

    public List<MediaDescription> media() {
        return media;
    }

    /** The session-level connection address, if any. */
    public ConnectionData connection() {
        return ConnectionData.first(session);
    }

    /** The connection address that applies to {@code m}: its own c= line, else the session's (RFC 4566 §5.7). */
    public ConnectionData connection(MediaDescription m) {
        ConnectionData own = m.connection();
        return own != null ? own : connection();
    }

    /**
     * The direction that applies to {@code m} (RFC 3264 §5.1): its own attribute, else the session-level one,
     * else {@code sendrecv}.
     */
    public String direction(MediaDescription m) {
        String own = m.ownDirection();
        if (own != null) {
            return own;
        }
        for (String direction : DIRECTIONS) {
            if (attribute(direction) != null) {
                return direction;
            }
        }
        return "sendrecv";
    }

    /** The session-level value of attribute {@code name} ({@code a=name:value}, {@code ""} for a flag), or null. */
    public String attribute(String name) {
        for (Line line : session) {
            if (line.type() == 'a') {
                String value = MediaDescription.attributeValue(line.value(), name);
                if (value != null) {
                    return value;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Line line : session) {
            out.append(line).append("\r\n");
        }
        for (MediaDescription m : media) {
            out.append(m);
        }
        return out.toString();
    }

    /** The SDP as a body (UTF-8, CRLF line ends). */
    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }
}
