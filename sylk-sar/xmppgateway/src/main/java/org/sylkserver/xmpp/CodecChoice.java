package org.sylkserver.xmpp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.sylkserver.media.RtpTranscoder;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.xmpp.jingle.RtpDescription.PayloadType;

/**
 * The codecs of a Jingle call (spec §5.7): what each party is offered and, when the answerer took none of the
 * offerer's own codecs, which pair the media engine transcodes between. The offer passed on keeps the offerer's codecs
 * first, so an answerer that shares one takes it (RFC 3264 §6.1: the offer's order is its preference) and the media is
 * relayed as it is; after them come the codecs of {@link #TRANSCODABLE} the offerer lacks, and, when it offered
 * RFC 4733 telephone-event, telephone-event at their clock rates. Nothing is added when no codec of the offerer is
 * transcodable: then only a shared codec makes a call. {@code docs/codecs.md} says why these codecs.
 */
final class CodecChoice {

    /**
     * What we transcode between, in the order added to offers: Opus (RFC 7587; every Jingle client has it), G.722,
     * PCMU and PCMA (every SIP phone has one of these). Each takes any packet time the other party asks for, which
     * GSM, iLBC and Speex (fixed frames) do not. A negative id: a dynamic number is chosen.
     */
    static final List<PayloadType> TRANSCODABLE = List.of(
            new PayloadType(-1, "opus", 48000, 2, 0, 0, Map.of("useinbandfec", "1")),
            new PayloadType(9, "G722", 8000, 1), new PayloadType(0, "PCMU", 8000, 1),
            new PayloadType(8, "PCMA", 8000, 1));

    private static final String TELEPHONE_EVENT = "telephone-event";

    private CodecChoice() {
    }

    /** The offer to pass on: {@code offered}, then the transcodable codecs it lacks (see the class comment). */
    static List<PayloadType> extend(List<PayloadType> offered) {
        if (transcodable(offered) == null) {
            return offered;
        }
        Set<Integer> used = new HashSet<>();
        offered.forEach(p -> used.add(p.id()));
        Set<Integer> eventClocks = new HashSet<>();
        offered.stream().filter(CodecChoice::isTelephoneEvent).forEach(p -> eventClocks.add(p.clockRate()));
        boolean events = !eventClocks.isEmpty();
        List<PayloadType> extended = new ArrayList<>(offered);
        for (PayloadType codec : TRANSCODABLE) {
            if (offered.stream().anyMatch(o -> same(o, codec))) {
                continue;
            }
            int id = codec.id() >= 0 && !used.contains(codec.id()) ? codec.id() : free(used);
            if (id < 0) {
                return extended; // RFC 3551 §3: 96-127 are all the dynamic numbers there are
            }
            used.add(id);
            extended.add(new PayloadType(id, codec.name(), codec.clockRate(), codec.channels(), 0, 0,
                    codec.parameters()));
            if (events && eventClocks.add(codec.clockRate()) && free(used) >= 0) {
                int event = free(used);
                used.add(event);
                extended.add(new PayloadType(event, TELEPHONE_EVENT, codec.clockRate(), 1, 0, 0, Map.of("0-15", "")));
            }
        }
        return extended;
    }

    /**
     * The transcoding for an answer that took none of the offerer's codecs: the offerer's first transcodable codec
     * (its preference) against the answer's first codec of ours, with telephone-event on both sides when both have
     * it at their codec's clock rate (RFC 4733 §2.1), else on neither (nobody sends events the other cannot get);
     * null when the answer has no codec we can transcode to.
     */
    static Transcoding transcoding(List<PayloadType> offered, List<PayloadType> answer) {
        PayloadType offerer = transcodable(offered);
        PayloadType answerer = transcodable(answer);
        if (offerer == null || answerer == null) {
            return null;
        }
        PayloadType offererEvents = events(offered, offerer.clockRate());
        PayloadType answererEvents = events(answer, answerer.clockRate());
        boolean both = offererEvents != null && answererEvents != null;
        return new Transcoding(offerer, both ? offererEvents : null, answerer, both ? answererEvents : null);
    }

    /**
     * A transcoded call's codecs, each party's in its own numbering; the events' types null when not passed.
     */
    record Transcoding(PayloadType offerer, PayloadType offererEvents, PayloadType answerer,
                       PayloadType answererEvents) {

        /** The codecs in our answer to the offerer: its codec and its telephone-event. */
        List<PayloadType> offererSide() {
            return offererEvents == null ? List.of(offerer) : List.of(offerer, offererEvents);
        }

        /** The codecs the answerer took: its codec and its telephone-event. */
        List<PayloadType> answererSide() {
            return answererEvents == null ? List.of(answerer) : List.of(answerer, answererEvents);
        }

        RtpTranscoder.Format offererFormat() {
            return format(offerer, offererEvents);
        }

        RtpTranscoder.Format answererFormat() {
            return format(answerer, answererEvents);
        }

        private static RtpTranscoder.Format format(PayloadType codec, PayloadType events) {
            return new RtpTranscoder.Format(codec.name(), codec.clockRate(), codec.id(),
                    events == null ? -1 : events.id(), codec.ptime());
        }
    }

    /** Whether a payload type is a codec (not RFC 4733 telephone-event, not RFC 3389 comfort noise). */
    static boolean isAudioCodec(PayloadType type) {
        PayloadType known = named(type);
        if (known.name() == null) {
            return known.id() != 13; // RFC 3551 §6: static 13 is CN
        }
        return !isTelephoneEvent(known) && !known.name().equalsIgnoreCase("CN");
    }

    /** Same codec: the name and clock rate of the rtpmap (RFC 4566 §6), or the same static number without one. */
    static boolean same(PayloadType offered, PayloadType answered) {
        if (offered.name() == null || answered.name() == null) {
            return offered.id() == answered.id() && offered.id() < 96;
        }
        return offered.name().toLowerCase(Locale.ROOT).equals(answered.name().toLowerCase(Locale.ROOT))
                && (offered.clockRate() == answered.clockRate() || offered.clockRate() == 0
                || answered.clockRate() == 0);
    }

    /** The first of {@code types} that is one of {@link #TRANSCODABLE} the media engine has, named; or null. */
    private static PayloadType transcodable(List<PayloadType> types) {
        return types.stream().map(CodecChoice::named).filter(t -> t.name() != null && t.id() >= 0 && t.id() < 128)
                .filter(t -> TRANSCODABLE.stream().anyMatch(c -> same(c, t)))
                .map(t -> t.clockRate() > 0 ? t : withClock(t, TRANSCODABLE.stream().filter(c -> same(c, t))
                        .findFirst().orElseThrow().clockRate()))
                .filter(t -> AudioCodecs.implemented(t.name(), t.clockRate())).findFirst().orElse(null);
    }

    /** A static payload type without an rtpmap given its RFC 3551 §6 name (PCMU, PCMA, G722), else as it is. */
    private static PayloadType named(PayloadType type) {
        if (type.name() != null && !type.name().isEmpty()) {
            return type;
        }
        String name = switch (type.id()) {
            case 0 -> "PCMU";
            case 8 -> "PCMA";
            case 9 -> "G722";
            default -> null;
        };
        return name == null ? type : new PayloadType(type.id(), name, 8000, 1, type.ptime(), type.maxptime(),
                type.parameters());
    }

    private static PayloadType withClock(PayloadType type, int clockRate) {
        return new PayloadType(type.id(), type.name(), clockRate, type.channels(), type.ptime(), type.maxptime(),
                type.parameters());
    }

    private static boolean isTelephoneEvent(PayloadType type) {
        return type.name() != null && type.name().equalsIgnoreCase(TELEPHONE_EVENT);
    }

    /** The telephone-event type at {@code clockRate} among {@code types}, or null. */
    private static PayloadType events(List<PayloadType> types, int clockRate) {
        return types.stream().filter(t -> isTelephoneEvent(t) && t.clockRate() == clockRate && t.id() >= 0
                && t.id() < 128).findFirst().orElse(null);
    }

    /** The lowest dynamic payload type number (RFC 3551 §3: 96-127) not in {@code used}, or -1. */
    private static int free(Set<Integer> used) {
        for (int id = 96; id < 128; id++) {
            if (!used.contains(id)) {
                return id;
            }
        }
        return -1;
    }
}
