package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntPredicate;
import java.util.logging.Logger;

import javax.json.JsonNumber;
import javax.json.JsonObject;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 end to end: three headless Chromium browsers (fake camera and microphone) join one video room through the
 * sylkRTC API (spec §4.6) and the media engine's SFU; each attaches the other two's feeds and decodes their video and audio
 * (Chrome's own statistics: frames decoded, a frame size, audio packets with sound in them); one leaves and the other
 * two are told. The client is {@code videoroom/room-client.js}, evaluated in a page of the gateway.
 */
@ExtendWith(ArquillianExtension.class)
class VideoRoomIT {

    private static final Logger LOG = Logger.getLogger(VideoRoomIT.class.getName());
    private static final String PAGE = "http://127.0.0.1:18088/webrtcgateway/";
    private static final String ROOM = "room1@videoconference.example.com";
    private static final String SIMULCAST_ROOM = "simulcast@videoconference.example.com";
    private static final String H264_ROOM = "h264@videoconference.example.com";
    private static final Duration SETUP = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static EnterpriseArchive everything() throws IOException {
        // the simulcast test's room takes VP8 (the default is VP9, which Chrome sends in layers only when each
        // encoding has a scalabilityMode); the H.264 simulcast test's takes H.264 (spec §8.3 video_codec)
        ServerConfig.write("webrtcgateway.ini", "[General]\nsip_domains = *\n\n[" + SIMULCAST_ROOM + "]\n"
                + "video_codec = vp8\n\n[" + H264_ROOM + "]\nvideo_codec = h264\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    /**
     * Spec §4.6.2-4.6.5 (issue 13's check): three members each decode the other two's video and hear them; one
     * leaves and the other two are told (publishers-left to every member, Q10).
     */
    @Test
    void threeBrowsersSeeAndHearEachOther_spec_4_6() throws Exception {
        try (Chromium aliceBrowser = Chromium.start(work.resolve("alice"));
             Chromium bobBrowser = Chromium.start(work.resolve("bob"));
             Chromium carolBrowser = Chromium.start(work.resolve("carol"))) {
            Chromium.Page alice = client(aliceBrowser);
            String aliceId = join(alice, "alice@example.com");
            alice.awaitTrue("roomClient.events.includes('session-state:established')", SETUP);
            Chromium.Page bob = client(bobBrowser);
            String bobId = join(bob, "bob@example.com");
            assertTrue(events(bob).contains("initial-publishers:" + aliceId), events(bob));
            alice.awaitTrue("roomClient.events.includes('publishers-joined:" + bobId + "')", SETUP);
            bob.awaitTrue("roomClient.events.includes('session-state:established')", SETUP);
            Chromium.Page carol = client(carolBrowser);
            String carolId = join(carol, "carol@example.com");
            assertTrue(events(carol).contains(aliceId) && events(carol).contains(bobId), events(carol));
            alice.awaitTrue("roomClient.events.includes('publishers-joined:" + carolId + "')", SETUP);
            bob.awaitTrue("roomClient.events.includes('publishers-joined:" + carolId + "')", SETUP);

            Chromium.Page[] pages = {alice, bob, carol};
            String[] ids = {aliceId, bobId, carolId};
            for (int viewer = 0; viewer < 3; viewer++) {
                for (int publisher = 0; publisher < 3; publisher++) {
                    if (viewer != publisher) {
                        JsonObject seen = awaitDecoded(pages[viewer], ids[publisher]);
                        String pair = ids[viewer] + " sees " + ids[publisher] + ": " + seen;
                        LOG.info(pair);
                    }
                }
            }

            carol.evaluate("roomClient.leave()");
            carol.awaitTrue("roomClient.events.includes('session-state:terminated')", SETUP);
            for (Chromium.Page stayer : new Chromium.Page[] {alice, bob}) {
                stayer.awaitTrue("roomClient.events.includes('publishers-left:" + carolId + "')", SETUP);
                stayer.awaitTrue("Object.keys(roomClient.feeds).length === 1", SETUP);
                assertEquals("[]", stayer.evaluate("roomClient.errors").toString(), "client errors");
            }
            assertEquals("[]", carol.evaluate("roomClient.errors").toString(), "carol's client errors");
            String seen = "alice saw: " + events(alice) + "; bob saw: " + events(bob) + "; carol saw: " + events(carol);
            LOG.info(seen);
            for (Chromium.Page stayer : new Chromium.Page[] {bob, alice}) {
                stayer.evaluate("roomClient.leave()");
                stayer.awaitTrue("roomClient.events.includes('session-state:terminated')", SETUP);
            }
        }
    }

    /**
     * Spec Q23 (issue 13): the members learn the room's audio levels and active speaker from the RFC 6464 levels the
     * browsers send ({@code conference-audio-levels}, {@code levels[]} with {@code participant_id} and {@code rx} as
     * sylkrtc.js reads them); Chrome's fake microphone beeps, so the other publisher is heard and may speak.
     */
    @Test
    void membersLearnTheAudioLevelsAndTheActiveSpeaker_q23() throws Exception {
        try (Chromium aliceBrowser = Chromium.start(work.resolve("alice"));
             Chromium bobBrowser = Chromium.start(work.resolve("bob"))) {
            Chromium.Page alice = client(aliceBrowser);
            String aliceId = join(alice, "alice@example.com");
            Chromium.Page bob = client(bobBrowser);
            String bobId = join(bob, "bob@example.com");
            try {
                bob.awaitTrue("roomClient.audioLevels.some(m => m.session === '" + bobId
                        + "' && m.levels.some(l => l.participant_id === '" + aliceId + "' && l.rx > 0))", SETUP);
                bob.awaitTrue("roomClient.audioLevels.some(m => ['" + aliceId + "', '" + bobId
                        + "'].includes(m.active_speaker))", SETUP);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; bob's audio levels: "
                        + bob.evaluate("JSON.stringify(roomClient.audioLevels.slice(-3))") + " of "
                        + bob.evaluate("roomClient.audioLevels.length"), e);
            }
            String heard = "bob's last audio levels: " + bob.evaluate("roomClient.audioLevels.at(-1)") + ", "
                    + bob.evaluate("roomClient.audioLevels.length") + " events";
            LOG.info(heard);
            for (Chromium.Page member : new Chromium.Page[] {bob, alice}) {
                member.evaluate("roomClient.leave()");
                member.awaitTrue("roomClient.events.includes('session-state:terminated')", SETUP);
            }
        }
    }

    /**
     * RFC 8853 simulcast (issue 13, beyond the original): alice's Chrome sends three layers (rids, {@code
     * sendEncodings}); bob gets the best his bandwidth allows, carol asks for at most 100 kbit/s of alice's feed
     * ({@code videoroom-session-update} {@code bitrate} on the feed, spec §4.4) and gets the lowest layer: both decode
     * alice's video, carol's frames narrower than bob's.
     */
    @Test
    void aLimitedSubscriberGetsALowerSimulcastLayer_rfc8853() throws Exception {
        try (Chromium aliceBrowser = Chromium.start(work.resolve("alice"));
             Chromium bobBrowser = Chromium.start(work.resolve("bob"));
             Chromium carolBrowser = Chromium.start(work.resolve("carol"))) {
            Chromium.Page alice = client(aliceBrowser);
            String aliceId = join(alice, "alice@example.com", SIMULCAST_ROOM, "{simulcast: true}");
            alice.awaitTrue("roomClient.events.includes('session-state:established')", SETUP);
            Chromium.Page bob = client(bobBrowser);
            join(bob, "bob@example.com", SIMULCAST_ROOM, "{}");
            Chromium.Page carol = client(carolBrowser);
            join(carol, "carol@example.com", SIMULCAST_ROOM, "{}");
            carol.awaitTrue("roomClient.feeds['" + aliceId + "']?.established === true", SETUP);
            carol.evaluate("roomClient.limit('" + aliceId + "', 100000)");

            JsonObject bobSees = awaitDecoded(bob, aliceId);
            JsonObject carolSees = awaitDecoded(carol, aliceId);
            long deadline = System.nanoTime() + SETUP.toNanos();
            String feed = "roomClient.feeds['" + aliceId + "']";
            while (bobSees.getInt("frameWidth") <= carolSees.getInt("frameWidth") && System.nanoTime() < deadline) {
                Thread.sleep(500);
                bobSees = new DecodedFeed(bob, feed + "?.pc", feed + "?.established").stats();
                carolSees = new DecodedFeed(carol, feed + "?.pc", feed + "?.established").stats();
            }
            String widths = "bob sees alice " + bobSees + ", carol (at most 100 kbit/s) " + carolSees
                    + "; alice sends " + alice.evaluate(SENT_LAYERS);
            LOG.info(widths);
            // transport-wide congestion control: Chrome's send-side estimate grows from its 300 kbit/s start only with
            // the server's feedback, and the room's REMB (2,016,000 / (3 - 1) bit/s, spec §4.6.6) still caps it
            double available = ((JsonNumber) alice.evaluate(AVAILABLE_OUTGOING)).doubleValue();
            LOG.info("alice's availableOutgoingBitrate " + available);
            assertTrue(available > 400_000, "Chrome's estimate grew with the transport-wide feedback: " + available);
            assertTrue(available <= 1_008_000 * 1.1, "the room's REMB caps it: " + available);
            assertTrue(bobSees.getInt("frameWidth") > carolSees.getInt("frameWidth"), widths);
            assertTrue(carolSees.getInt("frameWidth") <= 320, "the quarter-size layer: " + widths);
            for (Chromium.Page member : new Chromium.Page[] {carol, bob, alice}) {
                member.evaluate("roomClient.leave()");
                member.awaitTrue("roomClient.events.includes('session-state:terminated')", SETUP);
            }
        }
    }

    /**
     * RFC 6184 simulcast in an H.264 room: alice's Chrome encodes her camera in three H.264 layers (OpenH264,
     * packetization mode 1, the format the room answered, which bob's feed offers with the same profile-level-id, RFC
     * 6184 §8.2.2); bob decodes H.264 from the layer his bandwidth allows, and once he lowers what the feed may take
     * ({@code videoroom-session-update} {@code bitrate} on the feed, spec §4.4) the server moves him to the lowest
     * layer at its next key frame, which it finds in the NAL units (the STAP-A with SPS, PPS and IDR slice Chrome
     * sends on request): his frames get narrower and go on being decoded.
     */
    @Test
    void anH264SimulcastFeedSwitchesLayersAtAKeyframe_rfc6184() throws Exception {
        try (Chromium aliceBrowser = Chromium.start(work.resolve("alice"));
             Chromium bobBrowser = Chromium.start(work.resolve("bob"))) {
            Chromium.Page alice = client(aliceBrowser);
            String aliceId = join(alice, "alice@example.com", H264_ROOM, "{simulcast: true}");
            alice.awaitTrue("roomClient.events.includes('session-state:established')", SETUP);
            Chromium.Page bob = client(bobBrowser);
            join(bob, "bob@example.com", H264_ROOM, "{}");
            String feed = "roomClient.feeds['" + aliceId + "']";
            DecodedFeed decoded = new DecodedFeed(bob, feed + "?.pc", feed + "?.established");
            awaitDecoded(bob, aliceId);
            String codec = bob.evaluate(RECEIVED_VIDEO_CODEC + "(" + feed + ".pc)").toString();
            assertTrue(codec.contains("video/H264"), "bob decodes H.264: " + codec);

            JsonObject upper = awaitWidth(decoded, width -> width > 320, "an upper layer");
            bob.evaluate("roomClient.limit('" + aliceId + "', 100000)");
            JsonObject lowest = awaitWidth(decoded, width -> width <= 320, "the lowest layer after the cap");
            decoded.awaitFramesBeyond(lowest.getInt("framesDecoded") + 10);
            String seen = "bob decodes " + codec + " of alice: " + upper + ", then at most 100 kbit/s " + lowest
                    + "; alice sends " + alice.evaluate(SENT_LAYERS);
            LOG.info(seen);
            for (Chromium.Page member : new Chromium.Page[] {bob, alice}) {
                member.evaluate("roomClient.leave()");
                member.awaitTrue("roomClient.events.includes('session-state:terminated')", SETUP);
            }
        }
    }

    /** Waits until the feed's decoded frames have a width {@code wanted} takes (and frames beyond 30). */
    private static JsonObject awaitWidth(DecodedFeed decoded, IntPredicate wanted, String what) throws Exception {
        long deadline = System.nanoTime() + SETUP.toNanos();
        JsonObject now = decoded.stats();
        while (!wanted.test(now.getInt("frameWidth"))) {
            assertTrue(System.nanoTime() < deadline, what + " never decoded: " + now);
            Thread.sleep(200);
            now = decoded.stats();
        }
        return now;
    }

    /** The mime type and decoder of the video a feed's RTCPeerConnection receives (its inbound-rtp statistics). */
    private static final String RECEIVED_VIDEO_CODEC = """
            (async peer => {
                const stats = await peer.getStats();
                let codec = '';
                stats.forEach(entry => {
                    if (entry.type === 'inbound-rtp' && entry.kind === 'video' && entry.codecId) {
                        codec = stats.get(entry.codecId)?.mimeType + ' ' + entry.decoderImplementation;
                    }
                });
                return codec;
            })""";

    /** What a simulcast publisher's Chrome sends of each layer (its outbound-rtp statistics), as JSON text. */
    private static final String SENT_LAYERS = """
            (async () => {
                const layers = [];
                (await roomClient.pc.getStats()).forEach(entry => {
                    if (entry.type === 'outbound-rtp' && entry.kind === 'video') {
                        layers.push({rid: entry.rid, width: entry.frameWidth, bytes: entry.bytesSent,
                            limitation: entry.qualityLimitationReason, active: entry.active});
                    }
                });
                return JSON.stringify(layers);
            })()""";

    /** Chrome's bandwidth estimate for a publisher's PeerConnection (its candidate pair's statistics), in bit/s. */
    private static final String AVAILABLE_OUTGOING = """
            (async () => {
                let available = -1;
                (await roomClient.pc.getStats()).forEach(entry => {
                    if (entry.type === 'candidate-pair' && entry.availableOutgoingBitrate !== undefined) {
                        available = Math.max(available, entry.availableOutgoingBitrate);
                    }
                });
                return available;
            })()""";

    private static Chromium.Page client(Chromium browser) throws Exception {
        Chromium.Page page = browser.open(PAGE);
        try (InputStream script = VideoRoomIT.class.getResourceAsStream("/videoroom/room-client.js")) {
            page.evaluate(new String(script.readAllBytes(), StandardCharsets.UTF_8));
        }
        page.evaluate("roomClient.open()");
        return page;
    }

    private static String join(Chromium.Page page, String account) throws Exception {
        return join(page, account, ROOM, "{}");
    }

    /** Joins {@code room} with the client's options ({@code room-client.js}'s {@code join}), a JavaScript object. */
    private static String join(Chromium.Page page, String account, String room, String options) throws Exception {
        String session = page.evaluate("roomClient.join('" + account + "', '" + room + "', " + options + ")")
                .toString().replace("\"", "");
        page.awaitTrue("roomClient.events.includes('session-state:accepted')", SETUP);
        page.awaitTrue("roomClient.events.some(e => e.startsWith('initial-publishers'))", SETUP);
        return session;
    }

    private static String events(Chromium.Page page) throws Exception {
        return page.evaluate("roomClient.events.join(' ')").toString();
    }

    /**
     * Waits until the feed of {@code publisher} is established and Chrome has decoded more than 30 frames of it with
     * a frame size, then sees the count grow, and has received more than 50 audio packets with sound in them.
     */
    private static JsonObject awaitDecoded(Chromium.Page page, String publisher) throws Exception {
        String feed = "roomClient.feeds['" + publisher + "']";
        DecodedFeed decoded = new DecodedFeed(page, feed + "?.pc", feed + "?.established");
        JsonObject now = decoded.awaitDecoded(() -> "events " + events(page) + ", errors "
                + page.evaluate("roomClient.errors"));
        decoded.awaitFramesBeyond(now.getInt("framesDecoded") + 10);
        return now;
    }
}
