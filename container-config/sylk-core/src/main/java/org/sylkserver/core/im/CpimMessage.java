package org.sylkserver.core.im;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A {@code message/cpim} message (RFC 3862 §3): message headers, a blank line, the encapsulated MIME content
 * headers, a blank line and the content. Header order is kept; namespaced headers such as
 * {@code imdn.Message-ID} are looked up by their prefix as declared with {@code NS:} (§3.3).
 *
 * @param headers        message headers in order (From, To, DateTime, NS, imdn.Message-ID, ...)
 * @param contentHeaders MIME headers of the content (Content-Type, Content-ID, ...)
 * @param content        the content bytes
 */
public record CpimMessage(List<Header> headers, List<Header> contentHeaders, byte[] content) {

    /** The media type of CPIM. */
    public static final String CONTENT_TYPE = "message/cpim";
    /** The namespace of RFC 5438 headers. */
    public static final String IMDN_NAMESPACE = "urn:ietf:params:imdn";

    /** One {@code Name: value} line. */
    public record Header(String name, String value) {
    }

    public CpimMessage {
        headers = List.copyOf(headers);
        contentHeaders = List.copyOf(contentHeaders);
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** Parses a CPIM body; both CRLF and bare LF line ends are accepted. */
    public static CpimMessage parse(byte[] body) throws CpimException {
        if (body == null || body.length == 0) {
            throw new CpimException("empty CPIM message");
        }
        int[] position = {0};
        List<Header> headers = readHeaders(body, position, "message");
        List<Header> contentHeaders = readHeaders(body, position, "content");
        if (first(contentHeaders, "Content-Type") == null) {
            throw new CpimException("CPIM content has no Content-Type header");
        }
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase("From") || header.name().equalsIgnoreCase("To")) {
                address(header.value());
            }
        }
        return new CpimMessage(headers, contentHeaders, Arrays.copyOfRange(body, position[0], body.length));
    }

    private static List<Header> readHeaders(byte[] body, int[] position, String block) throws CpimException {
        List<Header> headers = new ArrayList<>();
        while (true) {
            int end = lineEnd(body, position[0]);
            if (end < 0) {
                throw new CpimException("CPIM " + block + " headers are not ended by a blank line");
            }
            String line = new String(body, position[0], end - position[0], StandardCharsets.UTF_8);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            position[0] = end + 1;
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.substring(0, colon).isBlank() || line.substring(0, colon).contains(" ")) {
                throw new CpimException("malformed CPIM header line '" + abbreviate(line) + "'");
            }
            headers.add(new Header(line.substring(0, colon), line.substring(colon + 1).strip()));
        }
    }

    private static int lineEnd(byte[] body, int from) {
        for (int i = from; i < body.length; i++) {
            if (body[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The URI of a CPIM address ({@code "Name" <uri>} or {@code <uri>}). */
    public static String address(String value) throws CpimException {
        int open = value.indexOf('<');
        int close = value.lastIndexOf('>');
        if (open < 0 || close < open + 2) {
            throw new CpimException("CPIM address without <uri>: '" + abbreviate(value) + "'");
        }
        return value.substring(open + 1, close);
    }

    /** The first message header with this name (case-insensitive), or null. */
    public String header(String name) {
        return first(headers, name);
    }

    /** The first content header with this name, or null. */
    public String contentHeader(String name) {
        return first(contentHeaders, name);
    }

    /** The content's media type without parameters, lower case. */
    public String contentType() {
        String type = contentHeader("Content-Type");
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The value of a header of namespace {@code uri} (declared with {@code NS: prefix <uri>}) named
     * {@code localName}, e.g. {@code namespaced(IMDN_NAMESPACE, "Message-ID")}; null if absent.
     */
    public String namespaced(String uri, String localName) {
        for (Header ns : headers) {
            if (ns.name().equalsIgnoreCase("NS")) {
                String value = ns.value();
                int open = value.indexOf('<');
                if (open > 0 && value.endsWith(">") && value.substring(open + 1, value.length() - 1).equals(uri)) {
                    String found = header(value.substring(0, open).strip() + "." + localName);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    private static String first(List<Header> headers, String name) {
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                return header.value();
            }
        }
        return null;
    }

    /** The message in wire form, CRLF line ends. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder text = new StringBuilder();
        for (Header header : headers) {
            text.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        text.append("\r\n");
        for (Header header : contentHeaders) {
            text.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        text.append("\r\n");
        out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
