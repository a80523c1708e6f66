package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.regex.Matcher;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * MSRP file transfer between a SIP client and a WebRTC user (spec §4.10.3, RFC 5547) end to end: carol's SIP client
 * pushes a file to bob (INVITE routed to {@code webrtcgateway} by {@code X-Sylk-App}); both of bob's sylkRTC
 * connections get the {@code application/sylk-file-transfer} message and download the same bytes over HTTP; carol
 * pulls a file bob uploaded over HTTP; offers without a file stream (488) and of unknown files (404) are refused.
 * sipp is the proxy/registrar of example.com (it takes the REGISTERs and the RCS and plain-text notifications).
 */
@ExtendWith(ArquillianExtension.class)
class MsrpFileTransferIT {

    private static final int PROXY_PORT = Sipp.freePortUnchecked();
    private static final String GATEWAY = "X-Sylk-App: webrtcgateway\r\n";

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PROXY_PORT
                + ";transport=udp\nsip_domains = example.com\n");
        return Archives.all();
    }

    @AfterAll
    static void closeSipConnections() throws IOException {
        ChatClient.closeSipConnections();
    }

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();

    private static ChatClient carol() throws IOException {
        return new ChatClient("carol", "example.net", "bob", "example.com", GATEWAY);
    }

    @Test
    void aSipClientPushesToAndPullsFromAWebRtcUser_spec_4_10_3() throws Exception {
        // two REGISTERs, then for each transfer the RCS document and the link, each to the receiver and a copy
        Sipp.Running proxy = Sipp.scenario(work.resolve("proxy"), MessagingIT.proxy()).waitingForRequests()
                .localPort(PROXY_PORT).calls(10).timeoutSeconds(60).start();
        SylkRtcClient bobPhone = SylkRtcClient.registered("bob", "p");
        SylkRtcClient bobLaptop = SylkRtcClient.registered("bob", "l");
        byte[] photo = new byte[3 * 1024 * 1024 + 5];
        new Random(4103).nextBytes(photo);

        // RFC 5547 §8.2 push: carol's client sends, the gateway receives (recvonly) under the file-transfer-id
        ChatClient pusher = carol();
        String ok = pusher.invite("m=message 9 TCP/TLS/MSRP *\r\na=sendonly\r\na=accept-types:*\r\na=path:"
                + pusher.ownPath + "\r\na=setup:active\r\na=file-selector:name:\"photo.bin\" "
                + "type:application/octet-stream size:" + photo.length + " hash:" + FileTransferIT.sha1Selector(photo)
                + "\r\na=file-transfer-id:ftmsrp1\r\n");
        assertTrue(ok.startsWith("SIP/2.0 200") && ok.contains("a=recvonly"), ok);
        assertTrue(ok.contains("a=file-transfer-id:ftmsrp1"), ok);
        pusher.connect(ok);
        FileTransferIT.send(pusher, photo, 1024 * 1024);
        pusher.awaitBye(); // spec §4.10.3: the gateway ends the session after the file

        for (SylkRtcClient bob : new SylkRtcClient[] {bobPhone, bobLaptop}) {
            String event = bob.expect("\"event\":\"message\"", "\"content_type\":\"application/sylk-file-transfer\"",
                    "\"message_id\":\"ftmsrp1\"");
            assertTrue(event.contains("carol@example.net"), event);
            Matcher url = HttpFileTransferIT.URL.matcher(event);
            assertTrue(url.find(), event);
            HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:18088"
                    + url.group(1))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertArrayEquals(sha256(photo), sha256(download.body()), "bob downloads the bytes carol sent");
        }

        // RFC 5547 §8.3 pull: bob uploads notes.txt for carol over HTTP; her client asks for it by name and hash
        byte[] notes = new byte[200_000];
        new Random(4104).nextBytes(notes);
        HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:18088/webrtcgateway/filetransfer/bob@example.com/carol@example.net/ftpull1/notes.txt"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(notes)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, uploaded.statusCode(), uploaded::body);
        bobPhone.expect("\"message_id\":\"ftpull1\"");
        ChatClient puller = carol();
        String answer = puller.invite("m=message 9 TCP/TLS/MSRP *\r\na=recvonly\r\na=accept-types:*\r\na=path:"
                + puller.ownPath + "\r\na=setup:active\r\na=file-selector:name:\"notes.txt\" hash:"
                + FileTransferIT.sha1Selector(notes) + "\r\n");
        assertTrue(answer.startsWith("SIP/2.0 200") && answer.contains("a=sendonly"), answer);
        assertTrue(answer.contains("size:" + notes.length), "the answer describes the file: " + answer);
        puller.connect(answer, false);
        assertArrayEquals(sha256(notes), sha256(puller.receiveMessage()), "carol pulls the bytes bob uploaded");
        puller.awaitBye();

        // spec §4.10.3: a file the two never exchanged is 404, an offer without a file stream 488
        try (ChatClient unknown = carol()) {
            String refused = unknown.invite("m=message 9 TCP/TLS/MSRP *\r\na=recvonly\r\na=accept-types:*\r\n"
                    + "a=path:" + unknown.ownPath + "\r\na=setup:active\r\na=file-selector:name:\"notes.txt\" hash:"
                    + FileTransferIT.sha1Selector(photo) + "\r\n");
            assertTrue(refused.startsWith("SIP/2.0 404"), refused);
        }
        try (ChatClient chat = carol()) {
            String refused = chat.invite("m=message 9 TCP/TLS/MSRP *\r\na=accept-types:message/cpim\r\n"
                    + "a=path:" + chat.ownPath + "\r\na=setup:active\r\n");
            assertTrue(refused.startsWith("SIP/2.0 488"), refused);
        }

        // spec §4.10.1 notifications 2 and 3 of both transfers reached the SIP side
        Sipp.Result result = proxy.await();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.messages().contains("Content-Type: application/vnd.gsma.rcs-ft-http+xml"), result::toString);
        assertTrue(result.messages().contains("File transfer available at "), result::toString);
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
