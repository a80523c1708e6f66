package org.sylkserver.webrtc.addressbook;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.logging.Logger;

import javax.json.JsonException;
import javax.json.JsonObject;
import javax.json.JsonReader;
import javax.json.JsonString;

import org.sylkserver.webrtc.JsonP;

/**
 * The address books of the REST service at {@code [General] xcap_url} (spec §4.14): {@code GET
 * <base>/api/v1/users/<aor>/addressbook} for a fetch; contacts are added with {@code POST …/addressbook/contacts},
 * updated with {@code PUT …/contacts/<id>} and deleted with {@code DELETE …/contacts/<id>}, the contact as the JSON
 * body. 200 and 204 are success (the announced object is the service's JSON answer, or the request's data when it
 * sent none, as a 204 does); any other status is a refusal with the answer's {@code detail}. The service has no
 * routes for groups, policies or group members: those updates are refused here, without a request.
 *
 * <p>Requests are asynchronous (the JDK's HTTP client), each bounded by {@code timeout}, and an answer by
 * {@code maxResponseSize}; a service that does not answer in time, answers too much, or cannot be reached fails the
 * future with an {@link IOException} and a log line.
 */
public final class XcapAddressBooks implements AddressBookService {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.addressbook");

    private final String base;
    private final Duration timeout;
    private final int maxResponseSize;
    private final HttpClient http;

    /**
     * @param base            {@code xcap_url}, the service's base URL (a trailing {@code /} is ignored)
     * @param timeout         how long one request may take ({@code xcap_timeout}), connecting included
     * @param maxResponseSize the largest answer taken, in bytes ({@code xcap_max_response_size})
     */
    public XcapAddressBooks(URI base, Duration timeout, int maxResponseSize) {
        String text = base.toString();
        this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.timeout = timeout;
        this.maxResponseSize = maxResponseSize;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public CompletableFuture<AddressBook> fetch(String account) {
        HttpRequest request = request(book(account)).GET().build();
        return send(account, request).thenApply(answer -> {
            if (answer == null) {
                // an empty book is {"contacts": [], ...}: anything else is not one, and must not look like one
                LOG.warning(() -> "address book service GET " + request.uri() + " for " + account
                        + ": the answer is not a JSON object");
                throw new CompletionException(new IOException("Address book service sent no address book"));
            }
            return AddressBook.fromJson(answer);
        });
    }

    @Override
    public CompletableFuture<AddressBook.Update> update(String account, String type, String action, JsonObject data) {
        if (!type.equals("contact")) {
            return CompletableFuture.failedFuture(new AddressBook.Refused("The address book service keeps contacts"
                    + " only, not " + type));
        }
        JsonObject contact = action.equals("delete") ? data : AddressBook.contact(data);
        String id = contact.get("id") instanceof JsonString string && !string.getString().isEmpty()
                ? string.getString() : null;
        if (id == null) {
            return CompletableFuture.failedFuture(new AddressBook.Refused("Mandatory property 'id' of contact is missing"));
        }
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString(contact.toString());
        HttpRequest request = switch (action) {
            case "add" -> request(book(account) + "/contacts").POST(body).build();
            case "update" -> request(book(account) + "/contacts/" + segment(id)).PUT(body).build();
            case "delete" -> request(book(account) + "/contacts/" + segment(id)).DELETE().build();
            default -> null;
        };
        if (request == null) {
            return CompletableFuture.failedFuture(new AddressBook.Refused("Unknown address book action '" + action + "'"));
        }
        // the book itself stays with the service: the update carries none
        return send(account, request).thenApply(answer -> new AddressBook.Update(null, type, action,
                answer == null ? contact : answer));
    }

    private String book(String account) {
        return base + "/api/v1/users/" + segment(account) + "/addressbook";
    }

    private HttpRequest.Builder request(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(timeout).header("Accept", "application/json")
                .header("Content-Type", "application/json");
    }

    /**
     * Sends {@code request}: the JSON object the service answered (null for an empty answer), or a failure:
     * {@link AddressBook.Refused} with the service's {@code detail}, {@link IOException} when it is not there.
     */
    private CompletableFuture<JsonObject> send(String account, HttpRequest request) {
        return http.sendAsync(request, info -> new LimitedBody(maxResponseSize)).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                LOG.warning(() -> "address book service " + request.method() + " " + request.uri() + " for " + account
                        + " failed: " + cause);
                throw new CompletionException(new IOException("Address book service unavailable", cause));
            }
            int status = response.statusCode();
            JsonObject answer = object(response.body());
            if (status != 200 && status != 204) {
                String detail = answer != null && answer.get("detail") instanceof JsonString text ? text.getString()
                        : answer != null && answer.containsKey("detail") ? answer.get("detail").toString()
                        : "Address book service answered " + status;
                LOG.info(() -> "address book service " + request.method() + " " + request.uri() + " for " + account
                        + ": " + status + " " + detail);
                throw new CompletionException(new AddressBook.Refused(detail));
            }
            return answer;
        });
    }

    /** The answer as text (UTF-8), cut off with an {@link IOException} once it is larger than the limit. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<String> {

        private final HttpResponse.BodySubscriber<String> text = HttpResponse.BodySubscribers.ofString(
                StandardCharsets.UTF_8);
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private final long limit;
        private long received;
        private Flow.Subscription subscription;

        LimitedBody(long limit) {
            this.limit = limit;
            text.getBody().whenComplete((value, failure) -> {
                if (failure != null) {
                    body.completeExceptionally(failure);
                } else {
                    body.complete(value);
                }
            });
        }

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            text.onSubscribe(subscription);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                received += buffer.remaining();
            }
            if (received > limit) {
                subscription.cancel();
                body.completeExceptionally(new IOException("answer larger than xcap_max_response_size " + limit));
                return;
            }
            text.onNext(buffers);
        }

        @Override
        public void onError(Throwable failure) {
            text.onError(failure);
        }

        @Override
        public void onComplete() {
            text.onComplete();
        }
    }

    /** The JSON object in {@code body}, or null when it is empty or something else. */
    private static JsonObject object(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(body))) {
            return reader.read() instanceof JsonObject object ? object : null;
        } catch (JsonException e) {
            return null;
        }
    }

    /** {@code value} as one path segment: percent-encoded but for the characters RFC 3986 §3.3 allows as they are. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
    }
}
