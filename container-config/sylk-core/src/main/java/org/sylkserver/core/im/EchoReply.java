package org.sylkserver.core.im;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.imdn.ImdnDocument;
import org.sylkserver.protocols.mime.ContentType;

/**
 * What the echo application does with a SIP MESSAGE (spec §6.1), decided without the container.
 * <p>
 * Rejected with 400 when the Content-Type is missing, the body is empty, the {@code message/cpim} body does not
 * parse, or a text payload cannot be decoded with its charset. Otherwise accepted with 200, and for a
 * {@code text/plain} or {@code text/html} payload:
 * <ol>
 * <li>when the CPIM {@code imdn.Disposition-Notification} contains {@code positive-delivery}, an IMDN
 * {@code delivered} (RFC 5438) about the CPIM {@code imdn.Message-ID} (a random id when there is none), dated
 * with the original {@code DateTime} (now when there is none), in its own CPIM wrapper;</li>
 * <li>the echo: {@code Echo:\n} followed by the original text. Plain text is quoted line by line: CRLF becomes
 * LF, a lone CR is dropped (as the reference server does), and every line, the last and empty ones included, is
 * prefixed with {@code ">> "}. HTML is appended unchanged. The echo keeps the payload's Content-Type and charset;
 * when the request was CPIM it is wrapped in CPIM again with From and To swapped and a new
 * {@code imdn.Message-ID}, otherwise it is sent bare.</li>
 * </ol>
 * Other payload types are accepted and not answered. The caller sends the {@link #outgoing()} bodies in order as
 * new MESSAGEs from the original recipient to the original sender.
 */
public final class EchoReply {

    private static final String ECHO_PREFIX = "Echo:\n";
    private static final String QUOTE = ">> ";

    private final int status;
    private final String reason;
    private final MessageBody deliveryNotification;
    private final MessageBody echo;

    private EchoReply(int status, String reason, MessageBody deliveryNotification, MessageBody echo) {
        this.status = status;
        this.reason = reason;
        this.deliveryNotification = deliveryNotification;
        this.echo = echo;
    }

    /**
     * Decides the answer to one MESSAGE.
     *
     * @param contentType  the MESSAGE's Content-Type header value, null when absent
     * @param body         the MESSAGE body, null or empty when absent
     * @param senderUri    the URI of the MESSAGE's From (not null); stands in for a missing CPIM From
     * @param recipientUri the URI of the MESSAGE's To (not null); stands in for a missing CPIM To
     */
    public static EchoReply to(String contentType, byte[] body, String senderUri, String recipientUri) {
        if (contentType == null || contentType.isBlank()) {
            return reject("Missing Content-Type");
        }
        if (body == null || body.length == 0) {
            return reject("Empty body");
        }
        ContentType type = ContentType.parse(contentType);
        if (!type.mediaType().equals(CpimMessage.CONTENT_TYPE)) {
            if (!isText(type)) {
                return accept(null, null);
            }
            Optional<Charset> charset = usableCharset(type);
            if (charset.isEmpty()) {
                return unsupportedCharset(type);
            }
            Optional<byte[]> echoed = echo(type, body, charset.get());
            return echoed.isEmpty() ? notDecodable(charset.get())
                    : accept(null, new MessageBody(contentType, echoed.get()));
        }
        CpimMessage request;
        try {
            request = CpimMessage.parse(body);
        } catch (CpimException e) {
            return reject("Invalid CPIM: " + e.getMessage());
        }
        String payloadType = request.contentHeader("Content-Type");
        ContentType payload = ContentType.parse(payloadType);
        if (!isText(payload)) {
            return accept(null, null);
        }
        Optional<Charset> charset = usableCharset(payload);
        if (charset.isEmpty()) {
            return unsupportedCharset(payload);
        }
        Optional<byte[]> echoed = echo(payload, request.content(), charset.get());
        if (echoed.isEmpty()) {
            return notDecodable(charset.get());
        }
        // the reply goes from the original recipient back to the original sender
        CpimMessage.Address from = request.to().stream().findFirst().orElseGet(() -> CpimMessage.Address.of(recipientUri));
        CpimMessage.Address to = request.from().orElseGet(() -> CpimMessage.Address.of(senderUri));
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
        MessageBody notification = null;
        if (request.dispositionNotification().contains("positive-delivery")) {
            ImdnDocument delivered = ImdnDocument.delivered(request.imdnMessageId().orElseGet(EchoReply::randomId),
                    request.dateTime().orElse(now), from.uri());
            notification = cpimBody(delivered.toCpim(from, to, randomId(), now));
        }
        CpimMessage reply = CpimMessage.builder()
                .from(from)
                .to(to)
                .dateTime(now)
                .namespace("imdn", CpimMessage.IMDN_NAMESPACE)
                .header("imdn.Message-ID", randomId())
                .contentHeader("Content-Type", payloadType)
                .content(echoed.get())
                .build();
        return accept(notification, cpimBody(reply));
    }

    /** The echo text in the payload's charset, empty when the payload is not valid in that charset. */
    private static Optional<byte[]> echo(ContentType type, byte[] original, Charset charset) {
        String text;
        try {
            text = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(original)).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        return Optional.of(echoText(type.mediaType(), text).getBytes(charset));
    }

    /** {@code Echo:\n} and the original; plain text quoted line by line (see the class comment). */
    static String echoText(String mediaType, String original) {
        if (!mediaType.equals("text/plain")) {
            return ECHO_PREFIX + original;
        }
        StringBuilder echo = new StringBuilder(ECHO_PREFIX);
        String[] lines = original.replace("\r\n", "\n").replace("\r", "").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            echo.append(i == 0 ? "" : "\n").append(QUOTE).append(lines[i]);
        }
        return echo.toString();
    }

    private static boolean isText(ContentType type) {
        return type.mediaType().equals("text/plain") || type.mediaType().equals("text/html");
    }

    /** The payload's charset if the JVM can both read and write it (the echo is written in it). */
    private static Optional<Charset> usableCharset(ContentType type) {
        return type.textCharset().filter(Charset::canEncode);
    }

    private static MessageBody cpimBody(CpimMessage message) {
        return new MessageBody(CpimMessage.CONTENT_TYPE, message.toBytes());
    }

    private static String randomId() {
        return UUID.randomUUID().toString();
    }

    private static EchoReply reject(String reason) {
        return new EchoReply(400, reason, null, null);
    }

    private static EchoReply unsupportedCharset(ContentType type) {
        return reject("Unsupported charset " + CpimMessage.printable(type.charset()));
    }

    private static EchoReply notDecodable(Charset charset) {
        return reject("Body is not valid " + charset.name());
    }

    private static EchoReply accept(MessageBody deliveryNotification, MessageBody echo) {
        return new EchoReply(200, "OK", deliveryNotification, echo);
    }

    /** The final response code to the MESSAGE: 200 or 400. */
    public int status() {
        return status;
    }

    /** The reason phrase for {@link #status()}; says what is wrong for a 400. */
    public String reason() {
        return reason;
    }

    /** Whether the MESSAGE is answered 200. */
    public boolean accepted() {
        return status == 200;
    }

    /** The IMDN {@code delivered} to send before the echo, as a {@code message/cpim} body. */
    public Optional<MessageBody> deliveryNotification() {
        return Optional.ofNullable(deliveryNotification);
    }

    /** The echo to send back. */
    public Optional<MessageBody> echo() {
        return Optional.ofNullable(echo);
    }

    /** The MESSAGE bodies to send back, in sending order: the delivery notification first, then the echo. */
    public List<MessageBody> outgoing() {
        List<MessageBody> bodies = new ArrayList<>(2);
        deliveryNotification().ifPresent(bodies::add);
        echo().ifPresent(bodies::add);
        return List.copyOf(bodies);
    }

    @Override
    public String toString() {
        return "EchoReply[" + status + " " + reason + ", " + outgoing().size() + " to send]";
    }
}
