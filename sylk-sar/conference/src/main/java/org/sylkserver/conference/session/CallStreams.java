package org.sylkserver.conference.session;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.servlet.sip.SipServletMessage;

import org.sylkserver.conference.chat.ChatMember;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.session.ChatStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.core.session.MsrpSessions;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.sdp.AudioOffer;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The streams of a call with a room (spec §3.2): the audio stream of a participant's INVITE or re-INVITE, its chat
 * stream (an MSRP session whose handler is the participant's {@link ChatMember}), and the audio of the calls the
 * room places (RFC 4579 §5.2), offered through the dialog's {@link MediaSession}. Made once by the conference; what
 * a call does with its streams is the call's.
 */
public final class CallStreams {

    /** Why an offer without audio or chat the room can take is refused (488). */
    public static final String NO_AUDIO = "No audio stream offered";
    /** The room's chat capabilities (spec §3.4), in {@code a=chatroom} of our chat lines. */
    static final String CHATROOM = "nickname private-messages com.ag-projects.screen-sharing"
            + " com.ag-projects.zrtp-sas";

    private final AudioStream.Settings audio;
    private final List<String> dialOutCodecs;
    private final MsrpSessions msrp;

    /**
     * @param audio         {@code [RTP]} of config.ini as every audio stream uses it
     * @param dialOutCodecs the codecs the room offers when it calls out ({@code [RTP] audio_codecs})
     * @param msrp          where chat sessions are opened, null without MSRP
     */
    public CallStreams(AudioStream.Settings audio, List<String> dialOutCodecs, MsrpSessions msrp) {
        this.audio = audio;
        this.dialOutCodecs = List.copyOf(dialOutCodecs);
        this.msrp = msrp;
    }

    /** Whether {@code offer} has a chat line the room can take. */
    public boolean chatOffered(SessionDescription offer) {
        return msrp != null && ChatStream.offered(offer, msrp.proto());
    }

    /**
     * A new audio stream on a new endpoint whose RTP may also come from where {@code message} came (a peer behind
     * NAT).
     *
     * @param timeout told when the peer's RTP stops ({@code [RTP] timeout})
     * @param sas     told the ZRTP short authentication string once agreed (spec §3.8)
     */
    public AudioStream openAudio(SipServletMessage message, Runnable timeout, Consumer<String> sas)
            throws IOException {
        RtpAudioEndpoint endpoint = SylkRuntime.get().media().openAudioEndpoint(e -> timeout.run());
        endpoint.signallingSource(SylkSipServlet.signallingSource(message));
        AudioStream stream = new AudioStream(audio, endpoint);
        stream.onSas(sas);
        return stream;
    }

    /** The chat stream of a participant's offer: its MSRP session goes to a new chat session of the room. */
    public ChatStream chat(String uri, String displayName) {
        return new ChatStream(msrp, CHATROOM, peer -> new ChatMember(uri, displayName, peer.path(), peer.toPath()));
    }

    /** New codec state for the answer's first payload type (one per call: the mixer member's decoder). */
    public static Supplier<AudioCodec> codecs(AudioStream audio) {
        RtpMap map = audio.codec();
        String encoding = map != null ? map.encoding() : audio.payloadType() == 8 ? "PCMA" : "PCMU";
        int rate = map != null ? map.clockRate() : 8000;
        return () -> AudioCodecs.create(encoding, rate).orElseThrow();
    }

    /** The room's offer when it calls someone in (RFC 4579 §5.2): audio received on {@code port}. */
    public SessionDescription dialOutOffer(MediaSession media, int port) {
        return media.offer(List.of(AudioOffer.line(dialOutCodecs, port)));
    }

    /** The audio of a call the room placed, as the callee's answer accepted our offer (nothing applied yet). */
    public AudioStream dialledOut(RtpAudioEndpoint endpoint, AudioAnswerer.Answer answer) {
        return AudioStream.answered(audio, endpoint, answer);
    }
}
