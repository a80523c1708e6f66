package org.sylkserver.webrtc.api;

/** {@code videoroom-feed-detach} (spec §4.6.4): the feed ends. */
public class VideoroomFeedDetachRequest extends VideoroomFeedRequest {

    public static final String TYPE = "videoroom-feed-detach";

    public VideoroomFeedDetachRequest() {
        super(TYPE);
    }
}
