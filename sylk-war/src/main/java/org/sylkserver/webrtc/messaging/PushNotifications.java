package org.sylkserver.webrtc.messaging;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.json.JsonException;
import javax.json.JsonObject;
import javax.json.JsonReader;
import javax.json.JsonString;
import javax.json.JsonValue;
import javax.json.bind.Jsonb;
import javax.json.bind.JsonbBuilder;

import org.sylkserver.webrtc.JsonP;
import org.sylkserver.webrtc.api.SipIdentity;

/**
 * Push notifications for messages (spec §4.11): one HTTP POST to {@code sylk_push_url} per device token of the
 * recipient (badge: its messages waiting to be displayed, this one included), sent asynchronously so that a slow or absent push server never delays delivery (issue 14). A 410 whose
 * JSON names the token deletes it.
 */
public final class PushNotifications implements Messaging.Push {

    /** The content types that are pushed (spec §4.8.2). */
    public static final List<String> PUSHED = List.of("text/plain", "text/html", "application/sylk-file-transfer");
    private static final Logger LOG = Logger.getLogger("webrtcgateway.push");
    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final MessageStore store;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** @param url {@code sylk_push_url} */
    public PushNotifications(URI url, MessageStore store) {
        this.url = url;
        this.store = store;
    }

    @Override
    public void message(String account, SipIdentity sender, String contentType, String content) {
        List<DeviceToken> tokens;
        int badge;
        try {
            tokens = store.deviceTokens(account);
            if (tokens.isEmpty()) {
                return;
            }
            // the message is stored before it is pushed, so it counts itself: the original's 1 + the earlier ones
            badge = Math.max(1, store.undisplayed(account, PUSHED));
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "no push for " + account + ": " + e.getMessage(), e);
            return;
        }
        for (DeviceToken token : tokens) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("platform", token.platform());
            payload.put("app-id", token.appId());
            payload.put("token", token.backgroundToken() != null ? token.backgroundToken() : token.token());
            payload.put("device-id", token.deviceId());
            payload.put("silent", token.silent() ? 1 : 0);
            payload.put("call-id", UUID.randomUUID().toString());
            payload.put("event", "message");
            payload.put("from", sender.getUri());
            payload.put("from-display-name", sender.getDisplayName() != null ? sender.getDisplayName() : sender.getUri());
            payload.put("media-type", "sms");
            payload.put("to", account);
            payload.put("badge", badge);
            payload.put("content-type", contentType);
            payload.put("content", content);
            HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Content-Type", "application/json")
                    .header("User-Agent", "SylkServer").POST(HttpRequest.BodyPublishers.ofString(JSONB.toJson(payload)))
                    .build();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                if (failure != null) {
                    LOG.warning(() -> "push to " + account + " (" + token.deviceId() + ") failed: " + failure);
                } else {
                    answered(token, response.statusCode(), response.body());
                }
            });
        }
    }

    /** Whether a 410's JSON body says {@code data.token} is this device's token (spec §4.11). */
    private static boolean expired(String body, DeviceToken token) {
        try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(body))) {
            JsonValue data = reader.readObject().get("data");
            JsonValue named = data instanceof JsonObject object ? object.get("token") : null;
            return named instanceof JsonString text
                    && (text.getString().equals(token.token()) || text.getString().equals(token.backgroundToken()));
        } catch (JsonException e) {
            return false;
        }
    }

    /** spec §4.11: 200 logged; 410 naming the token deletes it; anything else a warning. */
    private void answered(DeviceToken token, int status, String body) {
        if (status == 200) {
            LOG.fine(() -> "pushed to " + token.account() + " (" + token.deviceId() + ")");
            return;
        }
        if (status == 410 && expired(body, token)) {
            try {
                store.removeDeviceToken(token.account(), token.appId(), token.deviceId());
                LOG.info(() -> "push token of " + token.account() + " (" + token.deviceId() + ") expired: deleted");
            } catch (StoreException e) {
                LOG.warning(() -> "push token of " + token.account() + " expired but not deleted: " + e.getMessage());
            }
            return;
        }
        LOG.warning(() -> "push to " + token.account() + " (" + token.deviceId() + "): " + status + " "
                + (body.length() > 200 ? body.substring(0, 200) : body));
    }
}
