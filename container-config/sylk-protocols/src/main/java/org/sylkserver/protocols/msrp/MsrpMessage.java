package org.sylkserver.protocols.msrp;

import java.util.List;
import java.util.Optional;

/**
 * One MSRP request or response (RFC 4975 §9 {@code msrp-req-or-resp}) as it travels on a connection: start
 * line, To-Path and From-Path, further headers in their order, for requests an optional body, and the end-line
 * with its continuation flag. Both kinds carry To-Path and From-Path (§7.1, §7.2); only requests carry a body.
 *
 * <p>Instances are immutable and already validated; {@link #toBytes()} writes the RFC 4975 wire format and
 * {@link MsrpParser} reads it back.
 */
public sealed interface MsrpMessage permits MsrpRequest, MsrpResponse {

    /** The transaction identifier of the start line, repeated in the end-line (RFC 4975 §7.1). */
    String transactionId();

    /** The To-Path URIs, first the next hop, last the destination (RFC 4975 §5.2). */
    List<MsrpUri> toPath();

    /** The From-Path URIs, first the sender's side of the last hop, last the originator (RFC 4975 §5.2). */
    List<MsrpUri> fromPath();

    /** The headers after To-Path and From-Path, in order, Content-Type among them. */
    List<MsrpHeader> headers();

    /** The end-line's flag. */
    Continuation continuation();

    /** The message in the RFC 4975 §9 wire format, CRLF line ends, end-line included. */
    byte[] toBytes();

    /** The value of the first header called {@code name} (compared without case), if any. */
    default Optional<String> header(String name) {
        for (MsrpHeader h : headers()) {
            if (h.is(name)) {
                return Optional.of(h.value());
            }
        }
        return Optional.empty();
    }
}
