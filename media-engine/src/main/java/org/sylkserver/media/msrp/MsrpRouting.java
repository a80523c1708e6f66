package org.sylkserver.media.msrp;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpResponse;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * Where the requests of every connection of an {@link MsrpServer} go: to the session named by the last URI of their
 * To-Path (RFC 4975 §7.3 delivers at the final hop), or, for a REPORT, to the message being sent that it is about
 * (§7.1.2); and which of them are answered, with what.
 *
 * <p>Thread-safe: the connections' reader threads deliver, the senders register their messages.
 */
final class MsrpRouting {

    /** The sessions by session-id. */
    private final Map<String, MsrpServer.Handler> sessions = new ConcurrentHashMap<>();
    /** Messages being sent, by Message-ID, so that their REPORTs reach the sender (RFC 4975 §7.1.2). */
    private final Map<String, OutgoingMessage> outgoing = new ConcurrentHashMap<>();

    void open(String sessionId, MsrpServer.Handler handler) {
        sessions.put(sessionId, handler);
    }

    void close(String sessionId) {
        sessions.remove(sessionId);
    }

    /** A message starts being sent: its REPORTs come here until a while after its outcome. */
    void sending(OutgoingMessage message) {
        outgoing.put(message.messageId(), message);
        // late REPORTs may follow the last response; forget the message once they had time to come
        message.outcome().whenComplete((o, e) -> CompletableFuture.runAsync(
                () -> outgoing.remove(message.messageId(), message),
                CompletableFuture.delayedExecutor(MsrpServer.TRANSACTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
    }

    /**
     * Delivers a request that came on {@code from} and returns the response to send back on it, or null when none
     * is sent: REPORTs are never answered (§7.1.2), nor are requests with Failure-Report {@code no}, or
     * {@code partial} when they succeed (§7.2). A request for no session we know gets 481.
     */
    MsrpResponse deliver(MsrpRequest request, MsrpConnection from) {
        if (request.method().equals(MsrpRequest.REPORT)) {
            OutgoingMessage sent = request.messageId().map(outgoing::get).orElse(null);
            if (sent != null) {
                sent.reported(request);
                return null;
            }
        }
        MsrpUri target = request.toPath().get(request.toPath().size() - 1);
        MsrpServer.Handler handler = target.sessionId() == null ? null : sessions.get(target.sessionId());
        if (handler != null) {
            from.markBound();
        }
        int code = handler == null ? 481 : handler.request(request, from);
        if (request.method().equals(MsrpRequest.REPORT)) {
            return null;
        }
        if (request.failureReport().map(v -> v.equalsIgnoreCase("no")).orElse(false)
                || (code == 200 && request.failureReport().map(v -> v.equalsIgnoreCase("partial")).orElse(false))) {
            return null;
        }
        return new MsrpResponse(request.transactionId(), code, MsrpResponse.reason(code),
                List.of(request.fromPath().get(0)), List.of(target));
    }
}
