package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Logger;

import javax.json.Json;
import javax.json.JsonObject;
import javax.json.JsonString;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, the gateway's page in a video room (spec §4.6, §4.6.8, §4.10.5): three headless Chromium browsers (fake
 * camera and microphone) open {@code /webrtcgateway/} and are driven as people drive it, through its form fields and
 * buttons: each joins the same room, shows the other two in named tiles and decodes their video and audio (Chrome's
 * statistics of the page's feed connections); a chat message typed in one page appears in the other two, a file
 * shared in one is a link in the others that downloads the same bytes; one leaves and the others remove its tile.
 *
 * <p>The room's chat goes through the SIP conference of the same name, as in {@link RoomChatIT}: the chat bridges'
 * calls go to the server's own SIP port.
 */
@ExtendWith(ArquillianExtension.class)
class RoomPageIT {

    private static final Logger LOG = Logger.getLogger(RoomPageIT.class.getName());
    private static final String PAGE = "http://127.0.0.1:18088/webrtcgateway/";
    private static final String ROOM = "garden@videoconference.example.com";
    private static final Duration SETUP = Duration.ofSeconds(20);
    private static final String[] NAMES = {"Alice", "Bob", "Carol"};
    /** Remote tiles' captions in a page, in page order. */
    private static final String TILES = "[...document.querySelectorAll('#tiles .tile:not(.self) figcaption')]"
            + ".map(caption => caption.textContent).join(',')";

    @Deployment(testable = false)
    static EnterpriseArchive everything() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = " + Sipp.SERVER + ":" + Sipp.SIP_PORT
                + ";transport=udp\nsip_domains = *\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    @Test
    void threePeopleMeetInARoomThroughThePage_spec_4_6() throws Exception {
        List<Chromium> browsers = new ArrayList<>();
        try {
            Chromium.Page[] pages = new Chromium.Page[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                browsers.add(Chromium.start(work.resolve(NAMES[i])));
                pages[i] = browsers.get(i).open(PAGE);
                pages[i].withoutAudioProcessing();
                join(pages[i], NAMES[i]);
            }
            for (int i = 0; i < NAMES.length; i++) {
                await(pages[i], "document.getElementById('room-state').textContent === 'established'");
                assertEquals(NAMES[i] + " (you)", text(pages[i], "document.querySelector('#tiles .self figcaption')"
                        + ".textContent"));
            }

            // spec §4.6.2-4.6.4: a named tile per other participant, whose video and sound Chrome decodes
            Map<String, DecodedFeed> feeds = new LinkedHashMap<>();
            for (int viewer = 0; viewer < NAMES.length; viewer++) {
                for (int publisher = 0; publisher < NAMES.length; publisher++) {
                    if (viewer != publisher) {
                        awaitTile(pages[viewer], NAMES[publisher]);
                        DecodedFeed feed = feed(pages[viewer], NAMES[publisher]);
                        Chromium.Page page = pages[viewer];
                        JsonObject decoded = feed.awaitDecoded(() -> log(page));
                        LOG.info(NAMES[viewer] + " sees " + NAMES[publisher] + ": " + decoded);
                        feeds.put(NAMES[viewer] + " sees " + NAMES[publisher], feed);
                    }
                }
            }
            assertDecodingGoesOn(feeds);

            // spec §4.6.8: a message typed in one page appears in the other two, with its sender's name
            pages[0].evaluate("document.getElementById('chat-text').value = 'Shall we start? \u00e9'");
            pages[0].evaluate("document.getElementById('chat-send').click()");
            await(pages[0], chatHas("Alice (you): Shall we start? \u00e9"));
            for (Chromium.Page other : new Chromium.Page[] {pages[1], pages[2]}) {
                await(other, chatHas("Alice: Shall we start? \u00e9"));
            }

            // spec §4.10.5: a file shared in one page is a link in the others that downloads the same bytes
            byte[] minutes = new byte[200 * 1024 + 3];
            new Random(13).nextBytes(minutes);
            Path file = Files.write(work.resolve("minutes 3.pdf"), minutes);
            pages[1].chooseFile("#share-file", file);
            pages[1].evaluate("document.getElementById('share').click()");
            for (Chromium.Page page : pages) {
                await(page, "[...document.querySelectorAll('#files a')].some(a => a.textContent === 'minutes 3.pdf')");
                String item = text(page, "document.querySelector('#files li').textContent");
                assertEquals("minutes 3.pdf (" + minutes.length + " bytes, from Bob)", item);
            }
            for (Chromium.Page page : new Chromium.Page[] {pages[0], pages[2]}) {
                HttpResponse<byte[]> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(text(page, "document.querySelector('#files a').href"))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, download.statusCode());
                assertArrayEquals(minutes, download.body());
            }

            // spec §4.6.3, §4.6.5: Carol leaves; the other two pages remove her tile and keep each other's
            pages[2].evaluate("document.getElementById('leave').click()");
            await(pages[2], "document.getElementById('room-state').textContent === 'terminated'");
            assertEquals("", text(pages[2], TILES), "Carol's page shows no one");
            await(pages[0], TILES + " === 'Bob'");
            await(pages[1], TILES + " === 'Alice'");
            for (Chromium.Page page : pages) {
                assertFalse(log(page).contains("error:"), log(page));
            }
            for (Chromium.Page page : new Chromium.Page[] {pages[0], pages[1]}) {
                page.evaluate("document.getElementById('leave').click()");
                await(page, "document.getElementById('room-state').textContent === 'terminated'");
            }
        } finally {
            for (Chromium browser : browsers) {
                browser.close();
            }
        }
    }

    /** Types the account (a name of its own) and the room into the page's fields and presses Join. */
    private static void join(Chromium.Page page, String name) throws Exception {
        page.evaluate("document.getElementById('account').value = '" + name.toLowerCase() + "@example.com'");
        page.evaluate("document.getElementById('display-name').value = '" + name + "'");
        page.evaluate("document.getElementById('room').value = '" + ROOM + "'");
        page.evaluate("document.getElementById('join').click()");
    }

    private static void awaitTile(Chromium.Page page, String name) throws Exception {
        await(page, TILES + ".split(',').includes('" + name + "')");
    }

    /** The page's feed of the participant whose display name is {@code name}. */
    private static DecodedFeed feed(Chromium.Page page, String name) {
        String participant = "[...gatewayPage.room.participants.values()].find(p => p.displayName === '" + name + "')";
        return new DecodedFeed(page, participant + "?.peer", participant + "?.state === 'established'");
    }

    /** Over two seconds, every feed decodes more frames, with a frame size, and receives more audio with sound. */
    private static void assertDecodingGoesOn(Map<String, DecodedFeed> feeds) throws Exception {
        Map<String, JsonObject> before = new LinkedHashMap<>();
        for (Map.Entry<String, DecodedFeed> feed : feeds.entrySet()) {
            before.put(feed.getKey(), feed.getValue().stats());
        }
        Thread.sleep(2000);
        for (Map.Entry<String, DecodedFeed> feed : feeds.entrySet()) {
            JsonObject then = before.get(feed.getKey());
            JsonObject now = feed.getValue().stats();
            String growth = feed.getKey() + ": " + then + " -> " + now;
            assertTrue(now.getInt("framesDecoded") > then.getInt("framesDecoded") + 10, growth);
            assertTrue(now.getInt("frameWidth") > 0, growth);
            assertTrue(now.getJsonNumber("audioBytes").longValue() > then.getJsonNumber("audioBytes").longValue(),
                    growth);
            assertTrue(now.getJsonNumber("audioEnergy").doubleValue() > then.getJsonNumber("audioEnergy").doubleValue(),
                    growth);
            LOG.info(growth);
        }
    }

    /** Waits until {@code condition} is true in the page; if it does not come, says what the page showed. */
    private static void await(Chromium.Page page, String condition) throws Exception {
        try {
            page.awaitTrue(condition, SETUP);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nroom state: "
                    + text(page, "document.getElementById('room-state').textContent") + "\npage log:\n" + log(page), e);
        }
    }

    private static String chatHas(String line) {
        return "[...document.querySelectorAll('#chat-log div')].some(line => line.textContent === "
                + Json.createValue(line) + ")";
    }

    private static String log(Chromium.Page page) throws Exception {
        return text(page, "document.getElementById('log').textContent");
    }

    private static String text(Chromium.Page page, String expression) throws Exception {
        return ((JsonString) page.evaluate(expression)).getString();
    }
}
