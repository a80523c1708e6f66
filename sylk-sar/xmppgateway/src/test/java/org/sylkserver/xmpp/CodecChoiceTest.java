package org.sylkserver.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpTranscoder;
import org.sylkserver.xmpp.jingle.RtpDescription.PayloadType;

/** Spec §5.7: the codecs a Jingle call's parties are offered and the transcoding an answer leads to. */
class CodecChoiceTest {

    private static final PayloadType PCMU = new PayloadType(0, "PCMU", 8000, 1);
    private static final PayloadType OPUS = new PayloadType(111, "opus", 48000, 2);
    private static final PayloadType EVENTS_8K = new PayloadType(101, "telephone-event", 8000, 1);

    private static List<String> names(List<PayloadType> types) {
        return types.stream().map(p -> p.id() + " " + p.name() + "/" + p.clockRate()).toList();
    }

    /**
     * RFC 3264 §6.1: the answerer follows the offer's order, so the offerer's own codecs stay first (relayed at no
     * cost when taken); ours follow with numbers the offerer left free (static where RFC 3551 §6 has one), and
     * telephone-event at each new clock rate because the offerer sends events.
     */
    @Test
    void anOfferKeepsItsCodecsFirstAndGainsTheTranscodableOnes() {
        List<PayloadType> extended = CodecChoice.extend(List.of(PCMU, EVENTS_8K));
        assertEquals(List.of("0 PCMU/8000", "101 telephone-event/8000", "96 opus/48000", "97 telephone-event/48000",
                "9 G722/8000", "8 PCMA/8000"), names(extended));
        assertEquals(2, extended.get(2).channels(), "opus/48000/2 (RFC 7587 §7)");

        assertEquals(List.of("111 opus/48000", "9 G722/8000", "0 PCMU/8000", "8 PCMA/8000"),
                names(CodecChoice.extend(List.of(OPUS))), "no events offered: none added");
    }

    /** An offer with nothing we can decode gains nothing: only a codec both parties share can make that call. */
    @Test
    void anOfferWithNoTranscodableCodecIsPassedAsItIs() {
        List<PayloadType> offer = List.of(new PayloadType(18, "G729", 8000, 1), new PayloadType(3, "GSM", 8000, 1));
        assertSame(offer, CodecChoice.extend(offer));
    }

    /** A static number the offerer used for something else is not reused: ours gets a dynamic one. */
    @Test
    void aTakenStaticNumberIsNotReused() {
        List<PayloadType> extended = CodecChoice.extend(List.of(PCMU, new PayloadType(8, "G729", 8000, 1)));
        assertEquals(List.of("0 PCMU/8000", "8 G729/8000", "96 opus/48000", "9 G722/8000", "97 PCMA/8000"),
                names(extended));
    }

    /**
     * The answer took only one of ours: the offerer's first transcodable codec (its preference) against it, each in its
     * own numbering and with its ptime; telephone-event on both sides as both have it at their codec's clock rate
     * (RFC 4733 §2.1), on neither when one lacks it.
     */
    @Test
    void anAnswerWithOneOfOursIsTranscodedAgainstTheOfferersFirstCodec() {
        PayloadType gsm = new PayloadType(3, "GSM", 8000, 1);
        PayloadType pcmu = new PayloadType(0, "PCMU", 8000, 1, 30, 0, Map.of());
        List<PayloadType> offered = List.of(gsm, pcmu, EVENTS_8K);
        PayloadType answeredOpus = new PayloadType(100, "opus", 48000, 2);
        PayloadType answeredEvents = new PayloadType(102, "telephone-event", 48000, 1);

        CodecChoice.Transcoding t = CodecChoice.transcoding(offered, List.of(answeredOpus, answeredEvents));
        assertEquals(List.of(pcmu, EVENTS_8K), t.offererSide(), "GSM is not transcodable: PCMU");
        assertEquals(List.of(answeredOpus, answeredEvents), t.answererSide());
        assertEquals(new RtpTranscoder.Format("PCMU", 8000, 0, 101, 30), t.offererFormat());
        assertEquals(new RtpTranscoder.Format("opus", 48000, 100, 102, 0), t.answererFormat());

        CodecChoice.Transcoding noEvents = CodecChoice.transcoding(offered, List.of(answeredOpus));
        assertEquals(List.of(pcmu), noEvents.offererSide());
        assertEquals(-1, noEvents.offererFormat().telephoneEvent());
    }

    /** Static types without an rtpmap (RFC 3551 §6) count by their number; an answer with none of ours: null. */
    @Test
    void staticTypesWithoutRtpmapAndUnusableAnswers() {
        PayloadType bareStatic = new PayloadType(8, null, 0, 1);
        CodecChoice.Transcoding t = CodecChoice.transcoding(List.of(bareStatic), List.of(OPUS));
        assertEquals(new RtpTranscoder.Format("PCMA", 8000, 8, -1, 0), t.offererFormat());
        assertNull(CodecChoice.transcoding(List.of(PCMU), List.of(new PayloadType(18, "G729", 8000, 1))));
        assertNull(CodecChoice.transcoding(List.of(new PayloadType(18, "G729", 8000, 1)), List.of(OPUS)));
        assertEquals(false, CodecChoice.isAudioCodec(EVENTS_8K));
        assertEquals(false, CodecChoice.isAudioCodec(new PayloadType(13, null, 0, 1)), "CN, RFC 3389");
        assertEquals(true, CodecChoice.isAudioCodec(bareStatic));
    }
}
