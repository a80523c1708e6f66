package org.sylkserver.webrtc.api;

/** {@code videoroom-feed-answer} (spec §4.6.4): the browser's answer to the feed's offer. */
public class VideoroomFeedAnswerRequest extends VideoroomFeedRequest {

    public static final String TYPE = "videoroom-feed-answer";

    @Mandatory
    private String sdp;

    public VideoroomFeedAnswerRequest() {
        super(TYPE);
    }

    public String getSdp() {
        return sdp;
    }

    public void setSdp(String sdp) {
        this.sdp = sdp;
    }
}
