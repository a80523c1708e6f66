package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;

import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.webrtc.VideoRooms;

/**
 * A SIP phone's call to a video room (issue 13): an INVITE to {@code room@videoconference.<domain>} is answered
 * with the phone's own codec on an RTP audio endpoint, and the phone joins the room through
 * {@link VideoRooms#joinPhone}: it hears the room's mix minus itself and browsers attach its voice like any
 * publisher's feed. The call ends with the phone's BYE, or ours when no RTP arrives for {@code [RTP] timeout}.
 *
 * <p>Threading: the container serialises the requests of the dialog; the media engine's timer may end the call at
 * any time, so the state is guarded by this object's lock.
 */
final class RoomPhoneCall {

    static final String CALL = "sylk.room-phone";
    /** The host prefix of video room addresses (spec §4.7.4: {@code room@videoconference.<domain>}). */
    private static final String ROOM_HOST = "videoconference.";
    private static final String NO_AUDIO = "No audio stream offered";
    private static final Logger LOG = Logger.getLogger("webrtcgateway.sip");

    private final SipServletRequest invite;
    private final MediaSession media;
    private final AudioStream audio;
    private final RtpAudioEndpoint endpoint;
    private final Publisher voice;
    private VideoRooms.PhoneMember member;
    private boolean ended;

    private RoomPhoneCall(SipServletRequest invite, MediaSession media, AudioStream audio, RtpAudioEndpoint endpoint,
                          Publisher voice) {
        this.invite = invite;
        this.media = media;
        this.audio = audio;
        this.endpoint = endpoint;
        this.voice = voice;
    }

    /**
     * The video room a request URI names, {@code user@host} as browsers join it, when its host is
     * {@code videoconference.<domain>} (case-insensitive) and it has a user part; null for any other URI.
     */
    static String room(URI requestUri) {
        if (!(requestUri instanceof SipURI sip) || sip.getUser() == null || sip.getUser().isEmpty()
                || sip.getHost() == null) {
            return null;
        }
        return sip.getHost().toLowerCase(Locale.ROOT).startsWith(ROOM_HOST) ? sip.getUser() + "@" + sip.getHost()
                : null;
    }

    /** The room call of a SIP session, or null. */
    static RoomPhoneCall of(SipSession session) {
        return session == null ? null : (RoomPhoneCall) session.getAttribute(CALL);
    }

    /**
     * Answers an initial INVITE to {@code room}: 200 OK with the answer once the phone is in the room; 488 for an
     * offer without audio the server decodes, 503 without media ports, the room's refusal otherwise (404, 403, 486).
     */
    static void answer(SipServletRequest invite, String room, VideoRooms rooms, MediaEngine engine,
                       InetAddress sdpAddress, AudioStream.Settings settings, InetAddress source, Responder responder)
            throws IOException {
        SessionDescription offer;
        try {
            offer = SylkSipServlet.sdpOffer(invite);
        } catch (SdpException e) {
            responder.notAcceptable(invite, e);
            return;
        }
        RoomPhoneCall[] call = new RoomPhoneCall[1];
        RtpAudioEndpoint endpoint;
        try {
            endpoint = engine.openAudioEndpoint(timedOut -> {
                if (call[0] != null) {
                    call[0].hangUp("no RTP received for the RTP timeout");
                }
            });
        } catch (IOException e) {
            LOG.warning(() -> "room call from " + invite.getFrom().getURI() + " refused: " + e.getMessage());
            responder.reply(invite, SipServletResponse.SC_SERVICE_UNAVAILABLE, "No media ports available");
            return;
        }
        endpoint.signallingSource(source);
        MediaSession media = new MediaSession(sdpAddress);
        AudioStream audio = new AudioStream(settings, endpoint);
        SessionDescription answer;
        Supplier<AudioCodec> codecs;
        try {
            MediaSession.Negotiation negotiation = media.negotiate(offer, List.of(audio), NO_AUDIO);
            negotiation.accept();
            audio.apply();
            RtpMap map = audio.codec();
            if (map == null || AudioCodecs.create(map.encoding(), map.clockRate()).isEmpty()) {
                throw new SdpException("No audio codec the room can mix");
            }
            codecs = () -> AudioCodecs.create(map.encoding(), map.clockRate()).orElseThrow();
            answer = negotiation.answer();
        } catch (SdpException e) {
            endpoint.close();
            responder.notAcceptable(invite, e);
            return;
        }
        String aor = aor(invite.getFrom().getURI());
        Publisher voice = Publisher.local(engine, "phone " + aor + " in " + room, rooms.phoneSettings());
        call[0] = new RoomPhoneCall(invite, media, audio, endpoint, voice);
        int payloadType = audio.payloadType();
        try {
            call[0].joined(rooms.joinPhone(room, aor, invite.getFrom().getDisplayName(), voice,
                    (mix, id) -> mix.phone(id, endpoint, payloadType, codecs, voice)));
        } catch (VideoRooms.PhoneRefused e) {
            call[0].close();
            LOG.info(() -> "room call from " + aor + " to " + room + " refused: " + e.status() + " " + e.getMessage());
            responder.reply(invite, e.status(), e.getMessage());
            return;
        }
        try {
            invite.getSession().setAttribute(CALL, call[0]);
            SipServletResponse ok = invite.createResponse(SipServletResponse.SC_OK);
            ok.setContent(answer.toBytes(), "application/sdp");
            ok.send();
        } catch (IOException | RuntimeException e) {
            // no answer went out: the phone must not stay in the room
            call[0].ended("the answer could not be sent: " + e.getMessage());
            throw e;
        }
        LOG.info(() -> aor + " joined room " + room + " by phone (" + call[0].member + "), "
                + audio.codec().encoding() + " on port " + endpoint.port());
    }

    private synchronized void joined(VideoRooms.PhoneMember joined) {
        member = joined;
    }

    /** Whether the phone holds the call (its last offer was sendonly or inactive, RFC 3264 §8.4). */
    synchronized boolean onHold() {
        return member != null && member.onHold();
    }

    /**
     * A request of the call's dialog: BYE ends it; a re-INVITE that keeps the codec is answered (hold, resume, a new
     * address: a held phone is out of the room's mix both ways until resumed), one that changes it gets 488 (the
     * room's mix keeps the codec it was joined with); INFO and others are acknowledged; ACK needs nothing.
     */
    void request(SipServletRequest request, Responder responder) throws IOException {
        switch (request.getMethod()) {
            case "BYE" -> {
                try {
                    responder.reply(request, SipServletResponse.SC_OK, "OK");
                } finally {
                    ended("the phone hung up");
                }
            }
            case "INVITE" -> reinvite(request, responder);
            case "ACK", "CANCEL" -> {
                // ACK of our 200, or a CANCEL that came after it: nothing to do
            }
            default -> responder.reply(request, SipServletResponse.SC_OK, "OK");
        }
    }

    private synchronized void reinvite(SipServletRequest reInvite, Responder responder) throws IOException {
        if (ended) {
            responder.reply(reInvite, SipServletResponse.SC_CALL_LEG_DONE, "Call Does Not Exist");
            return;
        }
        try {
            MediaSession.Negotiation negotiation = media.negotiate(SylkSipServlet.sdpOffer(reInvite), List.of(),
                    NO_AUDIO);
            if (audio.changesCodec()) {
                negotiation.discard();
                throw new SdpException("A room call keeps its codec");
            }
            negotiation.accept();
            audio.apply();
            endpoint.signalled(audio.remoteRtp());
            member.hold(audio.onHold());
            SipServletResponse ok = reInvite.createResponse(SipServletResponse.SC_OK);
            ok.setContent(negotiation.answer().toBytes(), "application/sdp");
            ok.send();
            LOG.info(() -> "re-INVITE of the room call " + member + ": audio " + audio.direction());
        } catch (SdpException e) {
            responder.notAcceptable(reInvite, e);
        }
    }

    /** The call is over (BYE, the end of its session): out of the room, media closed. Idempotent. */
    synchronized void ended(String why) {
        if (ended) {
            return;
        }
        ended = true;
        close();
        LOG.info(() -> "room call " + member + " ended: " + why);
    }

    /** The server ends the call (RTP timeout): BYE, then as {@link #ended}. */
    synchronized void hangUp(String why) {
        if (ended) {
            return;
        }
        ended(why);
        try {
            SipSession session = invite.getSession();
            if (session.isValid()) {
                session.createRequest("BYE").send();
            }
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "could not send BYE to " + invite.getFrom().getURI(), e);
        }
    }

    private synchronized void close() {
        if (member != null) {
            member.leave();
        }
        voice.close();
        endpoint.close();
    }

    private static String aor(URI uri) {
        return uri instanceof SipURI sip && sip.getUser() != null ? sip.getUser() + "@" + sip.getHost()
                : uri.toString();
    }

    /** How the servlet answers (its 488 with a Warning, its plain replies). */
    interface Responder {
        void reply(SipServletRequest request, int status, String reason);

        void notAcceptable(SipServletRequest request, SdpException e);
    }
}
