package org.sylkserver.webrtc.messaging;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One entry of an account's message journal (spec §4.8.4, §4.8.6 {@code chat_messages_by_timestamp}): a message the
 * account sent or received, or a journal entry about one (an IMDN, a removal, a conversation read or removed), which
 * sync replays in storage order.
 *
 * @param account     whose journal this is, {@code user@domain}
 * @param contact     the other party, {@code user@domain}
 * @param direction   {@code incoming}, {@code outgoing} or empty (spec §4.8.4)
 * @param messageId   unique within the account's journal
 * @param contentType e.g. {@code text/plain}, {@code message/imdn}
 * @param content     the content as text (bytes of non-text types as Latin-1, spec §4.8.1)
 * @param timestamp   the message's own time (CPIM DateTime or the client's timestamp)
 * @param createdAt   when the server stored it (its clock): the journal's order and what sync selects on
 * @param disposition the notifications still pending, e.g. {@code [positive-delivery, display]}
 * @param state       {@code pending}, {@code accepted}, {@code failed}, {@code received}, {@code delivered},
 *                    {@code displayed}, ...
 */
public record StoredMessage(String account, String contact, String direction, String messageId, String contentType,
                            String content, OffsetDateTime timestamp, Instant createdAt, List<String> disposition,
                            String state) {

    public static final String INCOMING = "incoming";
    public static final String OUTGOING = "outgoing";

    public StoredMessage {
        disposition = List.copyOf(disposition);
    }

    /** The same message in another state with other pending notifications. */
    public StoredMessage with(String newState, List<String> newDisposition) {
        return new StoredMessage(account, contact, direction, messageId, contentType, content, timestamp, createdAt,
                newDisposition, newState);
    }
}
