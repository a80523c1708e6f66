package org.sylkserver.echo;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.sylkserver.core.im.CpimException;
import org.sylkserver.core.im.CpimMessage;
import org.sylkserver.core.im.ImdnDocument;

/**
 * What the echo application answers to a SIP MESSAGE (spec §6.1), decided without the container:
 * 400 for a missing Content-Type, an empty body or bad CPIM; otherwise 200 and, for {@code text/plain} and
 * {@code text/html}, an IMDN {@code delivered} first when the sender asked for positive delivery
 * notifications (RFC 5438 §5.1), then the echo: {@code Echo:} and the original, plain text quoted line by line.
 *
 * @param status   the response to the MESSAGE
 * @param reason   its reason phrase
 * @param requests the MESSAGE bodies to send back to the sender, in order
 */
record EchoMessage(int status, String reason, List<Body> requests) {

    /** A body to send with its Content-Type. */
    record Body(String contentType, byte[] content) {
    }

    static EchoMessage reply(String contentType, byte[] body, String fromUri, String toUri) {
        if (contentType == null || contentType.isBlank()) {
            return reject("Missing Content-Type");
        }
        if (body == null || body.length == 0) {
            return reject("Empty body");
        }
        String type = mediaType(contentType);
        if (!type.equals(CpimMessage.CONTENT_TYPE)) {
            if (!isText(type)) {
                return new EchoMessage(200, "OK", List.of());
            }
            return new EchoMessage(200, "OK", List.of(new Body(contentType, echoText(type, body))));
        }
        CpimMessage cpim;
        try {
            cpim = CpimMessage.parse(body);
        } catch (CpimException e) {
            return reject("Invalid CPIM: " + e.getMessage());
        }
        List<Body> replies = new ArrayList<>();
        String innerType = cpim.contentType();
        if (!isText(innerType)) {
            return new EchoMessage(200, "OK", List.of());
        }
        String from = cpim.header("To") != null ? cpim.header("To") : "<" + toUri + ">";
        String to = cpim.header("From") != null ? cpim.header("From") : "<" + fromUri + ">";
        String disposition = cpim.namespaced(CpimMessage.IMDN_NAMESPACE, "Disposition-Notification");
        if (disposition != null && disposition.toLowerCase(Locale.ROOT).contains("positive-delivery")) {
            String messageId = cpim.namespaced(CpimMessage.IMDN_NAMESPACE, "Message-ID");
            String imdn = ImdnDocument.delivered(messageId != null ? messageId : randomId(), sentAt(cpim));
            replies.add(new Body(CpimMessage.CONTENT_TYPE, wrap(from, to, List.of(
                    new CpimMessage.Header("Content-Type", ImdnDocument.CONTENT_TYPE),
                    new CpimMessage.Header("Content-Disposition", "notification")),
                    imdn.getBytes(StandardCharsets.UTF_8)).toBytes()));
        }
        replies.add(new Body(CpimMessage.CONTENT_TYPE, wrap(from, to, List.of(
                new CpimMessage.Header("Content-Type", cpim.contentHeader("Content-Type"))),
                echoText(innerType, cpim.content())).toBytes()));
        return new EchoMessage(200, "OK", replies);
    }

    private static CpimMessage wrap(String from, String to, List<CpimMessage.Header> contentHeaders, byte[] content) {
        return new CpimMessage(List.of(
                new CpimMessage.Header("From", from),
                new CpimMessage.Header("To", to),
                new CpimMessage.Header("DateTime", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS))),
                new CpimMessage.Header("NS", "imdn <" + CpimMessage.IMDN_NAMESPACE + ">"),
                new CpimMessage.Header("imdn.Message-ID", randomId())), contentHeaders, content);
    }

    /** {@code Echo:} and the original; plain text gets every line (CR, LF or CRLF ended) quoted with {@code >> }. */
    static byte[] echoText(String type, byte[] original) {
        String text = new String(original, StandardCharsets.UTF_8);
        if (type.equals("text/plain")) {
            StringBuilder quoted = new StringBuilder();
            for (String line : text.split("\r\n|\r|\n", -1)) {
                if (quoted.length() > 0) {
                    quoted.append('\n');
                }
                quoted.append(">> ").append(line);
            }
            text = quoted.toString();
        }
        return ("Echo:\n" + text).getBytes(StandardCharsets.UTF_8);
    }

    private static OffsetDateTime sentAt(CpimMessage cpim) {
        String dateTime = cpim.header("DateTime");
        if (dateTime != null) {
            try {
                return OffsetDateTime.parse(dateTime.strip());
            } catch (DateTimeParseException e) {
                // fall back to now
            }
        }
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static boolean isText(String type) {
        return type.equals("text/plain") || type.equals("text/html");
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static String randomId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static EchoMessage reject(String reason) {
        return new EchoMessage(400, reason, List.of());
    }
}
