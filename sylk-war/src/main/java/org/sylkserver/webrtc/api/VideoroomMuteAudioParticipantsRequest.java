package org.sylkserver.webrtc.api;

/** {@code videoroom-mute-audio-participants} (spec §4.6.7): ask every member to mute its microphone. */
public class VideoroomMuteAudioParticipantsRequest extends SessionRequest {

    public static final String TYPE = "videoroom-mute-audio-participants";

    public VideoroomMuteAudioParticipantsRequest() {
        super(TYPE);
    }
}
