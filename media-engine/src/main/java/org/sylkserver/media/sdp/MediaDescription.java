package org.sylkserver.media.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * One media description (RFC 4566 §5.14): {@code m=<media> <port>[/<count>] <proto> <fmt> ...} and the lines
 * that follow it, in order.
 */
public final class MediaDescription {

    private final String media;
    private final int port;
    private final String proto;
    private final List<String> formats;
    private final List<SessionDescription.Line> lines;

    public MediaDescription(String media, int port, String proto, List<String> formats,
                            List<SessionDescription.Line> lines) {
        this.media = media;
        this.port = port;
        this.proto = proto;
        this.formats = List.copyOf(formats);
        this.lines = List.copyOf(lines);
    }

    static MediaDescription parse(String value, int lineNumber, List<SessionDescription.Line> lines) throws SdpException {
        String[] parts = value.trim().split(" +");
        if (parts.length < 4) {
            throw new SdpException("SDP line " + lineNumber + ": bad media line 'm=" + SessionDescription.abbreviate(value)
                    + "' (expected '<media> <port> <proto> <fmt> ...')");
        }
        String portText = parts[1];
        int slash = portText.indexOf('/');
        int port;
        try {
            port = Integer.parseInt(slash < 0 ? portText : portText.substring(0, slash));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new SdpException("SDP line " + lineNumber + ": bad port '" + portText + "' in media line");
        }
        List<String> formats = new ArrayList<>();
        for (int i = 3; i < parts.length; i++) {
            formats.add(parts[i]);
        }
        return new MediaDescription(parts[0], port, parts[2], formats, lines);
    }

    public String media() {
        return media;
    }

    public int port() {
        return port;
    }

    public String proto() {
        return proto;
    }

    public List<String> formats() {
        return formats;
    }

    public List<SessionDescription.Line> lines() {
        return lines;
    }

    /** The media-level connection address, or {@code null} (then the session-level one applies). */
    public ConnectionData connection() {
        for (SessionDescription.Line line : lines) {
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

    /** The direction attribute (RFC 3264 §5.1); {@code sendrecv} when none is given. */
    public String direction() {
        for (String direction : List.of("sendrecv", "sendonly", "recvonly", "inactive")) {
            if (has(direction)) {
                return direction;
            }
        }
        return "sendrecv";
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
        out.append("m=").append(media).append(' ').append(port).append(' ').append(proto);
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
