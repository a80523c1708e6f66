package org.sylkserver.webrtc.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.sip.Address;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.webrtc.RoomsForTests;
import org.sylkserver.webrtc.VideoRooms;

/**
 * Issue 13: a SIP phone's INVITE to {@code room@videoconference.<domain>} as the gateway servlet hands it over, with
 * the container's objects faked and the real media engine and rooms: the answer, the refusals, re-INVITE, BYE.
 */
class RoomPhoneCallTest {

    private static final String ROOM = "room1@videoconference.example.com";

    private final MediaEngine engine;
    private final MixerClock mixing = new MixerClock(1);
    private final VideoRooms rooms = RoomsForTests.rooms(mixing);
    private final AudioStream.Settings audio = new AudioStream.Settings(
            new AudioAnswerer(List.of("opus", "PCMU", "PCMA"), "disabled"), false, Path.of("zrtp.zid"));
    /** Whether sending a response fails (the transport is down). */
    private boolean failSend;
    /** Final responses in the order sent: status, then the body if any. */
    private final List<String> sent = new ArrayList<>();
    private final RoomPhoneCall.Responder responder = new RoomPhoneCall.Responder() {
        @Override
        public void reply(SipServletRequest request, int status, String reason) {
            sent.add(request.getMethod() + " " + status);
        }

        @Override
        public void notAcceptable(SipServletRequest request, SdpException e) {
            sent.add(request.getMethod() + " 488");
        }
    };

    RoomPhoneCallTest() throws Exception {
        engine = new MediaEngine(InetAddress.getLoopbackAddress(), 43440, 43480, Duration.ZERO, RtpPolicy.OPEN);
    }

    @AfterEach
    void stop() throws Exception {
        mixing.close();
        engine.close();
    }

    private static String offer(String formats, String direction) {
        StringBuilder sdp = new StringBuilder("v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                + "t=0 0\r\nm=audio 40000 RTP/AVP " + formats + "\r\n");
        sdp.append("a=").append(direction).append("\r\n");
        return sdp.toString();
    }

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("toString")) {
                return String.valueOf(answers.getOrDefault("toString", type.getSimpleName()));
            }
            if (!answers.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
            }
            Object answer = answers.get(method.getName());
            try {
                return answer instanceof java.util.function.Function<?, ?> function
                        ? ((java.util.function.Function<Object[], Object>) function).apply(args) : answer;
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        });
    }

    private static SipURI uri(String user, String host) {
        return fake(SipURI.class, Map.of("getUser", user == null ? "" : user, "getHost", host,
                "toString", "sip:" + user + "@" + host));
    }

    /** A SIP session that keeps its attributes and records the requests created in it. */
    private final Map<String, Object> attributes = new HashMap<>();
    private final SipSession session = fake(SipSession.class, Map.of(
            "setAttribute", (java.util.function.Function<Object[], Object>) args -> attributes.put((String) args[0],
                    args[1]),
            "getAttribute", (java.util.function.Function<Object[], Object>) args -> attributes.get((String) args[0]),
            "isValid", true));

    private SipServletRequest request(String method, String sdp) {
        Map<String, Object> answers = new HashMap<>();
        answers.put("getMethod", method);
        answers.put("getRequestURI", uri("room1", "videoconference.example.com"));
        answers.put("getFrom", fake(Address.class, Map.of("getURI", uri("carol", "example.org"),
                "getDisplayName", "Carol")));
        answers.put("getContentType", sdp == null ? null : "application/sdp");
        answers.put("getRawContent", sdp == null ? null : sdp.getBytes(StandardCharsets.US_ASCII));
        answers.put("getSession", session);
        answers.put("createResponse", (java.util.function.Function<Object[], Object>) args -> {
            byte[][] body = new byte[1][];
            Map<String, Object> response = new HashMap<>();
            response.put("setContent", (java.util.function.Function<Object[], Object>) content -> {
                body[0] = (byte[]) content[0];
                return null;
            });
            response.put("send", (java.util.function.Function<Object[], Object>) none -> {
                if (failSend) {
                    throw new java.io.UncheckedIOException(new java.io.IOException("transport down"));
                }
                sent.add(method + " " + args[0] + (body[0] == null ? "" : "\n" + new String(body[0],
                        StandardCharsets.US_ASCII)));
                return null;
            });
            return fake(SipServletResponse.class, response);
        });
        return fake(SipServletRequest.class, answers);
    }

    private void invite(String sdp) throws Exception {
        RoomPhoneCall.answer(request("INVITE", sdp), ROOM, rooms, engine, InetAddress.getLoopbackAddress(), audio,
                InetAddress.getLoopbackAddress(), responder);
    }

    /** Issue 13, spec §4.7.4: a room's address is {@code room@videoconference.<domain>}; nothing else is a room. */
    @Test
    void roomAddresses() {
        assertEquals(ROOM, RoomPhoneCall.room(uri("room1", "videoconference.example.com")));
        assertEquals("room1@VideoConference.example.com", RoomPhoneCall.room(uri("room1",
                "VideoConference.example.com")));
        assertNull(RoomPhoneCall.room(uri("room1", "conference.example.com")));
        assertNull(RoomPhoneCall.room(uri("room1", "example.com")));
        assertNull(RoomPhoneCall.room(uri(null, "videoconference.example.com")), "no room without a user part");
        assertNull(RoomPhoneCall.room(fake(URI.class, Map.of("getScheme", "tel"))));
    }

    /**
     * Issue 13: a room that does not exist is 404 (a phone creates none); in a room, the phone's codec is answered
     * (RFC 3264 §6.1: PCMU, the first it offered that the server has) and it is a publisher; a second phone is 486
     * (max_phones 1); an offer without audio 488.
     */
    @Test
    void aPhoneJoinsARoomThatExists() throws Exception {
        invite(offer("0 8", "sendrecv"));
        assertEquals(List.of("INVITE 404"), sent);
        assertEquals(List.of(), RoomsForTests.members(rooms, ROOM));

        RoomsForTests.publisher(rooms, engine, ROOM, "alice");
        sent.clear();
        invite(offer("0 8", "sendrecv"));
        assertEquals(1, sent.size(), sent.toString());
        String answer = sent.get(0);
        assertTrue(answer.startsWith("INVITE 200\n"), answer);
        assertTrue(answer.contains("m=audio ") && answer.contains(" RTP/AVP 0") && answer.contains("a=sendrecv"),
                answer);
        assertNotNull(attributes.get(RoomPhoneCall.CALL), "the dialog's requests find the call");
        List<String> members = RoomsForTests.members(rooms, ROOM);
        assertEquals(2, members.size(), members.toString());
        assertEquals("alice", members.get(0));

        RoomPhoneCall call = RoomPhoneCall.of(session);
        attributes.clear();
        sent.clear();
        invite(offer("0", "sendrecv"));
        assertEquals(List.of("INVITE 486"), sent, "one phone a room here");
        sent.clear();
        RoomPhoneCall.answer(request("INVITE", offer("0", "sendrecv").replace("m=audio", "m=video")), ROOM, rooms,
                engine, InetAddress.getLoopbackAddress(), audio, InetAddress.getLoopbackAddress(), responder);
        assertEquals(List.of("INVITE 488"), sent);
        sent.clear();

        // RFC 3264 §8.4: hold is answered recvonly; a new codec is refused, the call stays
        call.request(request("INVITE", offer("0 8", "sendonly")), responder);
        assertTrue(sent.get(0).startsWith("INVITE 200\n") && sent.get(0).contains("a=recvonly"), sent.toString());
        assertTrue(call.onHold(), "held: out of the mix both ways");
        sent.clear();
        call.request(request("INVITE", offer("0 8", "sendrecv")), responder);
        assertTrue(sent.get(0).startsWith("INVITE 200\n") && sent.get(0).contains("a=sendrecv"), sent.toString());
        assertTrue(!call.onHold(), "resumed");
        sent.clear();
        call.request(request("INVITE", offer("8", "sendrecv")), responder);
        assertEquals(List.of("INVITE 488"), sent);
        sent.clear();

        call.request(request("BYE", null), responder);
        assertEquals(List.of("BYE 200"), sent);
        assertEquals(List.of("alice"), RoomsForTests.members(rooms, ROOM), "publishers-left: the phone is gone");
        sent.clear();
        call.request(request("INVITE", offer("0", "sendrecv")), responder);
        assertEquals(List.of("INVITE 481"), sent, "RFC 3261 §12.2.2: the dialog is over");

        // an answer that cannot be sent leaves no phone in the room
        attributes.clear();
        failSend = true;
        assertThrows(java.io.IOException.class, () -> invite(offer("0", "sendrecv")));
        assertEquals(List.of("alice"), RoomsForTests.members(rooms, ROOM));
    }
}
