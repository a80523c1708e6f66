package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The push tokens' admin API (spec §4.13), fixing quirk Q8: DELETE really deletes. */
class AdminApiTest {

    @TempDir
    Path directory;
    private SqliteMessageStore store;
    private AdminApi api;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        store = SqliteMessageStore.open(directory, false);
        store.putDeviceToken(new DeviceToken("bob@example.com", "app", "d1", "ios", "voip", "bg", false, "Sylk"));
        store.putDeviceToken(new DeviceToken("bob@example.com", "app", "d2", "android", "fcm", null, true, null));
        api = AdminApi.start(new InetSocketAddress("127.0.0.1", 0), store, "s3cret");
    }

    @AfterEach
    void stop() {
        api.close();
        store.close();
    }

    private HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** spec §4.13: GET lists the tokens by app and device; DELETE by device token deletes that device (Q8). */
    @Test
    void tokensAreListedAndDeleted_spec_4_13_Q8() throws Exception {
        HttpResponse<String> list = send("GET", "/tokens/bob@example.com", "s3cret");
        assertEquals(200, list.statusCode());
        assertEquals("{\"tokens\":{\"app-d1\":{\"device_id\":\"d1\",\"platform\":\"ios\",\"silent\":false,\"app_id\":\"app\","
                + "\"user_agent\":\"Sylk\",\"background_token\":\"bg\",\"token\":\"voip\"},\"app-d2\":{\"device_id\":\"d2\","
                + "\"platform\":\"android\",\"silent\":true,\"app_id\":\"app\",\"token\":\"fcm\"}}}", list.body());
        HttpResponse<String> delete = send("DELETE", "/tokens/bob@example.com/fcm", "s3cret");
        assertEquals(List.of(200, "{\"success\":true}"), List.of(delete.statusCode(), delete.body()));
        assertEquals(List.of("d1"), store.deviceTokens("bob@example.com").stream().map(DeviceToken::deviceId).toList());
        assertEquals("{\"success\":false}", send("DELETE", "/tokens/bob@example.com/fcm", "s3cret").body());
    }

    /** spec §4.13: with http_management_auth_secret, a missing or other Authorization gets 403 and changes nothing. */
    @Test
    void theSecretIsChecked_spec_4_13() throws Exception {
        assertEquals(403, send("GET", "/tokens/bob@example.com", null).statusCode());
        assertEquals(403, send("DELETE", "/tokens/bob@example.com/fcm", "guess").statusCode());
        assertEquals(2, store.deviceTokens("bob@example.com").size());
        assertEquals(404, send("GET", "/tokens/nobody", "s3cret").statusCode());
        assertEquals(405, send("POST", "/tokens/bob@example.com", "s3cret").statusCode());
    }
}
