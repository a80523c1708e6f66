package org.sylkserver.webrtc.api;

/**
 * {@code videoroom-session-update} (spec §4.4): for a publisher session, whether its audio and video reach the
 * room and the most its video may take; for a feed, whether its audio and video flow (pausing a feed's video).
 */
public class VideoroomSessionUpdateRequest extends SessionRequest {

    public static final String TYPE = "videoroom-session-update";

    @Mandatory
    private VideoroomSessionOptions options;

    public VideoroomSessionUpdateRequest() {
        super(TYPE);
    }

    public VideoroomSessionOptions getOptions() {
        return options;
    }

    public void setOptions(VideoroomSessionOptions options) {
        this.options = options;
    }
}
