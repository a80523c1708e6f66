package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Screen sharing in a conference (spec §3.7) end to end: a participant sends JPEG frames as
 * {@code application/blink-screensharing} chat messages over MSRP, the other participant is told where to watch,
 * the viewer at {@code /conference/} serves the page and the latest frame, and sharing stops when the frames do.
 */
@ExtendWith(ArquillianExtension.class)
class ScreenSharingIT {

    private static final String ROOM = "screenroom";
    private static final String WEB = "http://" + Sipp.SERVER + ":18088";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** conference.ini is read when the application is deployed: sharing goes idle 2 s after the last frame. */
    @Deployment(testable = false)
    static EnterpriseArchive conference() {
        try {
            ServerConfig.write("conference.ini", "[Conference]\nscreensharing_idle_timeout = 2\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Archives.all();
    }

    @AfterAll
    static void closeSipConnections() throws IOException {
        ChatClient.closeSipConnections();
    }

    private static byte[] jpeg(Color color) throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D graphics = image.createGraphics();
        graphics.setColor(color);
        graphics.fillRect(0, 0, 64, 48);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "jpg", out));
        return out.toByteArray();
    }

    private static byte[] cpim(String contentHeaders, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("From: <sip:alice@127.0.0.1>\r\nTo: <sip:" + ROOM + "@127.0.0.1>\r\n\r\n"
                + "Content-Type: application/blink-screensharing\r\n" + contentHeaders + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(WEB + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void framesOverMsrpAreWatchedOverHttpUntilTheyStop_spec3_7() throws Exception {
        byte[] first = jpeg(Color.RED);
        byte[] second = jpeg(Color.BLUE);
        try (ChatClient alice = new ChatClient("alice", ROOM);
             ChatClient bob = new ChatClient("bob", ROOM)) {
            String ok = alice.join();
            assertTrue(ok.contains("com.ag-projects.screen-sharing"), "the capability is advertised (spec §3.4): " + ok);
            bob.join();
            alice.readUntil(m -> m.contains("bob@127.0.0.1 has joined the room"), "bob's join notice");

            // spec §3.7: base64, or the raw image
            byte[] base64 = Base64.getMimeEncoder().encode(first);
            alice.send("frame001", "message/cpim", cpim("Content-Transfer-Encoding: base64\r\n", base64));
            alice.readUntil(m -> m.startsWith("MSRP frame001 200"), "the 200 to the first frame");
            alice.send("frame002", "message/cpim", cpim("", second));
            alice.readUntil(m -> m.startsWith("MSRP frame002 200"), "the 200 to the second frame");
            alice.send("frame003", "message/cpim", cpim("", "not base64!".getBytes(StandardCharsets.US_ASCII)));
            alice.readUntil(m -> m.startsWith("MSRP frame003 400"), "400 for a payload that is no image");
            byte[] huge = java.util.Arrays.copyOf(second, 1_100_000);
            alice.send("frame004", "message/cpim", cpim("", huge));
            alice.readUntil(m -> m.startsWith("MSRP frame004 413"), "413 for a frame over the 1 MiB chunk limit");

            String notice = bob.readUntil(m -> m.contains("is sharing the screen at"), "the sharing notice");
            assertTrue(notice.contains("agp.Message-Type: status"), notice);
            Matcher link = Pattern.compile("Room " + ROOM + "@127\\.0\\.0\\.1 - alice@127\\.0\\.0\\.1 is sharing the "
                    + "screen at (" + Pattern.quote(WEB) + "(/conference/" + ROOM + "@127\\.0\\.0\\.1/)screensharing"
                    + "\\?image=(alice@127\\.0\\.0\\.1_[A-Za-z0-9]{10}\\.jpg))").matcher(notice);
            assertTrue(link.find(), notice);
            String roomPath = link.group(2);
            String image = link.group(3);

            HttpResponse<byte[]> page = get(link.group(1).substring(WEB.length()) + "&fit");
            assertEquals(200, page.statusCode(), text(page));
            assertTrue(text(page).contains("screensharing_img/" + image), text(page));
            HttpResponse<byte[]> frame = get(roomPath + "screensharing_img/" + image);
            assertEquals(200, frame.statusCode());
            assertEquals("image/jpeg", frame.headers().firstValue("Content-Type").orElse(""));
            assertArrayEquals(second, frame.body(), "the latest frame, byte for byte");

            // the viewer's other answers, and names that try to leave the room's directory
            HttpResponse<byte[]> nothing = get("/conference/");
            assertEquals(404, nothing.statusCode());
            assertEquals("Nothing to see here, move along.", text(nothing));
            assertEquals(404, get("/conference/" + ROOM + "@127.0.0.1").statusCode());
            assertEquals(400, get(roomPath + "screensharing").statusCode());
            assertEquals("Room not found", text(get("/conference/nobody@127.0.0.1/screensharing?image=" + image)));
            for (String escape : new String[] {"screensharing_img/..%2F..%2Fconfig%2Fconference.ini",
                    "screensharing_img/%2e%2e/%2e%2e/" + ROOM + "@127.0.0.1/" + image,
                    "screensharing?image=..%2F..%2Fconfig%2Fconference.ini"}) {
                HttpResponse<byte[]> refused = get(roomPath + escape);
                assertNotEquals(200, refused.statusCode(), escape);
                assertFalse(text(refused).contains("screensharing_idle_timeout"), escape);
            }

            // spec §3.4: screen images are not chat
            String stopped = bob.readUntil(m -> m.contains("alice@127.0.0.1 stopped sharing the screen"),
                    "the stopped notice once the frames stop");
            assertTrue(stopped.contains("agp.Message-Type: status"), stopped);
            assertTrue(bob.inbox.stream().noneMatch(m -> m.contains("application/blink-screensharing")),
                    "frames are not relayed: " + bob.inbox);
            bob.close();
            alice.close();
            // spec §3.1: the images go with the room
            ServerLogs.await("room " + ROOM + "@127.0.0.1 destroyed", Duration.ofSeconds(10));
            assertEquals("Room not found", text(get(roomPath + "screensharing?image=" + image)));
        }
    }
}
