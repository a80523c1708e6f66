package org.sylkserver.protocols.cpim;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.sylkserver.protocols.mime.ContentType;

/**
 * A {@code message/cpim} message (RFC 3862 §2): message headers, a blank line, the MIME headers of the
 * encapsulated content, a blank line and the content bytes.
 * <p>
 * Message header values are kept in wire form ({@link Header#value()}, RFC 3862 §2.3 escapes included) so that a
 * parsed message is written back byte for byte; {@link #header(String)} and {@link Header#text()} give the decoded
 * text. Header names are looked up case-insensitively although RFC 3862 §3.1 makes them case-sensitive, because
 * clients are not consistent about {@code cc} and {@code Content-type}. Namespaced headers such as
 * {@code imdn.Message-ID} are found through their {@code NS} declaration (§3.4), never by a fixed prefix.
 *
 * @param headers        message headers in order (From, To, DateTime, NS, imdn.Message-ID, ...)
 * @param contentHeaders MIME headers of the content (Content-Type, Content-ID, ...)
 * @param content        the content bytes
 */
public record CpimMessage(List<Header> headers, List<Header> contentHeaders, byte[] content) {

    /** The media type of CPIM. */
    public static final String CONTENT_TYPE = "message/cpim";
    /** The namespace of the RFC 5438 (IMDN) headers. */
    public static final String IMDN_NAMESPACE = "urn:ietf:params:imdn";
    /**
     * AG Projects' namespace, whose {@code Message-Type: status} marks a conference room's own notices (joins, leaves)
     * so that clients show them as such (spec §3.4, §4.6.8).
     */
    public static final String AGP_NAMESPACE = "urn:ag-projects:xml:ns:cpim";

    /** RFC 3339 as used by the DateTime header (RFC 3862 §4.4); the letters T and Z may be lower case. */
    private static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive().append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter(Locale.ROOT);

    /**
     * One header line, {@code Name:;params value}.
     *
     * @param name       the header name, with its namespace prefix if any ({@code imdn.Message-ID})
     * @param parameters the RFC 3862 §3.6 parameters in wire form, e.g. {@code ;lang=fr}, or empty
     * @param value      the value in wire form (CPIM escapes not decoded)
     */
    public record Header(String name, String parameters, String value) {

        public Header {
            if (!isWireName(name)) {
                throw new IllegalArgumentException("invalid header name '" + printable(name) + "'");
            }
            if (!parameters.isEmpty() && (!parameters.startsWith(";") || hasLineBreak(parameters))) {
                throw new IllegalArgumentException("invalid header parameters '" + printable(parameters) + "'");
            }
            if (hasLineBreak(value)) {
                throw new IllegalArgumentException("header value of " + name + " contains a line break");
            }
        }

        private static boolean isWireName(String name) {
            if (name.isEmpty()) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= ' ' || c == ':' || c == 0x7f) {
                    return false;
                }
            }
            return true;
        }

        /** A header without parameters; {@code value} is in wire form. */
        public Header(String name, String value) {
            this(name, "", value);
        }

        /** A message header carrying {@code text}, escaped as RFC 3862 §2.3 requires. */
        public static Header of(String name, String text) {
            return new Header(name, "", escape(text, false));
        }

        /** The value with RFC 3862 §2.3 escapes decoded; a malformed escape is kept as written. */
        public String text() {
            return unescape(value);
        }

        private static boolean hasLineBreak(String text) {
            return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0;
        }
    }

    /**
     * A CPIM address (RFC 3862 §4.1): {@code "Display Name" <uri>} or {@code <uri>}.
     *
     * @param displayName the decoded display name, empty when there is none
     * @param uri         the URI between the angle brackets
     */
    public record Address(String displayName, String uri) {

        public Address {
            displayName = displayName == null ? "" : displayName;
            if (uri == null || !isAddressUri(uri)) {
                throw new IllegalArgumentException("invalid CPIM address URI '" + printable(String.valueOf(uri)) + "'");
            }
        }

        private static boolean isAddressUri(String uri) {
            if (uri.isEmpty()) {
                return false;
            }
            for (int i = 0; i < uri.length(); i++) {
                char c = uri.charAt(i);
                if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == 0x7f) {
                    return false;
                }
            }
            return true;
        }

        /** An address without display name. */
        public static Address of(String uri) {
            return new Address("", uri);
        }

        /** Parses a From, To or cc value in wire form. */
        public static Address parse(String value) throws CpimException {
            String text = value.strip();
            int open = text.lastIndexOf('<');
            if (open < 0 || !text.endsWith(">")) {
                throw new CpimException("CPIM address is not of the form [name] <uri>: '" + printable(value) + "'");
            }
            String uri = text.substring(open + 1, text.length() - 1).strip();
            if (!isAddressUri(uri)) {
                throw new CpimException("CPIM address has an empty or malformed URI: '" + printable(value) + "'");
            }
            String name = text.substring(0, open).strip();
            if (name.startsWith("\"")) {
                if (name.length() < 2 || !name.endsWith("\"") || name.endsWith("\\\"") && !name.endsWith("\\\\\"")) {
                    throw new CpimException("CPIM address has an unterminated quoted display name: '" + printable(value) + "'");
                }
                name = name.substring(1, name.length() - 1);
            }
            checkEscapes(name);
            return new Address(unescape(name), uri);
        }

        /** The wire form: {@code "name" <uri>}, or {@code <uri>} without display name. */
        public String toHeaderValue() {
            return displayName.isEmpty() ? "<" + uri + ">" : "\"" + escape(displayName, true) + "\" <" + uri + ">";
        }
    }

    /** @throws IllegalArgumentException when a header is malformed or the Content-Type is missing */
    public CpimMessage {
        // what the builder made from typed values is valid by construction and is not parsed back
        List<Header> unchecked = headers instanceof BuiltHeaders built ? built.unchecked : headers;
        headers = List.copyOf(headers);
        contentHeaders = List.copyOf(contentHeaders);
        content = content.clone();
        try {
            check(unchecked, contentHeaders);
        } catch (CpimException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** Starts a new message. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses a CPIM body. Lines may end in CRLF or, leniently, in a bare LF. Besides the structure, the From, To
     * and cc addresses, DateTime, NS declarations and escapes of message header values are checked here, so a
     * parsed message answers every accessor without further errors.
     *
     * @throws CpimException naming what is wrong
     */
    public static CpimMessage parse(byte[] body) throws CpimException {
        if (body == null || body.length == 0) {
            throw new CpimException("empty CPIM message");
        }
        int[] position = {0};
        List<Header> headers = new ArrayList<>();
        for (String line : readBlock(body, position, "message")) {
            headers.add(messageHeader(line));
        }
        List<Header> contentHeaders = contentHeaders(readBlock(body, position, "content"));
        try {
            // the constructor runs check() (it used to run here as well, twice a message)
            return new CpimMessage(headers, contentHeaders, Arrays.copyOfRange(body, position[0], body.length));
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof CpimException failure) {
                throw failure;
            }
            throw e;
        }
    }

    /** The lines of one header block up to (without) the blank line ending it. */
    private static List<String> readBlock(byte[] body, int[] position, String block) throws CpimException {
        List<String> lines = new ArrayList<>();
        while (true) {
            int end = position[0];
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            if (end == body.length) {
                throw new CpimException("CPIM " + block + " headers are not ended by a blank line");
            }
            int length = end - position[0];
            if (length > 0 && body[end - 1] == '\r') {
                length--;
            }
            String line = utf8(body, position[0], length, block);
            position[0] = end + 1;
            if (line.isEmpty()) {
                return lines;
            }
            lines.add(line);
        }
    }

    private static String utf8(byte[] body, int offset, int length, String block) throws CpimException {
        boolean ascii = true;
        for (int i = offset; i < offset + length && ascii; i++) {
            ascii = body[i] >= 0;
        }
        if (ascii) {
            // most header lines are ASCII, which needs neither a decoder nor its checks
            return new String(body, offset, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new CpimException("CPIM " + block + " header line is not UTF-8");
        }
    }

    /** {@code Header = Header-name ":" *( ";" Parameter ) SP Header-value} (RFC 3862 §3.6); no continuation lines. */
    private static Header messageHeader(String line) throws CpimException {
        if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
            throw new CpimException("CPIM message headers cannot be folded: '" + printable(line) + "'");
        }
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new CpimException("CPIM header line without colon: '" + printable(line) + "'");
        }
        String name = line.substring(0, colon);
        if (!isHeaderName(name)) {
            throw new CpimException("malformed CPIM header name '" + printable(name) + "'");
        }
        String rest = line.substring(colon + 1);
        // RFC 3862 §3.1: no control characters in a header line, parameters included (a lone CR is one)
        if (hasControl(rest, true)) {
            throw new CpimException("CPIM header " + name + " contains a control character");
        }
        String parameters = "";
        if (rest.startsWith(";")) {
            int end = parametersEnd(rest);
            parameters = rest.substring(0, end);
            rest = rest.substring(end);
        }
        return new Header(name, parameters, rest.strip());
    }

    /** Parameters run to the first space outside a quoted string. */
    private static int parametersEnd(String rest) {
        boolean quoted = false;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '"' && (i == 0 || rest.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                return i;
            }
        }
        return rest.length();
    }

    /** {@code [ Name-prefix "." ] Name} with the NAMECHAR set of RFC 3862 §3.6. */
    private static boolean isHeaderName(String name) {
        int dot = name.indexOf('.');
        if (dot >= 0) {
            return isName(name.substring(0, dot)) && isName(name.substring(dot + 1));
        }
        return isName(name);
    }

    private static boolean isName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == 0x21
                    || c >= 0x23 && c <= 0x27 || c == 0x2a || c == 0x2b || c == 0x2d || c >= 0x5e && c <= 0x60
                    || c == 0x7c || c == 0x7e)) {
                return false;
            }
        }
        return true;
    }

    /** What every message must satisfy beyond its line structure, so that the accessors cannot fail. */
    private static void check(List<Header> headers, List<Header> contentHeaders) throws CpimException {
        for (Header header : headers) {
            checkValue(header);
        }
        String contentType = first(contentHeaders, "Content-Type");
        if (contentType == null || contentType.isBlank()) {
            throw new CpimException("CPIM content has no Content-Type header");
        }
        if (!ContentType.parse(contentType).hasMediaType()) {
            throw new CpimException("CPIM Content-Type '" + printable(contentType) + "' is not a type/subtype");
        }
    }

    private static void checkValue(Header header) throws CpimException {
        checkEscapes(header.value());
        switch (header.name().toLowerCase(Locale.ROOT)) {
            case "from", "to", "cc" -> {
                try {
                    Address.parse(header.value());
                } catch (CpimException e) {
                    throw new CpimException("bad CPIM " + header.name() + " header: " + e.getMessage());
                }
            }
            case "datetime" -> parseDateTime(header.text());
            case "ns" -> {
                if (nsDeclaration(header.text()) == null) {
                    throw new CpimException("bad CPIM NS header, expected [prefix] <uri>: '" + printable(header.value()) + "'");
                }
            }
            default -> {
            }
        }
    }

    /** MIME headers (RFC 5322 §2.2): continuation lines are unfolded, names are any printable ASCII but colon. */
    private static List<Header> contentHeaders(List<String> lines) throws CpimException {
        List<String[]> fields = new ArrayList<>();
        for (String line : lines) {
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (fields.isEmpty()) {
                    throw new CpimException("CPIM content headers start with a continuation line");
                }
                String[] last = fields.get(fields.size() - 1);
                last[1] = last[1] + " " + line.strip();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new CpimException("CPIM content header line without colon: '" + printable(line) + "'");
            }
            String name = line.substring(0, colon);
            if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw new CpimException("malformed CPIM content header name '" + printable(name) + "'");
            }
            fields.add(new String[] {name, line.substring(colon + 1).strip()});
        }
        List<Header> headers = new ArrayList<>();
        for (String[] field : fields) {
            if (hasControl(field[1], true)) {
                throw new CpimException("CPIM content header " + field[0] + " contains a control character");
            }
            headers.add(new Header(field[0], field[1]));
        }
        return headers;
    }

    private static boolean hasControl(String text, boolean tabAllowed) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && !(tabAllowed && c == '\t') || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** The URI of a CPIM address ({@code "Name" <uri>} or {@code <uri>}). */
    public static String address(String value) throws CpimException {
        return Address.parse(value).uri();
    }

    /** The decoded text of the first message header with this name (case-insensitive), or null. */
    public String header(String name) {
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                return header.text();
            }
        }
        return null;
    }

    /** The decoded texts of all message headers with this name, in order (To and cc may repeat). */
    public List<String> headerValues(String name) {
        return headers.stream().filter(header -> header.name().equalsIgnoreCase(name)).map(Header::text).toList();
    }

    /** The sender (From header), if present. */
    public Optional<Address> from() {
        return addresses("From").stream().findFirst();
    }

    /** The recipients (To headers). */
    public List<Address> to() {
        return addresses("To");
    }

    /** The courtesy recipients (cc headers). */
    public List<Address> cc() {
        return addresses("cc");
    }

    private List<Address> addresses(String name) {
        List<Address> addresses = new ArrayList<>();
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                try {
                    addresses.add(Address.parse(header.value()));
                } catch (CpimException e) {
                    throw new IllegalStateException("the constructor checked the address", e);
                }
            }
        }
        return addresses;
    }

    /** The DateTime header (RFC 3862 §4.4), if present. */
    public Optional<OffsetDateTime> dateTime() {
        String value = header("DateTime");
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(parseDateTime(value));
        } catch (CpimException e) {
            throw new IllegalStateException("the constructor checked DateTime", e);
        }
    }

    /** Parses an RFC 3339 date-time as used by CPIM DateTime and the IMDN datetime element. */
    public static OffsetDateTime parseDateTime(String value) throws CpimException {
        String text = value.strip();
        try {
            OffsetDateTime usual = usualDateTime(text);
            if (usual != null) {
                return usual;
            }
            return OffsetDateTime.parse(text, RFC_3339);
        } catch (DateTimeException e) {
            throw new CpimException("DateTime is not an RFC 3339 date-time: '" + printable(value) + "'");
        }
    }

    /**
     * The form every client sends, {@code YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)} (RFC 3339 §5.6 with a
     * four-digit year and at most nine fraction digits), read without the {@link DateTimeFormatter}, which took
     * several microseconds a message; null for any other text, which the formatter then judges. Out-of-range fields
     * (month 13, February 30, hour 24) throw {@link DateTimeException}, as the formatter's strict resolver does.
     * Public for readers of stored times that want the same speed (the message store's journal).
     */
    public static OffsetDateTime usualDateTime(String text) {
        int length = text.length();
        if (length < 20 || !digits(text, 0, 4) || text.charAt(4) != '-' || !digits(text, 5, 2) || text.charAt(7) != '-'
                || !digits(text, 8, 2) || (text.charAt(10) != 'T' && text.charAt(10) != 't') || !digits(text, 11, 2)
                || text.charAt(13) != ':' || !digits(text, 14, 2) || text.charAt(16) != ':' || !digits(text, 17, 2)) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (text.charAt(i) == '.') {
            int start = ++i;
            while (i < length && i - start < 10 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                i++;
            }
            int count = i - start;
            if (count == 0 || count > 9) {
                return null;
            }
            nanos = Integer.parseInt(text, start, i, 10);
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset;
        if (i == length - 1 && (text.charAt(i) == 'Z' || text.charAt(i) == 'z')) {
            offset = ZoneOffset.UTC;
        } else if (i == length - 6 && (text.charAt(i) == '+' || text.charAt(i) == '-') && digits(text, i + 1, 2)
                && text.charAt(i + 3) == ':' && digits(text, i + 4, 2)) {
            int hours = Integer.parseInt(text, i + 1, i + 3, 10);
            int minutes = Integer.parseInt(text, i + 4, i + 6, 10);
            offset = text.charAt(i) == '+' ? ZoneOffset.ofHoursMinutes(hours, minutes)
                    : ZoneOffset.ofHoursMinutes(-hours, -minutes);
        } else {
            return null;
        }
        return OffsetDateTime.of(Integer.parseInt(text, 0, 4, 10), Integer.parseInt(text, 5, 7, 10),
                Integer.parseInt(text, 8, 10, 10), Integer.parseInt(text, 11, 13, 10), Integer.parseInt(text, 14, 16, 10),
                Integer.parseInt(text, 17, 19, 10), nanos, offset);
    }

    private static boolean digits(String text, int from, int count) {
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Formats a date-time the way CPIM DateTime and the IMDN datetime element carry it. */
    public static String formatDateTime(OffsetDateTime dateTime) {
        String usual = usualDateTimeText(dateTime, 9, "Z");
        return usual != null ? usual : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(dateTime);
    }

    /**
     * An RFC 3339 §5.6 date-time for years 0000-9999 and offsets in whole minutes, written without a
     * {@link DateTimeFormatter} (a third of building an outgoing MESSAGE's CPIM in JFR, session 17; a sync formats
     * thousands): seconds always, the fraction cut to {@code fractionDigits} and without its trailing zeros, UTC as
     * {@code utc}; what {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes with 9 and {@code Z}. Null for other
     * date-times, which the caller's formatter writes.
     */
    public static String usualDateTimeText(OffsetDateTime dateTime, int fractionDigits, String utc) {
        int year = dateTime.getYear();
        int offset = dateTime.getOffset().getTotalSeconds();
        if (year < 0 || year > 9999 || offset % 60 != 0) {
            return null;
        }
        StringBuilder text = new StringBuilder(35);
        padded(text, year, 4).append('-');
        padded(text, dateTime.getMonthValue(), 2).append('-');
        padded(text, dateTime.getDayOfMonth(), 2).append('T');
        padded(text, dateTime.getHour(), 2).append(':');
        padded(text, dateTime.getMinute(), 2).append(':');
        padded(text, dateTime.getSecond(), 2);
        int fraction = dateTime.getNano();
        for (int i = fractionDigits; i < 9; i++) {
            fraction /= 10;
        }
        if (fraction != 0) {
            int width = fractionDigits;
            while (fraction % 10 == 0) {
                fraction /= 10;
                width--;
            }
            padded(text.append('.'), fraction, width);
        }
        if (offset == 0) {
            return text.append(utc).toString();
        }
        int minutes = Math.abs(offset) / 60;
        padded(text.append(offset < 0 ? '-' : '+'), minutes / 60, 2).append(':');
        return padded(text, minutes % 60, 2).toString();
    }

    /** Appends {@code value} with leading zeros to {@code width} digits. */
    private static StringBuilder padded(StringBuilder text, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(digits);
    }

    /** The first MIME content header with this name (case-insensitive), or null. */
    public String contentHeader(String name) {
        return first(contentHeaders, name);
    }

    /** The content's media type without parameters, lower case. */
    public String contentType() {
        return ContentType.parse(contentHeader("Content-Type")).mediaType();
    }

    /**
     * The decoded text of the header named {@code localName} in the namespace {@code uri}, e.g.
     * {@code namespaced(IMDN_NAMESPACE, "Message-ID")}; null if absent. An {@code NS} declaration applies to the
     * headers after it (RFC 3862 §3.4); {@code NS: <uri>} without prefix makes {@code uri} the namespace of
     * unprefixed names.
     */
    public String namespaced(String uri, String localName) {
        Map<String, String> declared = new HashMap<>();
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase("NS")) {
                String[] declaration = nsDeclaration(header.text());
                if (declaration != null) {
                    declared.put(declaration[0], declaration[1]);
                }
                continue;
            }
            int dot = header.name().indexOf('.');
            String prefix = dot < 0 ? "" : header.name().substring(0, dot);
            if (uri.equals(declared.get(prefix)) && header.name().substring(dot + 1).equalsIgnoreCase(localName)) {
                return header.text();
            }
        }
        return null;
    }

    /**
     * An NS value, {@code [prefix SP] <uri>} (RFC 3862 §3.4, §4.5; the prefix and the URI without white space or
     * angle brackets), as {prefix or "", uri}; null when malformed.
     */
    private static String[] nsDeclaration(String text) {
        int open = text.indexOf('<');
        if (open < 0 || !text.endsWith(">") || !isNsPart(text, open + 1, text.length() - 1)) {
            return null;
        }
        if (open == 0) {
            return new String[] {"", text.substring(1, text.length() - 1)};
        }
        int prefixEnd = open;
        while (prefixEnd > 0 && isRegexSpace(text.charAt(prefixEnd - 1))) {
            prefixEnd--;
        }
        if (prefixEnd == open || prefixEnd == 0 || !isNsPart(text, 0, prefixEnd)) {
            return null;
        }
        return new String[] {text.substring(0, prefixEnd), text.substring(open + 1, text.length() - 1)};
    }

    /** Whether {@code text[from, to)} is not empty and has neither white space nor angle brackets. */
    private static boolean isNsPart(String text, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '<' || c == '>' || isRegexSpace(c)) {
                return false;
            }
        }
        return true;
    }

    /** White space as the NS grammar's earlier regular expression had it ({@code \\s}: space, tab, LF, VT, FF, CR). */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    /** Whether the message is a conference room's notice: {@code Message-Type: status} in {@link #AGP_NAMESPACE}. */
    public boolean isStatus() {
        return "status".equalsIgnoreCase(namespaced(AGP_NAMESPACE, "Message-Type"));
    }

    /** The IMDN message id ({@code imdn.Message-ID}, RFC 5438 §6.3), if present. */
    public Optional<String> imdnMessageId() {
        return Optional.ofNullable(namespaced(IMDN_NAMESPACE, "Message-ID")).filter(id -> !id.isBlank());
    }

    /**
     * The notifications requested with {@code imdn.Disposition-Notification} (RFC 5438 §6.2), lower case, e.g.
     * {@code [positive-delivery, display]}; empty when none are requested.
     */
    public Set<String> dispositionNotification() {
        Set<String> requested = new LinkedHashSet<>();
        String value = namespaced(IMDN_NAMESPACE, "Disposition-Notification");
        if (value != null) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) {
                    requested.add(token.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        return requested;
    }

    private static String first(List<Header> headers, String name) {
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                return header.value();
            }
        }
        return null;
    }

    /** The message in wire form with CRLF line ends. */
    public byte[] toBytes() {
        StringBuilder text = new StringBuilder();
        for (Header header : headers) {
            text.append(header.name()).append(':').append(header.parameters()).append(' ').append(header.value()).append("\r\n");
        }
        text.append("\r\n");
        for (Header header : contentHeaders) {
            text.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        text.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** Decodes RFC 3862 §2.3 escapes; a malformed escape is kept as written. */
    static String unescape(String value) {
        if (value.indexOf('\\') < 0) {
            return value;
        }
        StringBuilder text = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            int length = escapeLength(value, i);
            if (length == 0) {
                text.append(value.charAt(i++));
                continue;
            }
            char kind = value.charAt(i + 1);
            text.append(switch (kind) {
                case 'b' -> '\b';
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 'u' -> (char) Integer.parseInt(value.substring(i + 2, i + 6), 16);
                default -> kind;
            });
            i += length;
        }
        return text.toString();
    }

    /** Rejects a backslash that does not start an RFC 3862 §2.3 escape. */
    static void checkEscapes(String value) throws CpimException {
        for (int i = value.indexOf('\\'); i >= 0; i = value.indexOf('\\', i)) {
            int length = escapeLength(value, i);
            if (length == 0) {
                throw new CpimException("bad escape in CPIM header value '" + printable(value) + "'");
            }
            i += length;
        }
    }

    /**
     * The length of the escape at {@code i}, 0 if there is none. An escape is a backslash followed by a backslash,
     * a double or single quote, one of b t n r, or u and four hex digits.
     */
    private static int escapeLength(String value, int i) {
        if (value.charAt(i) != '\\' || i + 1 >= value.length()) {
            return 0;
        }
        return switch (value.charAt(i + 1)) {
            case '\\', '"', '\'', 'b', 't', 'n', 'r' -> 2;
            case 'u' -> i + 6 <= value.length() && value.substring(i + 2, i + 6).matches("[0-9A-Fa-f]{4}") ? 6 : 0;
            default -> 0;
        };
    }

    /** Escapes backslashes and control characters (and double quotes inside a quoted string) per RFC 3862 §2.3. */
    static String escape(String text, boolean quoted) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || quoted && c == '"') {
                escaped.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                escaped.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** Input quoted in an error message: control characters masked (the text may end up in a SIP reason phrase). */
    public static String printable(String text) {
        String masked = text.chars().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return masked.length() > 60 ? masked.substring(0, 60) + "..." : masked;
    }

    /**
     * Assembles a message header by header; values given as text are escaped, addresses and dates formatted.
     * Headers are written in the order they are added.
     */
    public static final class Builder {

        private final List<Header> headers = new ArrayList<>();
        /** The headers that the message's constructor still checks: all but {@link #valid} ones. */
        private final List<Header> unchecked = new ArrayList<>();
        private final List<Header> contentHeaders = new ArrayList<>();
        private byte[] content = new byte[0];

        private Builder() {
        }

        /**
         * A header written from a typed value that the check would only parse back: an {@link Address} (its URI
         * checked when it was made, its display name escaped) or a date-time in the usual form. Parsing them back
         * was most of building an outgoing message's CPIM (issue 14, session 22's profile: 3.6 % of an
         * {@code account-message}'s samples).
         */
        private Builder valid(Header header) {
            headers.add(header);
            return this;
        }

        private Builder checked(Header header) {
            headers.add(header);
            unchecked.add(header);
            return this;
        }

        /** Adds {@code From}. */
        public Builder from(Address sender) {
            return valid(new Header("From", sender.toHeaderValue()));
        }

        /** Adds a {@code To}. */
        public Builder to(Address recipient) {
            return valid(new Header("To", recipient.toHeaderValue()));
        }

        /** Adds {@code DateTime}. */
        public Builder dateTime(OffsetDateTime dateTime) {
            String usual = usualDateTimeText(dateTime, 9, "Z");
            return usual != null ? valid(new Header("DateTime", usual))
                    : checked(new Header("DateTime", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(dateTime)));
        }

        /** Declares {@code NS: prefix <uri>} for the headers added after it. */
        public Builder namespace(String prefix, String uri) {
            return checked(new Header("NS", prefix + " <" + uri + ">"));
        }

        /** Adds a message header carrying {@code text} (escaped as needed). */
        public Builder header(String name, String text) {
            return checked(Header.of(name, text));
        }

        /** Adds a MIME content header, e.g. {@code Content-Type} or {@code Content-Disposition}. */
        public Builder contentHeader(String name, String value) {
            contentHeaders.add(new Header(name, value));
            return this;
        }

        /** Sets the content bytes. */
        public Builder content(byte[] bytes) {
            content = bytes.clone();
            return this;
        }

        /** The message; it must have a Content-Type (RFC 3862 §2.4). */
        public CpimMessage build() {
            if (first(contentHeaders, "Content-Type") == null) {
                throw new IllegalStateException("a CPIM message needs a Content-Type content header");
            }
            return new CpimMessage(new BuiltHeaders(headers, unchecked), contentHeaders, content);
        }
    }

    /**
     * A builder's headers in order, with those its typed methods did not write ({@code unchecked}): only the
     * constructor looks inside, and only a builder makes one.
     */
    private static final class BuiltHeaders extends AbstractList<Header> {

        private final List<Header> all;
        private final List<Header> unchecked;

        BuiltHeaders(List<Header> all, List<Header> unchecked) {
            this.all = all;
            this.unchecked = unchecked;
        }

        @Override
        public Header get(int index) {
            return all.get(index);
        }

        @Override
        public int size() {
            return all.size();
        }
    }
}
