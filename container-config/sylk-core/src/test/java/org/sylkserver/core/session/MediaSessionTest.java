package org.sylkserver.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** The session's offer/answer rules across streams (RFC 3264 §6 answers, §8 modifying the session), on fakes. */
class MediaSessionTest {

    private final MediaSession session = new MediaSession(InetAddress.getLoopbackAddress());

    /** A stream of one media type that answers with {@code port}, or refuses when told to. */
    private static class FakeStream implements MediaStream {
        final String media;
        final int port;
        String refuse;
        final List<MediaDescription> answered = new ArrayList<>();
        boolean closed;

        FakeStream(String media, int port) {
            this.media = media;
            this.port = port;
        }

        @Override
        public boolean takes(MediaDescription offered) {
            return offered.media().equals(media);
        }

        @Override
        public MediaDescription answer(SessionDescription offer, MediaDescription m) throws SdpException {
            if (refuse != null) {
                throw new SdpException(refuse);
            }
            answered.add(m);
            return new MediaDescription(media, port, m.proto(), m.formats(), List.of(
                    new SessionDescription.Line('a', "sendrecv")));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static SessionDescription offer(String media) throws SdpException {
        return SessionDescription.parse("v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + media);
    }

    private static final String AUDIO = "m=audio 5004 RTP/AVP 0\r\n";
    private static final String VIDEO = "m=video 5006 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";
    private static final String CHAT = "m=message 2855 TCP/MSRP *\r\na=path:msrp://192.0.2.10:2855/abc;tcp\r\n";

    private static List<String> lines(SessionDescription answer) {
        return answer.media().stream().map(m -> m.media() + " " + m.port() + " " + m.proto() + " " + m.formats())
                .toList();
    }

    @Test
    void answerHasTheOffersLinesInOrderTheUnwantedDeclinedWithPortZero_rfc3264_s6() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        MediaSession.Negotiation n = session.negotiate(offer(VIDEO + AUDIO + CHAT), List.of(audio), "none");
        assertEquals(List.of("video 0 RTP/AVP [96]", "audio 50000 RTP/AVP [0]", "message 0 TCP/MSRP [*]"),
                lines(n.answer()));
        assertTrue(n.answer().media().get(0).lines().isEmpty(), "a declined line carries no attributes");
        assertEquals(List.of(audio), n.added());
        assertTrue(n.has(audio));
        assertFalse(audio.closed);
    }

    @Test
    void eachStreamTakesTheFirstLineOfItsKindAndALineOnlyOneStream_rfc3264_s6() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        FakeStream chat = new FakeStream("message", 2855);
        MediaSession.Negotiation n = session.negotiate(offer(AUDIO + AUDIO + CHAT), List.of(audio, chat), "none");
        assertEquals(List.of("audio 50000 RTP/AVP [0]", "audio 0 RTP/AVP [0]", "message 2855 TCP/MSRP [*]"),
                lines(n.answer()));
    }

    @Test
    void aRefusedLineIsDeclinedAndTheStreamTriesTheNextOfItsKind_rfc3264_s6() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000) {
            @Override
            public MediaDescription answer(SessionDescription offer, MediaDescription m) throws SdpException {
                if (m.port() == 5004) {
                    throw new SdpException("No compatible audio codec");
                }
                return super.answer(offer, m);
            }
        };
        MediaSession.Negotiation n = session.negotiate(offer(AUDIO + "m=audio 6004 RTP/AVP 8\r\n"), List.of(audio),
                "none");
        assertEquals(List.of("audio 0 RTP/AVP [0]", "audio 50000 RTP/AVP [8]"), lines(n.answer()));
    }

    @Test
    void anOfferNoStreamTakesIsRefusedWithTheLastReasonAndTheCandidatesClosed_rfc3264_s6() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        assertEquals("No audio stream offered", assertThrows(SdpException.class,
                () -> session.negotiate(offer(VIDEO), List.of(audio), "No audio stream offered")).getMessage());
        assertTrue(audio.closed);
        FakeStream refusing = new FakeStream("audio", 50000);
        refusing.refuse = "No compatible audio codec";
        assertEquals("No compatible audio codec", assertThrows(SdpException.class,
                () -> session.negotiate(offer(AUDIO), List.of(refusing), "No audio stream offered")).getMessage());
        assertTrue(session.streams().isEmpty(), "the session is unchanged");
    }

    @Test
    void aStreamTheApplicationNeverMadeIsNotInTheNegotiation() throws SdpException {
        MediaSession.Negotiation n = session.negotiate(offer(AUDIO), List.of(new FakeStream("audio", 50000)), "none");
        assertFalse(n.has(null), "a chat-only call asks about its audio, which it never opened");
    }

    @Test
    void candidatesNoLineTakesAreClosed() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        FakeStream chat = new FakeStream("message", 2855);
        MediaSession.Negotiation n = session.negotiate(offer(AUDIO), List.of(audio, chat), "none");
        assertEquals(List.of(audio), n.added());
        assertTrue(chat.closed);
        assertFalse(audio.closed);
    }

    @Test
    void aReofferKeepsTheRunningStreamOnItsLineAndAddsANewOne_rfc3264_s8_1_s8_3() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        session.negotiate(offer(AUDIO), List.of(audio), "none").accept();
        FakeStream chat = new FakeStream("message", 2855);
        MediaSession.Negotiation n = session.negotiate(offer(AUDIO + CHAT), List.of(chat), "none");
        assertEquals(List.of("audio 50000 RTP/AVP [0]", "message 2855 TCP/MSRP [*]"), lines(n.answer()));
        assertEquals(List.of(chat), n.added());
        assertTrue(n.removed().isEmpty());
        assertEquals(2, audio.answered.size(), "the running stream answered the re-offer too");
        n.accept();
        assertEquals(List.of(audio, chat), session.streams());
    }

    @Test
    void aLineWithPortZeroRemovesItsStreamAndIsAnsweredWithPortZero_rfc3264_s8_2() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        FakeStream chat = new FakeStream("message", 2855);
        session.negotiate(offer(AUDIO + CHAT), List.of(audio, chat), "none").accept();
        MediaSession.Negotiation n = session.negotiate(offer("m=audio 0 RTP/AVP 0\r\n" + CHAT), List.of(), "none");
        assertEquals(List.of("audio 0 RTP/AVP [0]", "message 2855 TCP/MSRP [*]"), lines(n.answer()));
        assertEquals(List.of(audio), n.removed());
        assertFalse(audio.closed, "the application closes a removed stream once it is out of use");
        n.accept();
        assertEquals(List.of(chat), session.streams());
    }

    @Test
    void aRefusedReofferLeavesTheSessionAsItWas_rfc3264_s8() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        session.negotiate(offer(AUDIO), List.of(audio), "none").accept();
        assertThrows(SdpException.class, () -> session.negotiate(offer(VIDEO), List.of(), "No audio stream offered"));
        assertEquals(List.of(audio), session.streams());
        assertFalse(audio.closed);
    }

    @Test
    void aDiscardedNegotiationClosesOnlyTheStreamsItWouldHaveAdded() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        session.negotiate(offer(AUDIO), List.of(audio), "none").accept();
        FakeStream chat = new FakeStream("message", 2855);
        session.negotiate(offer(AUDIO + CHAT), List.of(chat), "none").discard();
        assertTrue(chat.closed);
        assertFalse(audio.closed);
        assertEquals(List.of(audio), session.streams());
    }

    @Test
    void declineAllAnswersEveryLineWithPortZero_rfc3264_s8_2() throws SdpException {
        SessionDescription offer = offer("m=audio 0 RTP/AVP 0\r\nm=message 0 TCP/MSRP *\r\n");
        assertTrue(MediaSession.removesAll(offer));
        assertFalse(MediaSession.removesAll(offer(AUDIO)));
        assertFalse(MediaSession.removesAll(offer("")), "an offer without lines removes nothing");
        assertFalse(MediaSession.offers(offer, "audio"), "a line with port 0 is not offered");
        assertTrue(MediaSession.offers(offer(VIDEO + AUDIO), "audio"));
        assertEquals(List.of("audio 0 RTP/AVP [0]", "message 0 TCP/MSRP [*]"), lines(session.declineAll(offer)));
    }

    @Test
    void eachAnswerKeepsTheSessionIdAndIncrementsTheVersion_rfc3264_s8() throws SdpException {
        FakeStream audio = new FakeStream("audio", 50000);
        String first = session.negotiate(offer(AUDIO), List.of(audio), "none").answer().sessionLines().get(1).value();
        String second = session.declineAll(offer(AUDIO)).sessionLines().get(1).value();
        String[] a = first.split(" ");
        String[] b = second.split(" ");
        assertEquals(a[1], b[1], "session id");
        assertEquals(Long.parseLong(a[2]) + 1, Long.parseLong(b[2]), "version");
    }
}
