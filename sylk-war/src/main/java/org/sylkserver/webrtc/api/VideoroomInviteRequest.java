package org.sylkserver.webrtc.api;

import java.util.List;

/** {@code videoroom-invite} (spec §4.6.7): invite accounts ({@code participants}, AORs) to the session's room. */
public class VideoroomInviteRequest extends SessionRequest {

    public static final String TYPE = "videoroom-invite";

    @Mandatory
    private List<String> participants;

    public VideoroomInviteRequest() {
        super(TYPE);
    }

    public List<String> getParticipants() {
        return participants;
    }

    public void setParticipants(List<String> participants) {
        this.participants = participants;
    }
}
