package org.sylkserver.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** The chat stream: which lines it takes and its answers (RFC 4975 §8, RFC 6135, spec §1.4, §3.4). */
class ChatStreamTest {

    private static final String PATH = "msrps://192.0.2.10:2855/abc;tcp";
    private final FakeMsrpSessions msrp = new FakeMsrpSessions();
    private final List<MsrpPeer> peers = new ArrayList<>();
    private final MsrpServer.Handler handler = (request, connection) -> 200;
    private final ChatStream chat = new ChatStream(msrp, "nickname private-messages", peer -> {
        peers.add(peer);
        return handler;
    });

    private static SessionDescription offer(String media) throws SdpException {
        return SessionDescription.parse("v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + media);
    }

    private static String chatLine(String setup) {
        return "m=message 2855 TCP/TLS/MSRP *\r\na=path:" + PATH + "\r\na=accept-types:message/cpim text/plain\r\n"
                + (setup == null ? "" : "a=setup:" + setup + "\r\n");
    }

    @Test
    void takesCpimChatLinesOverOurTransportButNotFileTransfers_rfc4975_s8_rfc5547_s6() throws SdpException {
        assertTrue(chat.takes(offer(chatLine(null)).media().get(0)));
        assertFalse(chat.takes(offer("m=message 2855 TCP/MSRP *\r\na=path:" + PATH + "\r\na=accept-types:*\r\n")
                .media().get(0)), "another transport");
        assertFalse(chat.takes(offer("m=message 2855 TCP/TLS/MSRP *\r\na=path:" + PATH + "\r\na=accept-types:text/plain\r\n")
                .media().get(0)), "no CPIM");
        assertFalse(chat.takes(offer(chatLine(null) + "a=file-selector:name:\"a.txt\" size:3\r\na=sendonly\r\n")
                .media().get(0)), "a file transfer");
        assertFalse(chat.takes(offer("m=audio 5004 RTP/AVP 0\r\n").media().get(0)));
    }

    @Test
    void theFirstAnswerOpensTheSessionForThePeersPathAndAnswersWithOurs_rfc4975_s8_1() throws SdpException {
        SessionDescription offer = offer(chatLine("actpass"));
        MediaDescription answer = chat.answer(offer, offer.media().get(0));
        assertEquals(1, msrp.open.size());
        assertSame(handler, chat.handler());
        assertEquals(PATH, peers.get(0).path().get(0).toString());
        assertEquals("message 2855 TCP/TLS/MSRP [*]", answer.media() + " " + answer.port() + " " + answer.proto() + " "
                + answer.formats());
        assertEquals(List.of(chat.localUri().toString()), answer.attributes("path"));
        assertEquals(List.of("message/cpim"), answer.attributes("accept-types"));
        assertEquals(List.of("*"), answer.attributes("accept-wrapped-types"));
        assertEquals(List.of("nickname private-messages"), answer.attributes("chatroom"));
    }

    @Test
    void weConnectWhenTheOfferSaysActpassOrPassive_rfc6135_spec1_4() throws SdpException {
        for (String setup : new String[] {"actpass", "passive"}) {
            SessionDescription offer = offer(chatLine(setup));
            assertEquals(List.of("active"), new ChatStream(msrp, null, p -> handler).answer(offer, offer.media().get(0))
                    .attributes("setup"));
        }
        for (String setup : new String[] {"active", null}) {
            SessionDescription offer = offer(chatLine(setup));
            ChatStream passive = new ChatStream(msrp, null, p -> handler);
            MediaDescription answer = passive.answer(offer, offer.media().get(0));
            assertEquals(List.of("passive"), answer.attributes("setup"));
            assertTrue(answer.attributes("chatroom").isEmpty(), "no chatroom capabilities but a room's");
            assertFalse(passive.peer().weConnect());
        }
    }

    @Test
    void aReofferKeepsTheSession_rfc3264_s8() throws SdpException {
        SessionDescription offer = offer(chatLine(null));
        MediaDescription first = chat.answer(offer, offer.media().get(0));
        MediaDescription again = chat.answer(offer, offer.media().get(0));
        assertEquals(first.attributes("path"), again.attributes("path"));
        assertEquals(1, msrp.open.size());
        assertEquals(1, peers.size());
    }

    @Test
    void aLineWithoutAValidPathIsRefused_rfc4975_s8_1() throws SdpException {
        SessionDescription offer = offer("m=message 2855 TCP/TLS/MSRP *\r\na=path:nonsense\r\na=accept-types:*\r\n");
        assertThrows(SdpException.class, () -> chat.answer(offer, offer.media().get(0)));
        assertTrue(msrp.open.isEmpty());
        assertFalse(ChatStream.offered(offer, "TCP/TLS/MSRP"), "the first chat line decides");
        assertTrue(ChatStream.offered(offer(chatLine(null)), "TCP/TLS/MSRP"));
        assertNull(ChatStream.path(offer.media().get(0)));
    }

    @Test
    void closingForgetsTheSession() throws SdpException {
        SessionDescription offer = offer(chatLine(null));
        chat.answer(offer, offer.media().get(0));
        chat.close();
        assertTrue(msrp.open.isEmpty());
        assertEquals(List.of(chat.localUri()), msrp.closed);
    }
}
