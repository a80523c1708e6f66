package org.sylkserver.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.sylkserver.conference.chat.ChatSwitch;
import org.sylkserver.conference.chat.ChatMember;
import org.sylkserver.conference.screen.ScreenSharing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.conference.files.RoomFiles;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.codec.G711;
import org.sylkserver.media.mixer.MixerClock;

/** The room state machine without a container: real media endpoints and mixer, no SIP. */
class RoomTest {

    @TempDir
    Path config;

    private MediaEngine engine;
    private MixerClock clock;
    private ConferenceSettings settings;
    private ScreenSharing.Setup screenSharing;
    private Rooms rooms;
    private int calls;
    /** The calls the rooms hung up (a PIN refused), each when it was. */
    private final java.util.Map<Participant, CountDownLatch> hungUp = new java.util.concurrent.ConcurrentHashMap<>();
    /** What the rooms published, in order. */
    private final java.util.List<String> published = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        engine = new MediaEngine(InetAddress.getLoopbackAddress(), 44000, 44100, Duration.ZERO, RtpPolicy.OPEN);
        clock = new MixerClock(1);
        Files.writeString(config.resolve("conference.ini"), "[Conference]\nanswer_delay = 0\n\n"
                + "[locked@example.com]\npin = 42\n");
        settings = ConferenceSettings.load(config);
        screenSharing = new ScreenSharing.Setup(config.resolve("images"), "http://127.0.0.1:10888",
                Duration.ofSeconds(10), (task, delay) -> () -> { });
        rooms = rooms(new PinAttempts(5), this::publisher);
    }

    /** A publisher that keeps what the room publishes. */
    private ConferenceInfoPublisher publisher(Room room) {
        return new ConferenceInfoPublisher() {
            @Override
            public void publish(java.util.function.Supplier<String> document) {
                published.add(document.get());
            }

            @Override
            public void close(java.util.function.Supplier<String> document) {
                published.add(document.get());
            }
        };
    }

    /**
     * Rooms whose executors run each event on the thread that posts it (or on the one already running the room's
     * events), so that a test sees the room's state once its call returns.
     */
    private Rooms rooms(PinAttempts pinAttempts, java.util.function.Function<Room, ConferenceInfoPublisher> publishers) {
        return new Rooms(settings, clock, Runnable::run, screenSharing, config.resolve("files"),
                new RoomFiles.Space(RoomFiles.Quota.NONE), pinAttempts, publishers,
                (participant, why) -> hungUp.computeIfAbsent(participant, p -> new CountDownLatch(1)).countDown());
    }

    private CountDownLatch hangUpOf(Participant participant) {
        return hungUp.computeIfAbsent(participant, p -> new CountDownLatch(1));
    }

    @AfterEach
    void stop() throws Exception {
        clock.close();
        engine.close();
    }

    private Participant participant(String uri) throws Exception {
        return new Participant("call-" + (++calls), uri, null, "sip:" + uri, null, null,
                engine.openAudioEndpoint(e -> { }));
    }

    private Room join(String room, Participant p) {
        return rooms.join(room, p, 0, () -> G711.PCMU);
    }

    @Test
    void theFirstCallerCreatesTheRoomTheLastOneDestroysIt_spec3_1() throws Exception {
        Participant alice = participant("alice@example.com");
        Participant bob = participant("bob@example.com");
        Room room = join("r1@example.com", alice);
        assertSame(room, join("r1@example.com", bob), "the second caller joins the same room");
        assertEquals(2, room.participants().size());
        assertTrue(alice.member.isolated(), "a joiner hears its welcome alone");
        rooms.leave(alice, "r1@example.com");
        assertSame(room, rooms.find("r1@example.com"));
        assertTrue(alice.left());
        rooms.leave(bob, "r1@example.com");
        assertNull(rooms.find("r1@example.com"), "destroyed with the last participant");
        Participant carol = participant("carol@example.com");
        Room fresh = join("r1@example.com", carol);
        assertNotSame(room, fresh, "a later call creates a fresh room");
        assertEquals(1, fresh.participants().size());
        rooms.leave(carol, "r1@example.com");
    }

    /** Spec §3.1: a room's screen images are deleted with the room. */
    @Test
    void theScreenImagesGoWithTheRoom_spec3_1() throws Exception {
        Participant alice = participant("alice@example.com");
        Room room = join("r9@example.com", alice);
        ChatSwitch.Session sharer = new ChatSwitch.Session() {
            @Override
            public String uri() {
                return "alice@example.com";
            }

            @Override
            public String displayName() {
                return "Alice";
            }

            @Override
            public void deliver(org.sylkserver.protocols.cpim.CpimMessage message) {
            }
        };
        byte[] cpim = ("From: <sip:alice@example.com>\r\n\r\nContent-Type: application/blink-screensharing\r\n\r\n"
                + "/9j/4AAQ").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(200, room.chat.received(sharer, "message/cpim", cpim));
        Path images = config.resolve("images/r9@example.com");
        try (java.util.stream.Stream<Path> files = Files.list(images)) {
            assertEquals(1, files.count());
        }
        rooms.leave(alice, "r9@example.com");
        assertFalse(Files.exists(images));
    }

    /**
     * RFC 4575 §4 (spec §3.6): each change of the room is a new version of its conference-info, published through the
     * room's publisher; the room's end publishes a last one, without the participant who left.
     */
    @Test
    void eachChangeIsPublishedWithANewVersion_rfc4575() throws Exception {
        Participant alice = participant("alice@example.com");
        join("r3@example.com", alice);
        int afterJoin = published.size();
        assertTrue(afterJoin >= 1, "the join is published");
        assertTrue(published.get(afterJoin - 1).contains("sip:alice@example.com"), published.get(afterJoin - 1));
        rooms.find("r3@example.com").hold(alice, true);
        assertEquals(afterJoin + 1, published.size(), "the hold is published");
        assertTrue(published.get(afterJoin).contains("on-hold"));
        rooms.leave(alice, "r3@example.com");
        String last = published.get(published.size() - 1);
        assertFalse(last.contains("sip:alice@example.com"), last);
        java.util.List<Integer> versions = published.stream()
                .map(d -> Integer.parseInt(d.replaceAll("(?s).*version=\"(\\d+)\".*", "$1"))).toList();
        assertEquals(versions.stream().sorted().distinct().toList(), versions, "each document a new version");
    }

    /**
     * A call's end stops its audio at once, whatever the room's executor has queued (issue 12: a backlog of seconds
     * kept each ended call's RTP port pair and mixing that long): the ports are free and the member out of the mix
     * before the room runs the leave; a call that ends before the room took it in never enters the mix.
     */
    @Test
    void anEndedCallsAudioStopsBeforeTheRoomCatchesUp() throws Exception {
        java.util.Queue<Runnable> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Rooms queued = new Rooms(settings, clock, pending::add, screenSharing, config.resolve("files"),
                new RoomFiles.Space(RoomFiles.Quota.NONE), new PinAttempts(5), this::publisher, (p, why) -> { });
        int portsBefore = engine.portPairsInUse();
        Participant alice = participant("alice@example.com");
        Participant bob = participant("bob@example.com");
        queued.join("r5@example.com", alice, 0, () -> G711.PCMU);
        while (!pending.isEmpty()) {
            pending.poll().run();
        }
        queued.join("r5@example.com", bob, 0, () -> G711.PCMU);
        assertEquals(portsBefore + 2, engine.portPairsInUse());
        alice.hungUp();
        bob.hungUp();
        assertTrue(alice.member.hasLeft(), "out of the mix before the room's executor ran anything");
        assertFalse(alice.left(), "the room has not taken it out yet");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (engine.portPairsInUse() != portsBefore && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(portsBefore, engine.portPairsInUse(), "both pairs back (the media I/O thread gives them back)");
        queued.leave(alice, "r5@example.com");
        queued.leave(bob, "r5@example.com");
        while (!pending.isEmpty()) {
            pending.poll().run();
        }
        assertTrue(alice.left());
        assertNull(bob.member, "its call ended before the room took it in: never mixed");
    }

    /** The room's state is its executor's: an event changes nothing until the executor runs it, then in order. */
    @Test
    void eventsWaitForTheRoomsExecutor() throws Exception {
        java.util.Queue<Runnable> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Rooms queued = new Rooms(settings, clock, pending::add, screenSharing, config.resolve("files"),
                new RoomFiles.Space(RoomFiles.Quota.NONE), new PinAttempts(5), this::publisher, (p, why) -> { });
        Participant alice = participant("alice@example.com");
        Room room = queued.join("r4@example.com", alice, 0, () -> G711.PCMU);
        room.hold(alice, true);
        assertTrue(room.participants().isEmpty(), "posted, not run");
        assertEquals(Participant.State.JOINING, alice.state());
        while (!pending.isEmpty()) {
            pending.poll().run();
        }
        assertEquals(java.util.List.of(alice), room.participants());
        assertEquals(Participant.State.HELD, alice.state(), "joined, then held: in the order posted");
        assertTrue(alice.member.onHold());
        queued.leave(alice, "r4@example.com");
        assertNull(queued.find("r4@example.com"), "gone from the registry at once");
        while (!pending.isEmpty()) {
            pending.poll().run();
        }
        assertTrue(alice.left());
    }

    @Test
    void holdIsReflectedInTheMixer() throws Exception {
        Participant alice = participant("alice@example.com");
        Room room = join("r2@example.com", alice);
        room.hold(alice, true);
        assertTrue(alice.member.onHold());
        assertTrue(alice.onHold());
        room.hold(alice, false);
        assertFalse(alice.member.onHold());
        rooms.leave(alice, "r2@example.com");
    }

    @Test
    void theRightPinConnectsAfterTheWelcome() throws Exception {
        Participant alice = participant("alice@example.com");
        Room room = join("locked@example.com", alice);
        assertTrue(alice.pinPending());
        room.digit(alice, '4');
        assertTrue(alice.pinPending(), "one digit of two");
        room.digit(alice, '2');
        assertFalse(alice.pinPending(), "accepted");
        assertEquals(0, alice.pinFailures);
        assertTrue(alice.member.isolated(), "still hearing the welcome");
        rooms.leave(alice, "locked@example.com");
    }

    @Test
    void threeWrongPinsHangUp() throws Exception {
        Participant alice = participant("alice@example.com");
        CountDownLatch hungUp = hangUpOf(alice);
        Room room = join("locked@example.com", alice);
        room.digit(alice, '1');
        room.digit(alice, '#');
        room.digit(alice, '4');
        room.digit(alice, '3');
        assertEquals(2, alice.pinFailures);
        assertTrue(alice.pinPending());
        room.digit(alice, '9');
        room.digit(alice, '9');
        assertFalse(alice.pinPending());
        room.digit(alice, '4');
        room.digit(alice, '2');
        assertEquals(3, alice.pinFailures, "no more tries once refused");
        assertTrue(hungUp.await(10, TimeUnit.SECONDS), "hung up after the refusal prompt");
        rooms.leave(alice, "locked@example.com");
    }

    /**
     * Issue 11: digits still in flight after a re-INVITE removed the participant's audio (no mixer member) while the
     * room waits for its PIN are ignored; they threw NullPointerException on the media thread.
     */
    @Test
    void digitsWithoutAudioAreIgnored() throws Exception {
        Participant alice = participant("alice@example.com");
        Room room = join("locked@example.com", alice);
        room.removeAudio(alice);
        room.digit(alice, '4');
        room.digit(alice, '2');
        room.digit(alice, '#');
        assertTrue(alice.pinPending(), "no PIN entered without audio");
        assertEquals(0, alice.pinFailures);
        rooms.leave(alice, "locked@example.com");
    }

    /** Issue 11: max_subscriptions bounds a room's conference-event subscriptions; refreshes and expired ones aside. */
    @Test
    void subscriptionsPerRoomAreBounded() throws Exception {
        Participant alice = participant("alice@example.com");
        rooms = rooms(new PinAttempts(5), RoomSubscriptions::new);
        Room room = join("open@example.com", alice);
        RoomSubscriptions subscriptions = RoomSubscriptions.of(room);
        javax.servlet.sip.SipSession first = noOp(javax.servlet.sip.SipSession.class);
        javax.servlet.sip.SipSession second = noOp(javax.servlet.sip.SipSession.class);
        javax.servlet.sip.SipSession third = noOp(javax.servlet.sip.SipSession.class);
        assertTrue(subscriptions.allowed(first, 2));
        subscriptions.subscribe(first, System.currentTimeMillis() + 60_000);
        assertTrue(subscriptions.allowed(second, 2));
        subscriptions.subscribe(second, System.currentTimeMillis() + 200);
        assertFalse(subscriptions.allowed(third, 2), "two of two");
        assertTrue(subscriptions.allowed(first, 2), "a refresh is allowed");
        Thread.sleep(300);
        assertTrue(subscriptions.allowed(third, 2), "the expired one makes room");
        rooms.leave(alice, "open@example.com");
    }

    /**
     * RFC 6665 §4.2.1.2: an un-SUBSCRIBE is answered, then ended by a NOTIFY from the room's executor. The container
     * would invalidate the dialog as soon as the un-SUBSCRIBE's transaction is done (at its 200: LongLivedIT's final
     * NOTIFY failed in Restcomm's send on an invalidated session), so the session is held until the NOTIFY is out.
     */
    @Test
    void anUnsubscribedDialogIsKeptUntilItsFinalNotifyIsSent() throws Exception {
        Participant alice = participant("alice@example.com");
        rooms = rooms(new PinAttempts(5), RoomSubscriptions::new);
        Room room = join("watched@example.com", alice);
        java.util.List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        javax.servlet.sip.SipSession watcher = recording(javax.servlet.sip.SipSession.class, calls);
        RoomSubscriptions subscriptions = RoomSubscriptions.of(room);
        subscriptions.subscribe(watcher, System.currentTimeMillis() + 60_000);
        calls.clear();
        RoomSubscriptions.holdForFinalNotify(watcher);
        subscriptions.unsubscribe(watcher);
        int held = calls.indexOf("setInvalidateWhenReady[false]");
        int notify = calls.indexOf("createRequest[NOTIFY]");
        int released = calls.indexOf("setInvalidateWhenReady[true]");
        assertTrue(held >= 0 && notify > held && released > notify, "held, NOTIFY, released: " + calls);
        rooms.leave(alice, "watched@example.com");
    }

    /** {@link #noOp} that notes each call on {@code type} as {@code name[args]}. */
    @SuppressWarnings("unchecked")
    private static <T> T recording(Class<T> type, java.util.List<String> calls) {
        T quiet = noOp(type);
        return (T) java.lang.reflect.Proxy.newProxyInstance(RoomTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getName().equals("hashCode")) {
                        return System.identityHashCode(proxy);
                    }
                    if (method.getName().equals("equals")) {
                        return proxy == args[0];
                    }
                    calls.add(method.getName() + java.util.Arrays.toString(args == null ? new Object[0] : args));
                    return method.invoke(quiet, args);
                });
    }

    /** A SIP object whose methods do nothing (its interface-typed results are such objects too). */
    @SuppressWarnings("unchecked")
    private static <T> T noOp(Class<T> type) {
        return (T) java.lang.reflect.Proxy.newProxyInstance(RoomTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> type.getSimpleName();
                    default -> method.getReturnType() == boolean.class ? Boolean.TRUE
                            : method.getReturnType().isInterface() ? noOp(method.getReturnType()) : null;
                });
    }

    @Test
    void aRoomWithoutPinAsksForNone() throws Exception {
        Participant alice = participant("alice@example.com");
        Room room = join("open@example.com", alice);
        assertFalse(alice.pinPending());
        room.digit(alice, '1');
        assertEquals(0, alice.pinFailures);
        assertNotNull(alice.member);
        rooms.leave(alice, "open@example.com");
    }

    /**
     * Spec §3.4 / §3.6: a nickname set in the room's chat (RFC 7701 NICKNAME) is published at once as the
     * participant's display text in a new conference-info document, and a change again.
     */
    @Test
    void aNicknameIsPublishedInTheConferenceInfo_spec3_6() throws Exception {
        Participant alice = new Participant("c1", "alice@example.com", "Alice", "sip:alice@example.com", null, null,
                null);
        alice.chat = new ChatMember("alice@example.com", "Alice", java.util.List.of());
        Room room = rooms.join("nick@example.com", alice, -1, null);
        int before = published.size();
        assertEquals(200, room.chat.setNickname(alice.chat, "Ally"));
        assertEquals(before + 1, published.size(), "the nickname is published");
        assertTrue(published.get(before).contains("<display-text>Ally</display-text>"), published.get(before));
        assertFalse(published.get(before).contains("<display-text>Alice</display-text>"), published.get(before));
        assertEquals(200, room.chat.setNickname(alice.chat, "Ally B"));
        assertEquals(before + 2, published.size(), "the change is published");
        assertTrue(published.get(before + 1).contains("<display-text>Ally B</display-text>"));
        rooms.leave(alice, "nick@example.com");
    }

    /** A chat-only participant has no mixer member: leaving must not touch music on hold (it did: NPE). */
    @Test
    void chatOnlyParticipantsComeAndGo() throws Exception {
        Participant alice = new Participant("c1", "alice@example.com", null, "sip:alice@example.com", null, null, null);
        alice.chat = new ChatMember("alice@example.com", "", java.util.List.of());
        Room room = rooms.join("chat@example.com", alice, -1, null);
        assertNull(alice.member);
        Participant bob = participant("bob@example.com");
        join("chat@example.com", bob);
        rooms.leave(alice, "chat@example.com");
        assertEquals(1, room.participants().size());
        rooms.leave(bob, "chat@example.com");
        assertNull(rooms.find("chat@example.com"));
    }

    /**
     * Issue 11: in a PIN room the chat of a caller (welcome, history, messages) starts only once it typed the PIN; a
     * later session of the same user without audio (it cannot type a PIN) is admitted for the PIN typed.
     */
    @Test
    void nothingOfAPinRoomBeforeThePin_issue11() throws Exception {
        Participant alice = participant("alice@example.com");
        alice.chat = new ChatMember("alice@example.com", "", java.util.List.of());
        Room room = join("locked@example.com", alice);
        assertNull(alice.chat.chatSwitch(), "no chat before the PIN");
        assertFalse(room.admits("alice@example.com"));
        room.digit(alice, '4');
        room.digit(alice, '2');
        assertSame(room.chat, alice.chat.chatSwitch(), "the chat starts with the right PIN");
        assertTrue(room.admits("alice@example.com"));
        Participant chatOnly = new Participant("c2", "alice@example.com", null, "sip:alice@example.com", null, null,
                null);
        chatOnly.chat = new ChatMember("alice@example.com", "", java.util.List.of());
        rooms.join("locked@example.com", chatOnly, -1, null);
        assertSame(room.chat, chatOnly.chat.chatSwitch());
        Participant bob = participant("bob@example.com");
        join("locked@example.com", bob);
        ChatMember added = new ChatMember("bob@example.com", "", java.util.List.of());
        room.addChat(bob, added);
        assertNull(added.chatSwitch(), "chat added by re-INVITE waits for the PIN too");
        assertFalse(bob.admitted());
        rooms.leave(bob, "locked@example.com");
        rooms.leave(chatOnly, "locked@example.com");
        rooms.leave(alice, "locked@example.com");
    }

    /** Issue 11: wrong PINs count per source address too; over the limit a call is refused at once. */
    @Test
    void wrongPinsAreLimitedPerSourceAddress_issue11() throws Exception {
        rooms = rooms(new PinAttempts(2), this::publisher);
        Participant eve = new Participant("call-eve", "eve@example.com", null, "sip:eve@example.com",
                "192.0.2.66", null, engine.openAudioEndpoint(e -> { }));
        CountDownLatch hungUp = hangUpOf(eve);
        Room room = join("locked@example.com", eve);
        room.digit(eve, '1');
        room.digit(eve, '1');
        assertTrue(eve.pinPending(), "one wrong PIN: try again");
        assertTrue(rooms.mayTryPin("192.0.2.66"));
        room.digit(eve, '2');
        room.digit(eve, '2');
        assertFalse(eve.pinPending(), "refused after 2 wrong PINs from the address, before the 3 of a call");
        assertFalse(rooms.mayTryPin("192.0.2.66"));
        assertTrue(rooms.mayTryPin("192.0.2.67"));
        assertTrue(hungUp.await(10, TimeUnit.SECONDS));
        rooms.leave(eve, "locked@example.com");
    }
}
