package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP file transfer (spec §4.10.1-4.10.2) end to end: alice's sylkRTC client uploads a file for bob, both of bob's
 * connections get the {@code application/sylk-file-transfer} message and download the bytes; the checks before the
 * body (403, 413), byte ranges, cancel interrupting a slow upload, and an upload cut off by its client. sipp is the
 * proxy/registrar of example.com (it takes the REGISTERs and the RCS and plain-text notifications).
 */
@ExtendWith(ArquillianExtension.class)
class HttpFileTransferIT {

    private static final int PROXY_PORT = Sipp.freePortUnchecked();
    private static final String BASE = "http://127.0.0.1:18088/webrtcgateway/filetransfer";
    /** URL-safe base64 of MD5("alice@example.com") and MD5("bob@example.com") (spec §4.10.1). */
    private static final String ALICE_HASH = "wWD4zGmk8L8rA2J1I1PQYA";
    private static final String BOB_HASH = "S5u4BiDwPrNxngoGHBQoPQ";
    static final Pattern URL = Pattern.compile("\\\\\"url\\\\\":\\\\\"https?://[^/]+(/[^\\\\\"]+)\\\\\"");

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PROXY_PORT
                + ";transport=udp\nsip_domains = example.com\nfiletransfer_max_size = 4\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void uploadNotifyDownloadAndCancel_spec_4_10_2() throws Exception {
        // three REGISTERs, then the RCS document and the plain-text link, each to bob and a copy to alice
        Sipp.Running proxy = Sipp.scenario(work.resolve("proxy"), MessagingIT.proxy()).waitingForRequests()
                .localPort(PROXY_PORT).calls(7).timeoutSeconds(60).start();
        SylkRtcClient alice = SylkRtcClient.registered("alice", "a");
        SylkRtcClient bobPhone = SylkRtcClient.registered("bob", "p");
        SylkRtcClient bobLaptop = SylkRtcClient.registered("bob", "l");
        byte[] photo = new byte[1024 * 1024 + 17];
        new Random(15).nextBytes(photo);

        // spec §4.10.2: only from where the sender is authenticated; the size limit before the body is read
        assertEquals(403, post(BASE + "/carol@example.com/bob@example.com/x1/a.jpg", new byte[1]).statusCode());
        assertTrue(rawPost("/alice@example.com/bob@example.com/x2/big.bin", 5L * 1024 * 1024, null)
                .startsWith("HTTP/1.1 413 "));
        assertEquals(403, post(BASE + "/alice@example.com/bob@example.com/x3/..", new byte[1]).statusCode());
        // an encoded slash: Tomcat refuses it before the servlet (400); were it let through, the id check would (403)
        int encodedSlash = post(BASE + "/alice@example.com/bob@example.com/..%2F..%2Fx/a.jpg", new byte[1]).statusCode();
        assertTrue(encodedSlash == 400 || encodedSlash == 403, "status " + encodedSlash);

        HttpResponse<String> uploaded = post(BASE + "/alice@example.com/bob@example.com/ft1/photo.jpg", photo);
        assertEquals(200, uploaded.statusCode(), uploaded::body);
        assertEquals("OK", uploaded.body().strip());
        assertEquals("*", uploaded.headers().firstValue("Access-Control-Allow-Origin").orElse(null));

        for (SylkRtcClient bob : new SylkRtcClient[] {bobPhone, bobLaptop}) {
            String event = bob.expect("\"event\":\"message\"", "\"content_type\":\"application/sylk-file-transfer\"",
                    "\"message_id\":\"ft1\"");
            assertTrue(event.contains("\"sender\":{\"uri\":\"alice@example.com\""), event);
            Matcher url = URL.matcher(event);
            assertTrue(url.find(), event);
            assertEquals("/webrtcgateway/filetransfer/" + ALICE_HASH + "/" + BOB_HASH + "/ft1/photo.jpg", url.group(1));
            HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:18088"
                    + url.group(1))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertArrayEquals(sha256(photo), sha256(download.body()));
            assertEquals("image/jpeg", download.headers().firstValue("Content-Type").orElse(null));
            assertTrue(download.headers().firstValue("Content-Disposition").orElse("").startsWith("inline"));
        }
        // the sender's own devices see it as sent (the loop-back MESSAGE, spec §4.10.1 and §4.8.5)
        alice.expect("\"event\":\"sync\"", "\"message_id\":\"ft1\"", "application/sylk-file-transfer");

        // RFC 7233: one byte range
        HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(BASE + "/" + ALICE_HASH + "/" + BOB_HASH
                + "/ft1/photo.jpg")).header("Range", "bytes=100-199").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, range.statusCode());
        assertEquals("bytes 100-199/" + photo.length, range.headers().firstValue("Content-Range").orElse(null));
        assertArrayEquals(Arrays.copyOfRange(photo, 100, 200), range.body());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(BASE + "/" + ALICE_HASH + "/" + BOB_HASH
                + "/ft1/other.jpg")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());

        // cancel interrupts a slow upload: nothing is stored or announced
        String status = rawPost("/alice@example.com/bob@example.com/ft2/slow.bin", 1024 * 1024, () -> {
            HttpResponse<String> cancelled = post(BASE + "/cancel/ft2", new byte[0]);
            assertEquals("Cancelled upload ft2", cancelled.body().strip());
        });
        assertTrue(status.isEmpty() || status.startsWith("HTTP/1.1 400 "), status);
        assertEquals("No active upload with transfer_id ft2", post(BASE + "/cancel/ft2", new byte[0]).body().strip());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(BASE + "/" + ALICE_HASH + "/" + BOB_HASH
                + "/ft2/slow.bin")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        // a client that goes away mid-upload leaves nothing either
        try (Socket cut = new Socket("127.0.0.1", 18088)) {
            cut.getOutputStream().write(("POST /webrtcgateway/filetransfer/alice@example.com/bob@example.com/ft3/cut.bin"
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            cut.getOutputStream().write(new byte[64 * 1024]);
            cut.getOutputStream().flush();
        }
        Thread.sleep(500);
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(BASE + "/" + ALICE_HASH + "/" + BOB_HASH
                + "/ft3/cut.bin")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(null, bobPhone.next(java.time.Duration.ofSeconds(1)), "no notification for a cancelled or cut upload");
        // spec §4.10.1 notifications 2 and 3, in that order, each to bob and a replicated copy to alice
        Sipp.Result result = proxy.await();
        assertEquals(0, result.exitCode(), result::toString);
        int rcs = result.messages().indexOf("Content-Type: application/vnd.gsma.rcs-ft-http+xml");
        int link = result.messages().indexOf("File transfer available at ");
        assertTrue(rcs > 0 && link > rcs, result::toString);
        assertTrue(result.messages().contains("X-Replicated-Message: yes"), result::toString);
    }

    private HttpResponse<String> post(String url, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @FunctionalInterface
    private interface Midway {
        void run() throws Exception;
    }

    /**
     * A POST announcing {@code length} bytes over a plain socket: with {@code midway} null no body is sent at all;
     * else 64 KiB, then {@code midway}, then the rest slowly, until the server answers or closes. The status line, or
     * "" when the connection was cut.
     */
    private static String rawPost(String path, long length, Midway midway) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", 18088)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /webrtcgateway/filetransfer" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    + "application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (midway != null) {
                out.write(new byte[64 * 1024]);
                out.flush();
                Thread.sleep(300);
                midway.run();
                try {
                    for (int i = 0; i < 100 && socket.getInputStream().available() == 0; i++) {
                        out.write(new byte[4096]);
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (IOException cut) {
                    // the server closed the upload's connection: what cancel does
                }
            }
            try {
                String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                return line == null ? "" : line;
            } catch (IOException cut) {
                return "";
            }
        }
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
