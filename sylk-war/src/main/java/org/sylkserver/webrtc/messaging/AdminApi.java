package org.sylkserver.webrtc.messaging;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.json.bind.Jsonb;
import javax.json.bind.JsonbBuilder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.sylkserver.webrtc.api.SipAor;

/**
 * The admin API of the push tokens (spec §4.13) on {@code http_management_interface}, plain HTTP:
 * {@code GET /tokens/<account>} lists the account's tokens, {@code DELETE /tokens/<account>/<device token>} deletes
 * the device whose token it is (the original's call did not, quirk Q8). With {@code http_management_auth_secret} the
 * {@code Authorization} header must equal it, else 403.
 */
public final class AdminApi implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.admin");
    private static final Jsonb JSONB = JsonbBuilder.create();

    private final HttpServer server;
    private final MessageStore store;
    private final String secret;

    private AdminApi(HttpServer server, MessageStore store, String secret) {
        this.server = server;
        this.store = store;
        this.secret = secret;
    }

    /**
     * Starts the API on {@code address}.
     *
     * @param secret the {@code Authorization} every request must carry, or null for none
     * @throws IOException the address cannot be bound
     */
    public static AdminApi start(InetSocketAddress address, MessageStore store, String secret) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        AdminApi api = new AdminApi(server, store, secret);
        server.createContext("/tokens/", api::handle);
        server.start();
        return api;
    }

    /** Where it listens (its port when it was started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (secret != null && !secret.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 403, Map.of("error", "Authentication error"));
                return;
            }
            String[] path = exchange.getRequestURI().getPath().substring("/tokens/".length()).split("/", -1);
            String method = exchange.getRequestMethod();
            if (!SipAor.Syntax.isValid(path[0])) {
                reply(exchange, 404, Map.of("error", "Not found"));
            } else if (method.equals("GET") && path.length == 1) {
                Map<String, Object> tokens = new LinkedHashMap<>();
                for (DeviceToken token : store.deviceTokens(SipAor.Syntax.strip(path[0]))) {
                    tokens.put(token.appId() + "-" + token.deviceId(), json(token));
                }
                reply(exchange, 200, Map.of("tokens", tokens));
            } else if (method.equals("DELETE") && path.length == 2 && !path[1].isEmpty()) {
                reply(exchange, 200, Map.of("success", delete(SipAor.Syntax.strip(path[0]), path[1])));
            } else {
                reply(exchange, 405, Map.of("error", "Method not allowed"));
            }
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "admin API: " + e.getMessage(), e);
            reply(exchange, 503, Map.of("error", "Message store unavailable"));
        }
    }

    /** Deletes the account's devices whose token (or background token) is {@code deviceToken}; whether one was. */
    private boolean delete(String account, String deviceToken) throws StoreException {
        boolean deleted = false;
        List<DeviceToken> tokens = store.deviceTokens(account);
        for (DeviceToken token : tokens) {
            if (deviceToken.equals(token.token()) || deviceToken.equals(token.backgroundToken())) {
                deleted |= store.removeDeviceToken(account, token.appId(), token.deviceId());
            }
        }
        return deleted;
    }

    private static Map<String, Object> json(DeviceToken token) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("device_id", token.deviceId());
        json.put("platform", token.platform());
        json.put("silent", token.silent());
        json.put("app_id", token.appId());
        json.put("user_agent", token.userAgent());
        json.put("background_token", token.backgroundToken());
        json.put("token", token.token());
        return json;
    }

    private static void reply(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        byte[] bytes = JSONB.toJson(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
