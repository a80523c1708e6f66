package org.sylkserver.protocols.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One media description (RFC 4566 §5.14): {@code m=<media> <port>[/<count>] <proto> <fmt> ...} and the lines
 * that follow it, in order, unknown attributes included.
 */
public final class MediaDescription {

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+");
    private static final Pattern PROTO = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~/]+");

    private final String media;
    private final int port;
    private final int portCount;
    private final String proto;
    private final List<String> formats;
    private final List<SessionDescription.Line> lines;

    /** A media description without a port count. */
    public MediaDescription(String media, int port, String proto, List<String> formats,
                            List<SessionDescription.Line> lines) {
        this(media, port, 0, proto, formats, lines);
    }

    private MediaDescription(String media, int port, int portCount, String proto, List<String> formats,
                             List<SessionDescription.Line> lines) {
        this.media = media;
        this.port = port;
        this.portCount = portCount;
        this.proto = proto;
        this.formats = List.copyOf(formats);
        this.lines = List.copyOf(lines);
    }

    static MediaDescription parse(String value, int lineNumber, List<SessionDescription.Line> lines) throws SdpException {
        String[] parts = value.trim().split(" +");
        if (parts.length < 4) {
            throw SdpException.atLine(lineNumber, "bad media line 'm=" + SessionDescription.abbreviate(value)
                    + "' (expected '<media> <port> <proto> <fmt> ...')");
        }
        if (!TOKEN.matcher(parts[0]).matches()) {
            throw SdpException.atLine(lineNumber, "bad media type '" + SessionDescription.abbreviate(parts[0]) + "'");
        }
        String[] portAndCount = parts[1].split("/", -1);
        int port = portAndCount.length <= 2 ? number(portAndCount[0], 0, 65535) : -1;
        int count = portAndCount.length == 2 ? number(portAndCount[1], 1, 65535) : 0;
        if (port < 0 || count < 0) {
            throw SdpException.atLine(lineNumber, "bad port '" + SessionDescription.abbreviate(parts[1])
                    + "' in media line (expected 0-65535, optionally '/<count>')");
        }
        if (!PROTO.matcher(parts[2]).matches()) {
            throw SdpException.atLine(lineNumber, "bad transport protocol '" + SessionDescription.abbreviate(parts[2]) + "'");
        }
        List<String> formats = new ArrayList<>();
        for (int i = 3; i < parts.length; i++) {
            formats.add(parts[i]);
        }
        return new MediaDescription(parts[0], port, count, parts[2], formats, lines);
    }

    /** {@code text} as a number in [min, max], or -1. */
    private static int number(String text, int min, int max) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int value = Integer.parseInt(text);
        return value >= min && value <= max ? value : -1;
    }

    /** {@code audio}, {@code video}, {@code message} ... */
    public String media() {
        return media;
    }

    /** The transport port; 0 for a disabled or declined stream (RFC 3264 §5.1). */
    public int port() {
        return port;
    }

    /** The {@code /<count>} of the port field, or 0 when there is none. */
    public int portCount() {
        return portCount;
    }

    /** The transport protocol, e.g. {@code RTP/AVP}. */
    public String proto() {
        return proto;
    }

    public List<String> formats() {
        return formats;
    }

    /** The lines after the m= line, in order. */
    public List<SessionDescription.Line> lines() {
        return lines;
    }

    /** The media-level connection address, or {@code null} (then the session-level one applies). */
    public ConnectionData connection() {
        return ConnectionData.first(lines);
    }

    /** Values of every {@code a=name[:value]} line with this name ({@code ""} for flags). */
    public List<String> attributes(String name) {
        List<String> values = new ArrayList<>();
        for (SessionDescription.Line line : lines) {
            if (line.type() == 'a') {
                String value = attributeValue(line.value(), name);
                if (value != null) {
                    values.add(value);
                }
            }
        }
        return values;
    }

    /** Whether the flag or attribute {@code name} is present. */
    public boolean has(String name) {
        return !attributes(name).isEmpty();
    }

    /** The direction attribute of this media description (RFC 3264 §5.1), or null when it has none. */
    String ownDirection() {
        for (String direction : SessionDescription.DIRECTIONS) {
            if (has(direction)) {
                return direction;
            }
        }
        return null;
    }

    /**
     * What payload type {@code format} stands for: its {@code a=rtpmap}, else its static assignment (RFC 3551 §6),
     * else null. A malformed rtpmap counts as absent.
     */
    public RtpMap rtpMap(String format) {
        for (String value : attributes("rtpmap")) {
            if (value.startsWith(format + " ")) {
                RtpMap map = RtpMap.parse(value);
                if (map != null) {
                    return map;
                }
            }
        }
        return RtpMap.staticPayload(format);
    }

    static String attributeValue(String attribute, String name) {
        if (attribute.equals(name)) {
            return "";
        }
        if (attribute.startsWith(name) && attribute.length() > name.length() && attribute.charAt(name.length()) == ':') {
            return attribute.substring(name.length() + 1);
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append("m=").append(media).append(' ').append(port);
        if (portCount > 0) {
            out.append('/').append(portCount);
        }
        out.append(' ').append(proto);
        for (String format : formats) {
            out.append(' ').append(format);
        }
        out.append("\r\n");
        for (SessionDescription.Line line : lines) {
            out.append(line).append("\r\n");
        }
        return out.toString();
    }
}
