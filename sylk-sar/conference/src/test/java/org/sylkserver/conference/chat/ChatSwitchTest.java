package org.sylkserver.conference.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.sylkserver.protocols.cpim.CpimMessage;

/** The chat switch rules of spec §3.4 (RFC 7701 style switching, RFC 3862 CPIM), without MSRP or SIP. */
class ChatSwitchTest {

    private static class Fake implements ChatSwitch.Session {
        final String uri;
        final String display;
        final List<CpimMessage> got = new ArrayList<>();

        Fake(String uri, String display) {
            this.uri = uri;
            this.display = display;
        }

        @Override
        public String uri() {
            return uri;
        }

        @Override
        public String displayName() {
            return display;
        }

        @Override
        public void deliver(CpimMessage message) {
            got.add(message);
        }

        String lastText() {
            return new String(got.get(got.size() - 1).content(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] cpim(String from, String to, String type, String text, String... extra) {
        StringBuilder s = new StringBuilder();
        if (from != null) {
            s.append("From: <").append(from).append(">\r\n");
        }
        if (to != null) {
            s.append("To: <").append(to).append(">\r\n");
        }
        for (String header : extra) {
            s.append(header).append("\r\n");
        }
        s.append("\r\nContent-Type: ").append(type).append("\r\n\r\n").append(text);
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private final List<CpimMessage> screenImages = new ArrayList<>();
    private final ChatSwitch room = new ChatSwitch("room@conference.example", 2, (sender, image) -> {
        screenImages.add(image);
        return 200;
    }, Runnable::run);
    private final Fake alice = new Fake("alice@example.com", "Alice");
    private final Fake alicePhone = new Fake("alice@example.com", "Alice");
    private final Fake bob = new Fake("bob@example.com", "Bob");
    private final Fake carol = new Fake("carol@example.com", "");

    private void everyoneJoins() {
        room.join(alice);
        room.join(alicePhone);
        room.join(bob);
        room.join(carol);
    }

    @Test
    void publicMessagesGoToEveryOtherSessionFromTheSenderToTheRoom() throws Exception {
        everyoneJoins();
        assertEquals(200, room.received(alice, "message/cpim", cpim("sip:alice@example.com",
                "sip:room@conference.example", "text/plain", "hello", "NS: imdn <urn:ietf:params:imdn>",
                "imdn.Message-ID: abc123")));
        assertTrue(alice.got.isEmpty(), "never back to the originating session");
        for (Fake other : List.of(alicePhone, bob, carol)) {
            CpimMessage m = other.got.get(0);
            assertEquals("hello", other.lastText());
            assertEquals("sip:alice@example.com", m.from().orElseThrow().uri());
            assertEquals("Alice", m.from().orElseThrow().displayName());
            assertEquals("sip:room@conference.example", m.to().get(0).uri());
            assertTrue(m.dateTime().isPresent(), "a missing DateTime is filled in");
            assertEquals("abc123", m.imdnMessageId().orElseThrow(), "IMDN headers pass through end to end");
        }
    }

    @Test
    void spoofedSendersAreDroppedAndAMissingFromIsTheSession() throws Exception {
        everyoneJoins();
        assertEquals(200, room.received(bob, "message/cpim", cpim("sip:alice@example.com", null, "text/plain", "I am Alice")));
        assertTrue(carol.got.isEmpty(), "spoofed: dropped (spec §3.4)");
        assertEquals(200, room.received(bob, "message/cpim", cpim(null, null, "text/plain", "no From")));
        assertEquals("sip:bob@example.com", carol.got.get(0).from().orElseThrow().uri());
    }

    @Test
    void privateMessagesReachTheRecipientAndTheSendersOtherDevicesOnly() throws Exception {
        everyoneJoins();
        room.received(alice, "message/cpim", cpim("sip:alice@example.com", "sip:bob@example.com", "text/plain", "psst"));
        assertEquals("psst", bob.lastText());
        assertEquals("sip:bob@example.com", bob.got.get(0).to().get(0).uri(), "To stays the recipient");
        assertEquals("psst", alicePhone.lastText(), "the sender's other session gets a copy");
        assertTrue(carol.got.isEmpty());
        assertTrue(alice.got.isEmpty());
        assertEquals(0, room.historyLength(), "private messages are not kept");
    }

    @Test
    void historyIsReplayedToJoinersAndBounded() throws Exception {
        room.join(alice);
        for (String text : List.of("one", "two", "three")) {
            room.received(alice, "message/cpim", cpim(null, null, "text/plain", text));
        }
        room.received(alice, "message/cpim", cpim(null, null, "application/im-iscomposing+xml", "<isComposing/>"));
        room.join(bob);
        assertEquals(List.of("two", "three"), bob.got.stream().map(m -> new String(m.content(), StandardCharsets.UTF_8))
                .toList(), "the last history_size public messages, oldest first; no is-composing");
    }

    /** Issue 11: history_max_size bounds the history's bytes too: large messages push the oldest out. */
    @Test
    void historyIsBoundedInBytes() throws Exception {
        ChatSwitch small = new ChatSwitch("room@conference.example", 20, 10_000, JoinInfo.SIP_ONLY, (s, i) -> 413,
                Runnable::run, () -> { });
        small.join(alice);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, small.received(alice, "message/cpim", cpim(null, null, "text/plain",
                    i + "x".repeat(3999))));
        }
        assertEquals(2, small.historyLength(), "two messages of 4000 bytes fit in 10000");
        small.join(carol);
        assertEquals(List.of("3", "4"), carol.got.stream().map(m -> new String(m.content(), StandardCharsets.UTF_8)
                .substring(0, 1)).toList(), "the newest kept, oldest first");
    }

    /** Spec §3.4/§3.7: screen images go to the room's screen sharing, never to the others nor into the history. */
    @Test
    void screenImagesAreNeitherRelayedNorKept_spec3_7() throws Exception {
        everyoneJoins();
        int before = bob.got.size();
        assertEquals(200, room.received(alice, "message/cpim", cpim("sip:alice@example.com",
                "sip:room@conference.example", "application/blink-screensharing", "/9j/4AAQ")));
        assertEquals(1, screenImages.size());
        assertEquals("/9j/4AAQ", new String(screenImages.get(0).content(), StandardCharsets.UTF_8));
        assertEquals(before, bob.got.size(), "not relayed");
        assertEquals(0, room.historyLength(), "not stored");
        assertEquals(200, room.received(bob, "message/cpim", cpim("sip:alice@example.com", null,
                "application/blink-screensharing", "/9j/4AAQ")));
        assertEquals(1, screenImages.size(), "a frame claiming another sender is dropped like any spoofed message");
    }

    @Test
    void wrongTypesAndBrokenCpimGetTheirStatus() {
        everyoneJoins();
        assertEquals(415, room.received(alice, "text/plain", "raw".getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, room.received(alice, "message/cpim", "From <broken\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(413, room.received(alice, "message/cpim", cpim(null, null, "message/imdn+xml", "<imdn/>")));
        assertEquals(200, room.received(alice, "message/cpim", new byte[0]), "an empty chunk is a keep-alive");
        assertEquals(200, room.received(alice, "message/cpim", cpim(null, null, "text/plain", "?OTR:AAMD")));
        assertTrue(bob.got.isEmpty(), "none of these reached anyone");
    }

    @Test
    void nicknamesAreUniqueAndShownAsTheSendersName_rfc7701() throws Exception {
        everyoneJoins();
        assertEquals(200, room.setNickname(alice, "ally"));
        assertEquals(425, room.setNickname(bob, "Ally"), "taken by another session");
        assertEquals(200, room.setNickname(alice, "ally"), "setting one's own again is fine");
        room.received(alice, "message/cpim", cpim(null, null, "text/plain", "hi"));
        assertEquals("ally", bob.got.get(0).from().orElseThrow().displayName());
        assertEquals(200, room.setNickname(alice, ""));
        assertEquals(200, room.setNickname(bob, "ally"), "free again once cleared");
        room.leave(bob);
        assertEquals(200, room.setNickname(carol, "ally"), "and once its owner left");
    }

    /**
     * Spec §3.4: a nickname is kept per session and as the user's last one; an empty one clears both; each change
     * (not a repetition, nor a refusal) re-sends the conference-info; the user's last nickname goes with its last
     * session.
     */
    @Test
    void eachNicknameChangeIsToldToTheConferenceInfo_spec3_4() throws Exception {
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        ChatSwitch told = new ChatSwitch("room@conference.example", 2, ChatSwitch.HISTORY_BYTES, JoinInfo.SIP_ONLY,
                (sender, image) -> 413, Runnable::run, changes::incrementAndGet);
        told.join(alice);
        told.join(alicePhone);
        told.join(bob);
        assertEquals(200, told.setNickname(alice, "ally"));
        assertEquals(1, changes.get());
        assertEquals("ally", told.nickname(alice));
        assertEquals("ally", told.lastNickname("alice@example.com"));
        assertEquals(null, told.nickname(alicePhone), "per session");
        assertEquals(200, told.setNickname(alice, "ally"));
        assertEquals(1, changes.get(), "the same again changes nothing");
        assertEquals(425, told.setNickname(bob, "ally"));
        assertEquals(1, changes.get(), "a refusal changes nothing");
        assertEquals(200, told.setNickname(alicePhone, "ally phone"));
        assertEquals(2, changes.get());
        assertEquals("ally phone", told.lastNickname("alice@example.com"), "the user's last one");
        assertEquals(200, told.setNickname(alicePhone, ""));
        assertEquals(3, changes.get());
        assertEquals(null, told.nickname(alicePhone));
        assertEquals(null, told.lastNickname("alice@example.com"), "an empty one clears the user's too");
        assertEquals(200, told.setNickname(alice, "Ally"));
        told.leave(alice);
        assertEquals("Ally", told.lastNickname("alice@example.com"), "alice's phone is still here");
        told.leave(alicePhone);
        assertEquals(null, told.lastNickname("alice@example.com"), "gone with the user's last session");
    }

    /** Spec §3.3/§3.4: the welcome to a joiner, status notices to the others, durations as the original means. */
    @Test
    void welcomeAndStatusMessagesComeFromTheRoom() throws Exception {
        room.join(alice);
        room.join(bob);
        room.welcome(carol, 2);
        assertEquals("Welcome! There are 2 more participants in the conference. Others can join by using:\n"
                + "SIP: room@conference.example", carol.lastText());
        assertEquals("sip:room@conference.example", carol.got.get(0).from().orElseThrow().uri());
        room.status("Carol <carol@example.com> has joined the room with chat", carol);
        assertEquals("Carol <carol@example.com> has joined the room with chat", bob.lastText());
        assertEquals("status", bob.got.get(0).namespaced(ChatSwitch.AGP_NAMESPACE, "Message-Type"));
        assertEquals(1, carol.got.size(), "not to the one it is about");
        assertEquals("You are the first participant", new String(welcomeOf(0), StandardCharsets.UTF_8)
                .substring("Welcome! ".length(), "Welcome! ".length() + 29));
        assertEquals("45 seconds", ChatSwitch.duration(java.time.Duration.ofSeconds(45)));
        assertEquals("02:05", ChatSwitch.duration(java.time.Duration.ofSeconds(125)));
        assertEquals("01:00:07", ChatSwitch.duration(java.time.Duration.ofSeconds(3607)));
    }

    private byte[] welcomeOf(int others) {
        Fake fresh = new Fake("dave@example.com", "");
        room.welcome(fresh, others);
        return fresh.got.get(0).content();
    }

    /** RFC 5438 §7.2.1.1 with the room as recipient (issue 5, beyond the original). */
    @Test
    void theRoomSendsTheDeliveryNotificationsASenderAskedFor() throws Exception {
        room.join(alice);
        String[] imdn = {"NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: m-0001",
                "DateTime: 2026-11-30T10:00:00Z", "imdn.Disposition-Notification: positive-delivery, negative-delivery"};
        room.received(alice, "message/cpim", cpim("sip:alice@example.com", "sip:room@conference.example",
                "text/plain", "anyone?", imdn));
        org.sylkserver.protocols.imdn.ImdnDocument failed = org.sylkserver.protocols.imdn.ImdnDocument.fromCpim(alice.got.get(0));
        assertEquals(org.sylkserver.protocols.imdn.ImdnDocument.Status.FAILED, failed.status(), "nobody else is here");
        assertEquals("m-0001", failed.messageId());
        room.join(bob);
        room.received(alice, "message/cpim", cpim("sip:alice@example.com", "sip:room@conference.example",
                "text/plain", "hello bob", imdn));
        CpimMessage notice = alice.got.get(alice.got.size() - 1);
        org.sylkserver.protocols.imdn.ImdnDocument delivered = org.sylkserver.protocols.imdn.ImdnDocument.fromCpim(notice);
        assertEquals(org.sylkserver.protocols.imdn.ImdnDocument.Status.DELIVERED, delivered.status());
        assertEquals("sip:room@conference.example", notice.from().orElseThrow().uri(), "from the room");
        assertEquals("sip:alice@example.com", notice.to().get(0).uri(), "to the sender");
        assertTrue(notice.dispositionNotification().isEmpty(), "RFC 5438 §7.1.1: an IMDN asks for no IMDN");
        int before = alice.got.size();
        room.received(alice, "message/cpim", cpim("sip:alice@example.com", "sip:room@conference.example",
                "text/plain", "no receipts please", "NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: m-0002"));
        assertEquals(before, alice.got.size(), "nothing asked, nothing sent");
    }

    /** Spec §3.3: the welcome lists every way in. */
    @Test
    void theWelcomeListsSipXmppPhonesAndTheWebPage() {
        ChatSwitch open = new ChatSwitch("room@conference.example", 2, ChatSwitch.HISTORY_BYTES,
                new JoinInfo(true, List.of("+3120", "+3130", "+3140"), "https://webrtc.example/call/$room"),
                (sender, image) -> 413, Runnable::run, () -> { });
        open.welcome(alice, 0);
        assertEquals("Welcome! You are the first participant in the conference. Others can join by using:\n"
                + "SIP/XMPP: room@conference.example\nPhones: +3120, +3130 or +3140\n"
                + "WEB: https://webrtc.example/call/room@conference.example", alice.lastText());
        room.welcome(bob, 2);
        assertEquals("Welcome! There are 2 more participants in the conference. Others can join by using:\n"
                + "SIP: room@conference.example", bob.lastText());
    }

    /** Spec §3.8: the participant's SAS, sent as application/blink-zrtp-sas, is checked by its stream. */
    @Test
    void aZrtpSasIsAcceptedOnlyWhenItsStreamVerifiesIt() {
        boolean[] verified = {false};
        Fake checked = new Fake("dave@example.com", "Dave") {
            @Override
            public boolean verifySas(String sas) {
                verified[0] = sas.equals("k7zq");
                return verified[0];
            }
        };
        room.join(checked);
        room.join(bob);
        assertEquals(413, room.received(checked, "message/cpim", cpim("sip:dave@example.com", null,
                "application/blink-zrtp-sas", "wrong")));
        assertEquals(200, room.received(checked, "message/cpim", cpim("sip:dave@example.com", null,
                "application/blink-zrtp-sas", "k7zq")));
        assertTrue(verified[0]);
        assertTrue(bob.got.isEmpty(), "a SAS is never relayed");
    }

    /** Spec §3.8: a secure chat is TLS straight to the participant; only then does a matching SAS verify ZRTP. */
    @Test
    void aChatStreamVerifiesTheSasOnlyOverTlsWithoutRelays() throws Exception {
        org.sylkserver.protocols.msrp.MsrpUri peer = org.sylkserver.protocols.msrp.MsrpUri.parse("msrps://192.0.2.1:2855/p1abc;tcp");
        org.sylkserver.protocols.msrp.MsrpUri relay = org.sylkserver.protocols.msrp.MsrpUri.parse("msrps://192.0.2.9:2855/r1abc;tcp");
        int[] confirmed = {0};
        ChatMember.Call zrtp = new ChatMember.Call(() -> "k7zq", () -> confirmed[0]++, m -> { });
        org.sylkserver.protocols.msrp.MsrpUri secure = org.sylkserver.protocols.msrp.MsrpUri.parse(
                "msrps://192.0.2.2:2855/ours1;tcp");
        ChatMember direct = new ChatMember("dave@example.com", "Dave", List.of(peer), List.of(peer), zrtp);
        direct.opened(secure);
        assertTrue(direct.verifySas("K7ZQ"), "base-32 SAS compared without case");
        assertEquals(1, confirmed[0]);
        assertTrue(!direct.verifySas("abcd"));
        ChatMember.Call noCount = new ChatMember.Call(() -> "k7zq", () -> { }, m -> { });
        ChatMember relayed = new ChatMember("dave@example.com", "Dave", List.of(relay, peer), List.of(relay, peer),
                noCount);
        relayed.opened(secure);
        assertTrue(!relayed.verifySas("k7zq"), "through a relay the chat is not secure");
        ChatMember plain = new ChatMember("dave@example.com", "Dave", List.of(peer), List.of(peer), noCount);
        plain.opened(org.sylkserver.protocols.msrp.MsrpUri.parse("msrp://192.0.2.2:2855/ours1;tcp"));
        assertTrue(!plain.verifySas("k7zq"), "without TLS the chat is not secure");
        ChatMember noZrtp = new ChatMember("dave@example.com", "Dave", List.of(peer));
        noZrtp.opened(secure);
        assertTrue(!noZrtp.verifySas("k7zq"), "no ZRTP, nothing to verify");
        assertEquals(1, confirmed[0]);
    }
}
