package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbProperty;

/**
 * {@code videoroom-configure} (spec §4.6.6): the room's active participants (at most two publisher session ids,
 * each once), which the bandwidth policy favours.
 */
public class VideoroomConfigureRequest extends SessionRequest {

    public static final String TYPE = "videoroom-configure";

    @Mandatory
    @JsonbProperty("active_participants")
    private List<String> activeParticipants;

    public VideoroomConfigureRequest() {
        super(TYPE);
    }

    public List<String> getActiveParticipants() {
        return activeParticipants;
    }

    public void setActiveParticipants(List<String> activeParticipants) {
        this.activeParticipants = activeParticipants;
    }
}
