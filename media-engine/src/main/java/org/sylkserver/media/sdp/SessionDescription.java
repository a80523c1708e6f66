package org.sylkserver.media.sdp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An SDP session description (RFC 4566): the session-level lines and the media descriptions, every line kept
 * in its order so that what is not understood is still carried. Parsing checks the structure RFC 4566 §5
 * requires (v= first, then o= and s=, types in the allowed set, well-formed m= and c= lines); {@link #toString()}
 * writes it back with CRLF line ends.
 */
public final class SessionDescription {

    private final List<Line> session;
    private final List<MediaDescription> media;

    public SessionDescription(List<Line> session, List<MediaDescription> media) {
        this.session = new ArrayList<>(session);
        this.media = new ArrayList<>(media);
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
        List<Line> session = new ArrayList<>();
        List<MediaDescription> media = new ArrayList<>();
        List<Line> current = null;
        String mediaLine = null;
        int mediaLineNumber = 0;
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            int number = i + 1;
            if (raw.isEmpty()) {
                if (i == lines.length - 1) {
                    break;
                }
                throw new SdpException("SDP line " + number + ": empty line");
            }
            if (raw.length() < 2 || raw.charAt(1) != '=' || !Character.isLowerCase(raw.charAt(0))) {
                throw new SdpException("SDP line " + number + ": expected '<type>=<value>', got '" + abbreviate(raw) + "'");
            }
            Line line = new Line(raw.charAt(0), raw.substring(2));
            if (number == 1 && (line.type() != 'v' || !line.value().equals("0"))) {
                throw new SdpException("SDP line 1: must be 'v=0'");
            }
            if (line.type() == 'm') {
                if (current != null) {
                    media.add(MediaDescription.parse(mediaLine, mediaLineNumber, current));
                }
                mediaLine = line.value();
                mediaLineNumber = number;
                current = new ArrayList<>();
            } else if (current != null) {
                if ("vosuepzrt".indexOf(line.type()) >= 0) {
                    throw new SdpException("SDP line " + number + ": '" + line.type() + "=' is not allowed in a media section");
                }
                current.add(line);
            } else {
                session.add(line);
            }
            if (line.type() == 'c') {
                ConnectionData.parse(line.value(), number);
            }
        }
        if (current != null) {
            media.add(MediaDescription.parse(mediaLine, mediaLineNumber, current));
        }
        requireSessionLine(session, 'o');
        requireSessionLine(session, 's');
        return new SessionDescription(session, media);
    }

    private static void requireSessionLine(List<Line> session, char type) throws SdpException {
        for (Line line : session) {
            if (line.type() == type) {
                return;
            }
        }
        throw new SdpException("SDP has no '" + type + "=' line");
    }

    static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    public static SessionDescription parse(byte[] content) throws SdpException {
        if (content == null) {
            throw new SdpException("empty SDP");
        }
        return parse(new String(content, StandardCharsets.UTF_8));
    }

    public List<Line> sessionLines() {
        return List.copyOf(session);
    }

    public List<MediaDescription> media() {
        return List.copyOf(media);
    }

    /** The session-level connection address, if any. */
    public ConnectionData connection() {
        for (Line line : session) {
            if (line.type() == 'c') {
                try {
                    return ConnectionData.parse(line.value(), 0);
                } catch (SdpException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return null;
    }

    /** The session-level value of attribute {@code name} ({@code a=name:value}), or null. */
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

    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }
}
