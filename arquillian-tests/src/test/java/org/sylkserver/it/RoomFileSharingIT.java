package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;

import javax.json.Json;
import javax.json.JsonObject;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13, room file sharing end to end (spec §4.10.5, §4.6.8, §4.6.5): two members of a video room and a stranger
 * (a publisher of another room), sylkRTC clients over the real WebSocket that publish with a browser-shaped offer (the
 * media are not the point: VideoRoomIT has browsers). A member uploads over HTTP; both members get the
 * {@code file-sharing} event and download the same bytes; the stranger's upload is refused (403), an oversized one
 * too before its body (413), a cut-off one leaves nothing; the file is gone once the room's last publisher left.
 */
@ExtendWith(ArquillianExtension.class)
class RoomFileSharingIT {

    private static final String ROOM = "files1@videoconference.example.com";
    private static final String OTHER_ROOM = "files2@videoconference.example.com";
    private static final String BASE = "http://127.0.0.1:18088/webrtcgateway/filesharing/";
    private static final Path FILES = Path.of(System.getProperty("sylk.work", "target/sylk-it"),
            "var/spool/sylkserver/videoconference/files");
    /** A browser's publisher offer, as Chrome shapes it (BUNDLE, ICE credentials, fingerprint, Opus and VP8). */
    private static final String OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\na=mid:0\r\na=sendonly\r\n"
            + "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\na=mid:1\r\na=sendonly\r\n"
            + "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n";

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\nsip_domains = *\nfilesharing_max_size = 1\n");
        return Archives.all();
    }

    private final HttpClient http = HttpClient.newHttpClient();

    /** A client whose account publishes in {@code room} as session {@code session}. */
    private static SylkRtcClient member(String account, String room, String session) throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        client.expect("ready-event");
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"" + session + "a\",\"account\":\"" + account
                + "\",\"password\":\"x\",\"display_name\":\"" + account.substring(0, account.indexOf('@')) + "\"}");
        client.expect(SylkRtcCallIT.ack(session + "a"));
        client.send("{\"sylkrtc\":\"videoroom-join\",\"transaction\":\"" + session + "j\",\"account\":\"" + account
                + "\",\"session\":\"" + session + "\",\"uri\":\"" + room + "\",\"sdp\":" + Json.createValue(OFFER) + "}");
        client.expect("\"event\":\"initial-publishers\"");
        return client;
    }

    @Test
    void membersShareAFileStrangersCannotAndItGoesWithTheRoom_spec_4_10_5() throws Exception {
        String aliceSession = "alice-" + System.nanoTime();
        String bobSession = "bob-" + System.nanoTime();
        String carolSession = "carol-" + System.nanoTime();
        SylkRtcClient alice = member("alice@example.com", ROOM, aliceSession);
        SylkRtcClient bob = member("bob@example.com", ROOM, bobSession);
        SylkRtcClient carol = member("carol@example.com", OTHER_ROOM, carolSession);
        byte[] report = new byte[300 * 1024 + 7];
        new Random(13).nextBytes(report);

        HttpResponse<String> options = http.send(HttpRequest.newBuilder(URI.create(BASE + ROOM + "/" + aliceSession
                + "/report.pdf")).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, options.statusCode());
        assertEquals("*", options.headers().firstValue("Access-Control-Allow-Origin").orElse(null));

        // spec §4.10.5: only a publisher session of that room; sizes before the body is read
        HttpResponse<String> stranger = post(ROOM + "/" + carolSession + "/report.pdf", report);
        assertEquals(403, stranger.statusCode());
        assertEquals("Session " + carolSession + " is not a publisher in room " + ROOM, stranger.body().strip());
        assertEquals(403, post("nosuchroom@example.com/" + aliceSession + "/report.pdf", report).statusCode());
        assertEquals(403, post(ROOM + "/" + aliceSession + "/..", report).statusCode());
        assertTrue(rawPost(ROOM + "/" + aliceSession + "/big.bin", 2L * 1024 * 1024, false).startsWith("HTTP/1.1 413 "));
        String cut = rawPost(ROOM + "/" + aliceSession + "/cut.bin", 512 * 1024, true);
        assertTrue(cut.isEmpty() || cut.startsWith("HTTP/1.1 400 "), cut);

        HttpResponse<String> uploaded = post(ROOM + "/" + aliceSession + "/report.pdf", report);
        assertEquals(200, uploaded.statusCode(), uploaded::body);
        assertEquals("OK", uploaded.body().strip());
        assertEquals("*", uploaded.headers().firstValue("Access-Control-Allow-Origin").orElse(null));

        // spec §4.6.8: one file-sharing event with the new file to every member; each downloads the same bytes
        for (SylkRtcClient member : new SylkRtcClient[] {alice, bob}) {
            JsonObject event = Json.createReader(new StringReader(member.expect("\"event\":\"file-sharing\"")))
                    .readObject();
            assertEquals(1, event.getJsonArray("files").size(), event::toString);
            JsonObject file = event.getJsonArray("files").getJsonObject(0);
            assertEquals("report.pdf", file.getString("filename"), "the first file-sharing: the cut-off upload was not announced");
            assertEquals(report.length, file.getJsonNumber("filesize").longValue());
            assertEquals("alice@example.com", file.getJsonObject("uploader").getString("uri"));
            assertEquals(aliceSession, file.getString("session"));
            HttpResponse<byte[]> download = get(ROOM + "/" + file.getString("session") + "/" + file.getString("filename"));
            assertEquals(200, download.statusCode());
            assertArrayEquals(sha256(report), sha256(download.body()));
            assertTrue(download.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));
        }
        assertFalse(String.join("\n", carol.frames).contains("file-sharing"), "a stranger is not told");
        assertEquals(404, get(ROOM + "/" + aliceSession + "/cut.bin").statusCode());
        assertEquals(404, get(ROOM + "/" + bobSession + "/report.pdf").statusCode(), "the uploader's session only");
        assertTrue(Files.exists(FILES.resolve(ROOM).resolve("report.pdf")));

        // spec §4.6.5: the files go with the room's last publisher (the room is not persistent)
        bob.send("{\"sylkrtc\":\"videoroom-leave\",\"transaction\":\"bl\",\"session\":\"" + bobSession + "\"}");
        bob.expect(SylkRtcCallIT.ack("bl"));
        assertEquals(200, get(ROOM + "/" + aliceSession + "/report.pdf").statusCode(), "alice is still there");
        alice.send("{\"sylkrtc\":\"videoroom-leave\",\"transaction\":\"al\",\"session\":\"" + aliceSession + "\"}");
        alice.expect(SylkRtcCallIT.ack("al"));
        assertEquals(404, get(ROOM + "/" + aliceSession + "/report.pdf").statusCode());
        assertFalse(Files.exists(FILES.resolve(ROOM)), "the room's directory is gone");
        for (SylkRtcClient client : new SylkRtcClient[] {alice, bob, carol}) {
            client.socket.sendClose(1000, "");
        }
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(BASE + path)).header("Content-Type", "application/pdf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * A POST announcing {@code length} bytes over a plain socket: no body at all, or ({@code cutOff}) 64 KiB and then
     * the connection closed. The status line, or "" when there was none.
     */
    private static String rawPost(String path, long length, boolean cutOff) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", 18088)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /webrtcgateway/filesharing/" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    + "application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (cutOff) {
                out.write(new byte[64 * 1024]);
                out.flush();
                socket.shutdownOutput();
            }
            try {
                String line = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                return line == null ? "" : line;
            } catch (IOException reset) {
                return "";
            }
        }
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
