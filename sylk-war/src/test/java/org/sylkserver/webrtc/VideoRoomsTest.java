package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

import javax.json.Json;
import javax.json.JsonObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.core.config.AccessList;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.sfu.SfuSettings;
import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.media.webrtc.WebRtcTransport;

/**
 * The video room requests (spec §4.4, §4.6.2-4.6.5) on two connections, with the media engine's SFU answering and
 * offering (no browser connects: the media are not the point here, see ForwardingTest and VideoRoomIT): the events
 * in the original's order, every member told of joins and leaves, the original's error texts.
 */
class VideoRoomsTest {

    /** A browser's publisher offer, as Chrome shapes it (BUNDLE, ICE credentials, fingerprint, Opus and VP8). */
    static final String OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\na=mid:0\r\na=sendonly\r\n"
            + "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\na=mid:1\r\na=sendonly\r\n"
            + "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\na=rtpmap:97 rtx/90000\r\n"
            + "a=fmtp:97 apt=96\r\n";

    /** What each publisher's media report to, by session id. */
    private final Map<String, WebRtcTransport.Listener> publisherListeners = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final MixerClock mixing = new MixerClock(1);
    private final MediaEngine engine;
    private final Gateway gateway;
    private final VideoRooms rooms;

    VideoRoomsTest() throws Exception {
        engine = new MediaEngine(InetAddress.getLoopbackAddress(), 43200, 43240, Duration.ZERO, RtpPolicy.OPEN);
        GatewayConfig config = new GatewayConfig(null, List.of("*"), Set.of("*"), null, false,
                Duration.ofSeconds(120), 486, ClientLimits.DEFAULTS, false);
        VideoRoomConfig roomConfig = new VideoRoomConfig(new VideoRoomConfig.Room(2016000, "vp8", false, AccessList.OPEN, false, false),
                Map.of("novideo@example.com", new VideoRoomConfig.Room(500000, "vp8", true, AccessList.OPEN, false, false),
                        "staff@example.com", new VideoRoomConfig.Room(500000, "vp8", false,
                                new AccessList(false, List.of("example.com"), List.of("none")), false, false)), 2,
                Duration.ofMillis(500), 64, Duration.ofMillis(500), 1);
        rooms = new VideoRooms(roomConfig,
                (name, offer, settings, listener) -> {
                    publisherListeners.put(name, listener);
                    return Publisher.fromOffer(engine, name, offer, settings, listener);
                }, RoomChats.NONE, RoomFiles.DISABLED, RoomRecordings.DISABLED, mixing);
        gateway = new Gateway(config, Gateway.notStarted().registrar(), Gateway.notStarted().calls(),
                new IncomingCalls(timer, IncomingCalls.RING_TIMEOUT), Gateway.notStarted().media(), rooms, null);
    }

    @AfterEach
    void stop() throws Exception {
        timer.shutdownNow();
        mixing.close();
        engine.close();
    }

    /** One client: its connection and what it was sent. */
    private final class Client {
        final SylkRtcConnectionTest.RecordingTransport sent = new SylkRtcConnectionTest.RecordingTransport();
        final SylkRtcConnection connection = new SylkRtcConnection("192.0.2.1:40000", sent, Runnable::run,
                RequestCatalogue.SYLKRTC_2, gateway);

        Client(String account) {
            request("account-add", "\"account\":\"" + account + "\",\"password\":\"x\",\"display_name\":\"" + account
                    .substring(0, 1).toUpperCase() + account.substring(1, account.indexOf('@')) + "\"");
            sent.sent.clear();
        }

        void request(String type, String properties) {
            connection.onText("{\"sylkrtc\":\"" + type + "\",\"transaction\":\"t\"," + properties + "}", true);
        }

        void join(String account, String session) {
            request("videoroom-join", "\"account\":\"" + account + "\",\"session\":\"" + session
                    + "\",\"uri\":\"room1@videoconference.example.com\",\"sdp\":" + Json.createValue(OFFER));
        }

        List<JsonObject> messages() {
            List<JsonObject> messages = sent.sent.stream()
                    .map(text -> Json.createReader(new StringReader(text)).readObject()).toList();
            sent.sent.clear();
            return messages;
        }
    }

    private static String summary(List<JsonObject> messages) {
        return messages.stream().map(m -> m.getString("sylkrtc").equals("videoroom-event")
                ? m.getString("event") + (m.containsKey("state") ? ":" + m.getString("state") : "")
                : m.getString("sylkrtc") + (m.containsKey("error") ? ":" + m.getString("error") : ""))
                .collect(Collectors.joining(", "));
    }

    /**
     * Spec Q23: a round tells every member the publishers' levels as sylkrtc.js reads them ({@code levels[]} with
     * {@code participant_id} and {@code rx}), silence (RFC 6464 §3: 127, rx 0) before any audio and no active speaker;
     * a round where nothing changed tells nothing.
     */
    @Test
    void audioLevelsAreToldWhenTheyChange_q23() {
        Client alice = new Client("alice@example.com");
        Client bob = new Client("bob@example.com");
        alice.join("alice@example.com", "a1");
        bob.join("bob@example.com", "b1");
        alice.messages();
        bob.messages();
        rooms.tellAudioLevels();
        for (Client client : new Client[] {alice, bob}) {
            List<JsonObject> told = client.messages();
            assertEquals("conference-audio-levels", summary(told));
            assertEquals(List.of("a1=0.0", "b1=0.0"), told.get(0).getJsonArray("levels").stream()
                    .map(level -> level.asJsonObject().getString("participant_id") + "="
                            + level.asJsonObject().getJsonNumber("rx").doubleValue()).toList());
            assertFalse(told.get(0).containsKey("active_speaker"), "nobody spoke");
        }
        rooms.tellAudioLevels();
        assertEquals("", summary(alice.messages()), "nothing changed");
    }

    /** Spec §4.6.2, §4.6.3: join, the second member, attach, detach, leave; events in the original's order. */
    @Test
    void twoMembersJoinAttachAndLeave_spec_4_6() {
        Client alice = new Client("alice@example.com");
        Client bob = new Client("bob@example.com");
        alice.join("alice@example.com", "a1");
        List<JsonObject> joined = alice.messages();
        assertEquals("session-state:progress, ack, session-state:accepted, initial-publishers", summary(joined));
        JsonObject accepted = joined.get(2);
        assertTrue(accepted.getString("sdp").contains("a=recvonly"), accepted.toString());
        assertTrue(accepted.getBoolean("audio") && accepted.getBoolean("video"));
        assertEquals(0, joined.get(3).getJsonArray("publishers").size());

        bob.join("bob@example.com", "b1");
        List<JsonObject> bobJoined = bob.messages();
        assertEquals("session-state:progress, ack, session-state:accepted, initial-publishers", summary(bobJoined));
        assertEquals("{\"id\":\"a1\",\"uri\":\"alice@example.com\",\"display_name\":\"Alice\"}",
                bobJoined.get(3).getJsonArray("publishers").get(0).toString());
        List<JsonObject> toAlice = alice.messages();
        assertEquals("publishers-joined", summary(toAlice));
        assertEquals("a1", toAlice.get(0).getString("session"));
        assertEquals("b1", toAlice.get(0).getJsonArray("publishers").getJsonObject(0).getString("id"));

        bob.request("videoroom-feed-attach", "\"session\":\"b1\",\"publisher\":\"a1\",\"feed\":\"f1\"");
        List<JsonObject> attached = bob.messages();
        assertEquals("ack, feed-attached", summary(attached));
        assertEquals("f1", attached.get(1).getString("feed"));
        assertEquals("b1", attached.get(1).getString("session"));
        assertTrue(attached.get(1).getString("sdp").contains("a=sendonly"));

        bob.request("videoroom-session-trickle", "\"session\":\"f1\",\"candidates\":[]");
        bob.request("videoroom-session-update", "\"session\":\"f1\",\"options\":{\"video\":false}");
        bob.request("videoroom-session-update", "\"session\":\"b1\",\"options\":{\"audio\":false,\"bitrate\":300000}");
        bob.request("videoroom-session-update", "\"session\":\"b1\",\"options\":{\"bitrate\":0}");
        bob.request("videoroom-session-update", "\"session\":\"x\",\"options\":{}");
        bob.request("videoroom-session-update", "\"session\":\"b1\",\"options\":{\"video\":\"no\"}");
        assertEquals("ack, ack, ack, error:Invalid value for 'bitrate' property: 0 (expected: bit/s above 0), "
                + "error:Unknown room session: x, error:Invalid value for 'video' property: 'no' (expected: boolean)",
                summary(bob.messages()));
        bob.request("videoroom-feed-detach", "\"session\":\"b1\",\"feed\":\"f1\"");
        assertEquals("ack", summary(bob.messages()));

        alice.request("videoroom-leave", "\"session\":\"a1\"");
        assertEquals("session-state:terminated, ack", summary(alice.messages()));
        List<JsonObject> left = bob.messages();
        assertEquals("publishers-left", summary(left));
        assertEquals("[\"a1\"]", left.get(0).getJsonArray("publishers").toString());
        assertTrue(gateway.rooms().exists("room1@videoconference.example.com"));
        bob.connection.onClose(1000, "");
        assertTrue(!gateway.rooms().exists("room1@videoconference.example.com"), "destroyed with its last publisher");
    }

    /** A SIP phone calling room1 as carol: PCMU on a real RTP endpoint, its voice a local publisher. */
    private VideoRooms.PhoneMember phone(String uri, String aor, List<AutoCloseable> opened) throws Exception {
        RtpAudioEndpoint endpoint = engine.openAudioEndpoint(timeout -> { });
        opened.add(endpoint);
        Publisher voice = Publisher.local(engine, aor, new SfuSettings("vp8", true, false, Duration.ofMillis(500), 64));
        opened.add(voice);
        return rooms.joinPhone(uri, aor, "Carol", voice, (mix, id) -> mix.phone(id, endpoint, 0,
                () -> AudioCodecs.create("PCMU", 8000).orElseThrow(), voice));
    }

    /**
     * Issue 13: a SIP phone calling a room that exists is an audio-only publisher the members are told of
     * ({@code publishers-joined} with the caller's AOR and display name, spec §4.6.3) and attach (an offer of one
     * audio line); its hang-up is {@code publishers-left} to every member; a room that does not exist is 404 (a
     * video room exists while it has publishers, spec §4.6.1), one over {@code max_phones} 486. The room's mix runs
     * while it has a phone.
     */
    @Test
    void aSipPhoneJoinsAsAnAudioOnlyPublisher_issue13() throws Exception {
        String room = "room1@videoconference.example.com";
        List<AutoCloseable> opened = new java.util.ArrayList<>();
        try {
            VideoRooms.PhoneRefused none = assertThrows(VideoRooms.PhoneRefused.class,
                    () -> phone(room, "carol@example.org", opened));
            assertEquals(404, none.status());
            assertFalse(rooms.exists(room), "a phone creates no room");

            Client alice = new Client("alice@example.com");
            alice.join("alice@example.com", "a1");
            alice.messages();
            VideoRooms.PhoneMember carol = phone(room, "carol@example.org", opened);
            List<JsonObject> joined = alice.messages();
            assertEquals("publishers-joined", summary(joined));
            assertEquals("{\"id\":\"" + carol.id() + "\",\"uri\":\"carol@example.org\",\"display_name\":\"Carol\"}",
                    joined.get(0).getJsonArray("publishers").get(0).toString());

            VideoRooms.PhoneRefused full = assertThrows(VideoRooms.PhoneRefused.class,
                    () -> phone(room, "dave@example.org", opened));
            assertEquals(486, full.status());
            assertTrue(full.getMessage().contains("phones"), full.getMessage());
            VideoRooms.PhoneRefused staff = assertThrows(VideoRooms.PhoneRefused.class,
                    () -> phone("staff@example.com", "dave@example.org", opened));
            assertEquals(404, staff.status());

            alice.request("videoroom-feed-attach", "\"session\":\"a1\",\"publisher\":\"" + carol.id()
                    + "\",\"feed\":\"f1\"");
            List<JsonObject> attached = alice.messages();
            assertEquals("ack, feed-attached", summary(attached));
            String offer = attached.get(1).getString("sdp");
            assertEquals(1, org.sylkserver.protocols.sdp.SessionDescription.parse(offer).media().size(), offer);
            assertTrue(offer.contains("m=audio") && offer.contains("opus/48000/2"), offer);

            assertEquals(2, rooms.mixMembers(room), "alice's audio and the phone");
            carol.leave();
            assertEquals(0, rooms.mixMembers(room), "no phone, no recording: the mix stops");
            List<JsonObject> left = alice.messages();
            assertEquals("publishers-left", summary(left));
            assertEquals("[\"" + carol.id() + "\"]", left.get(0).getJsonArray("publishers").toString());
            carol.leave();
            assertEquals("", summary(alice.messages()), "a second hang-up tells nothing");
            assertTrue(rooms.exists(room));
            VideoRooms.PhoneMember dave = phone(room, "dave@example.org", opened);
            assertEquals(2, rooms.mixMembers(room), "a new mix hears alice again");
            dave.leave();
        } finally {
            for (AutoCloseable resource : opened) {
                resource.close();
            }
        }
    }

    /** Spec §4.4: the original's error texts. */
    @Test
    void unknownSessionsAndFeeds_spec_4_4() {
        Client alice = new Client("alice@example.com");
        alice.join("carol@example.com", "a1");
        assertEquals("error:Unknown account specified: carol@example.com", summary(alice.messages()));
        alice.join("alice@example.com", "a1");
        alice.messages();
        alice.join("alice@example.com", "a1");
        assertEquals("error:Session ID a1 already in use", summary(alice.messages()));
        alice.request("videoroom-feed-attach", "\"session\":\"zz\",\"publisher\":\"a1\",\"feed\":\"f1\"");
        alice.request("videoroom-feed-attach", "\"session\":\"a1\",\"publisher\":\"p9\",\"feed\":\"f1\"");
        alice.request("videoroom-feed-attach", "\"session\":\"a1\",\"publisher\":\"p9\",\"feed\":\"a1\"");
        alice.request("videoroom-feed-answer", "\"session\":\"a1\",\"feed\":\"f9\",\"sdp\":\"v=0\"");
        alice.request("videoroom-feed-detach", "\"session\":\"a1\",\"feed\":\"f9\"");
        alice.request("videoroom-session-trickle", "\"session\":\"f9\",\"candidates\":[]");
        alice.request("videoroom-leave", "\"session\":\"f9\"");
        alice.request("videoroom-join", "\"account\":\"alice@example.com\",\"session\":\"a2\",\"uri\":\"r@x\"");
        assertEquals("error:Unknown room session: zz, "
                + "error:Unknown publisher room session to attach to: p9, "
                + "error:Video room session ID a1 already in use, "
                + "error:Unknown room session: f9, "
                + "error:Unknown room session to detach: f9, "
                + "error:Unknown room session: f9, "
                + "error:Unknown room session: f9, "
                + "error:Mandatory property 'sdp' of 'VideoroomJoinRequest' object is missing",
                summary(alice.messages()));
    }

    /** A feed answered under another publisher session, an offer without usable media, a full room. */
    @Test
    void wrongParentBadOfferAndFullRoom() {
        Client alice = new Client("alice@example.com");
        Client bob = new Client("bob@example.com");
        alice.join("alice@example.com", "a1");
        alice.join("alice@example.com", "a2");
        bob.join("bob@example.com", "b1");
        alice.messages();
        assertEquals("error:Maximum number of publishers (2) already reached",
                summary(bob.messages()).replaceAll("^.*error", "error"));
        alice.request("videoroom-feed-attach", "\"session\":\"a1\",\"publisher\":\"a2\",\"feed\":\"f1\"");
        alice.request("videoroom-feed-answer", "\"session\":\"a2\",\"feed\":\"f1\",\"sdp\":\"v=0\"");
        alice.request("videoroom-feed-answer", "\"session\":\"a1\",\"feed\":\"f1\",\"sdp\":\"v=0\"");
        List<JsonObject> messages = alice.messages();
        assertEquals("ack, feed-attached, error:f1 is not an attached feed of a2, error", summary(messages)
                .replaceAll("error:Invalid SDP.*", "error"));
        assertTrue(messages.get(3).getString("error").startsWith("Invalid SDP: "), messages.get(3).toString());
        bob.request("videoroom-join", "\"account\":\"bob@example.com\",\"session\":\"b2\",\"uri\":\"other@x.com\","
                + "\"sdp\":" + Json.createValue(OFFER.replace("opus", "PCMU").replace("VP8", "H261")));
        assertTrue(summary(bob.messages()).startsWith("error:Invalid SDP: "));
        assertTrue(!gateway.rooms().exists("other@x.com"), "a failed join leaves no room behind");
    }

    /** Spec §4.6.2, §8.3: a room's access list refuses a join with the original's error, and no room is left. */
    @Test
    void accessListRefusesAJoin_spec_4_6_2() {
        Client mallory = new Client("mallory@elsewhere.example");
        mallory.request("videoroom-join", "\"account\":\"mallory@elsewhere.example\",\"session\":\"m1\","
                + "\"uri\":\"staff@example.com\",\"sdp\":" + Json.createValue(OFFER));
        assertEquals("error:mallory@elsewhere.example is not allowed to join room staff@example.com",
                summary(mallory.messages()).replaceAll("^.*error", "error"));
        assertTrue(!gateway.rooms().exists("staff@example.com"), "a refused join leaves no room behind");
    }

    /** Spec §4.6.6-4.6.7: configure, mute-audio and raised hands reach every member; what a joiner learns. */
    @Test
    void activeParticipantsMuteAndHands_spec_4_6_6() {
        Client alice = new Client("alice@example.com");
        Client bob = new Client("bob@example.com");
        alice.join("alice@example.com", "a1");
        bob.join("bob@example.com", "b1");
        alice.messages();
        bob.messages();
        alice.request("videoroom-configure", "\"session\":\"a1\",\"active_participants\":[\"b1\"]");
        assertEquals("configure, ack", summary(alice.messages()));
        List<JsonObject> toBob = bob.messages();
        assertEquals("{\"sylkrtc\":\"videoroom-event\",\"session\":\"b1\",\"event\":\"configure\","
                + "\"originator\":\"a1\",\"active_participants\":[\"b1\"]}", toBob.get(0).toString());
        alice.request("videoroom-configure", "\"session\":\"a1\",\"active_participants\":[\"x9\"]");
        alice.request("videoroom-configure", "\"session\":\"a1\",\"active_participants\":[\"a1\",\"b1\",\"a1\"]");
        assertEquals("error:unknown participant session id: x9, error:Invalid value for 'active_participants' "
                + "property: [a1, b1, a1] (expected: at most 2 distinct session ids)", summary(alice.messages()));

        bob.request("videoroom-mute-audio-participants", "\"session\":\"b1\"");
        assertEquals("mute-audio, ack", summary(bob.messages()));
        assertEquals("b1", alice.messages().get(0).getString("originator"));

        bob.request("videoroom-toggle-hand", "\"session\":\"b1\"");
        alice.request("videoroom-toggle-hand", "\"session\":\"a1\"");
        alice.request("videoroom-toggle-hand", "\"session\":\"a1\",\"session_id\":\"b1\"");
        List<JsonObject> hands = alice.messages();
        assertEquals("raised-hands, raised-hands, ack, raised-hands, ack", summary(hands));
        assertEquals("[\"b1\",\"a1\"]", hands.get(1).getJsonArray("raised_hands").toString());
        assertEquals("[\"a1\"]", hands.get(3).getJsonArray("raised_hands").toString());
        bob.messages();

        Client carol = new Client("carol@example.com");
        bob.request("videoroom-leave", "\"session\":\"b1\"");
        List<JsonObject> afterLeave = alice.messages();
        assertEquals("publishers-left, configure", summary(afterLeave), "an active participant left");
        assertEquals("videoroom", afterLeave.get(1).getString("originator"));
        carol.join("carol@example.com", "c1");
        assertEquals("session-state:progress, ack, session-state:accepted, initial-publishers, raised-hands",
                summary(carol.messages()));
    }

    /** Spec §4.6.1, §8.3: a room whose section sets video_disabled carries audio only, whatever the join asks. */
    @Test
    void aRoomWithVideoDisabled_spec_8_3() {
        Client alice = new Client("alice@example.com");
        alice.request("videoroom-join", "\"account\":\"alice@example.com\",\"session\":\"a1\","
                + "\"uri\":\"sip:novideo@example.com\",\"sdp\":" + Json.createValue(OFFER));
        JsonObject accepted = alice.messages().get(2);
        assertEquals(false, accepted.getBoolean("video"));
        assertTrue(accepted.getString("sdp").contains("m=video 0 "), accepted.getString("sdp"));
    }

    /**
     * Spec §4.6.7: conference-invite to the other connections where an invited account is authenticated; not to one
     * that only added it.
     */
    @Test
    void invitationsReachTheInvitedAccounts_spec_4_6_7() {
        Client alice = new Client("alice@example.com");
        Client carol = new Client("carol@example.com");
        Client mallory = new Client("carol@example.com");
        gateway.incoming().authenticated("carol@example.com", carol.connection);
        alice.join("alice@example.com", "a1");
        alice.messages();
        alice.request("videoroom-invite", "\"session\":\"a1\",\"participants\":[\"sip:carol@example.com\","
                + "\"dave@example.com\"]");
        assertEquals("ack", summary(alice.messages()));
        List<JsonObject> invited = carol.messages();
        assertEquals(1, invited.size());
        JsonObject invite = invited.get(0);
        assertEquals("account-event", invite.getString("sylkrtc"));
        assertEquals("conference-invite", invite.getString("event"));
        assertEquals("carol@example.com", invite.getString("account"));
        assertEquals("room1@videoconference.example.com", invite.getString("room"));
        assertEquals("{\"uri\":\"alice@example.com\",\"display_name\":\"Alice\"}",
                invite.getJsonObject("originator").toString());
        assertEquals(36, invite.getString("session_id").length());
        assertEquals(0, mallory.messages().size(), "only named the account");
        alice.request("videoroom-invite", "\"session\":\"a1\",\"participants\":[\"carol@example.com\","
                + "\"sip:carol@example.com\"]");
        alice.request("videoroom-invite", "\"session\":\"a1\",\"participants\":[\"not an aor\"]");
        assertEquals("error:Invalid value for 'participants' property: 'sip:carol@example.com' (expected: unique "
                + "items), error:Invalid value for 'participants' property: 'not an aor' (expected: SIP address of "
                + "record)", summary(alice.messages()));
    }

    /** Issue 13: a publisher whose browser vanished (no ICE consent) is dropped and the room told. */
    @Test
    void aPublisherThatVanishesIsDropped() {
        Client alice = new Client("alice@example.com");
        Client bob = new Client("bob@example.com");
        alice.join("alice@example.com", "a1");
        bob.join("bob@example.com", "b1");
        alice.messages();
        bob.messages();
        publisherListeners.get("a1").failed("no media and no ICE consent from the browser for the RTP timeout");
        List<JsonObject> toAlice = alice.messages();
        assertEquals("session-state:terminated", summary(toAlice));
        assertEquals("no media and no ICE consent from the browser for the RTP timeout",
                toAlice.get(0).getString("reason"));
        assertEquals("publishers-left", summary(bob.messages()));
        alice.request("videoroom-leave", "\"session\":\"a1\"");
        assertEquals("error:Unknown room session: a1", summary(alice.messages()));
    }

    /**
     * Spec §4.6.8: room chat requests are taken (no longer "Unknown request type"); without a SIP side the chat cannot
     * start, so a message is reported undelivered, as the original does when the conference cannot be reached.
     */
    @Test
    void roomChatRequestsAreTaken_spec_4_6_8() {
        Client alice = new Client("alice@example.com");
        alice.join("alice@example.com", "a1");
        alice.messages();
        alice.request("videoroom-message", "\"session\":\"a1\",\"message_id\":\"rm-1\",\"content\":\"hi all\","
                + "\"content_type\":\"text/plain\"");
        List<JsonObject> answered = alice.messages();
        assertEquals("message-delivery, ack", summary(answered));
        JsonObject delivery = answered.get(0);
        assertEquals("rm-1", delivery.getString("message_id"));
        assertEquals(false, delivery.getBoolean("delivered"));
        assertEquals(0, delivery.getInt("code"));
        assertEquals("Chat session ended", delivery.getString("reason"));
        alice.request("videoroom-composing-indication", "\"session\":\"a1\",\"state\":\"active\",\"refresh\":60");
        alice.request("videoroom-composing-indication", "\"session\":\"a1\",\"state\":\"bored\"");
        alice.request("videoroom-message", "\"session\":\"nobody\",\"message_id\":\"rm-2\",\"content\":\"x\","
                + "\"content_type\":\"text/plain\"");
        alice.request("videoroom-message", "\"session\":\"a1\",\"content\":\"x\",\"content_type\":\"text/plain\"");
        assertEquals("ack, error:Invalid value for 'state' property: 'bored' (expected: active or idle), "
                + "error:Unknown room session: nobody, error:Mandatory property 'message_id' of "
                + "'VideoroomMessageRequest' object is missing", summary(alice.messages()));
    }
}
