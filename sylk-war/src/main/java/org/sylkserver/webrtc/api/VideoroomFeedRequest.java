package org.sylkserver.webrtc.api;

/** A request about one {@code feed} of the publisher session {@code session} (spec §4.6.4). */
public abstract class VideoroomFeedRequest extends SessionRequest {

    @Mandatory
    private String feed;

    protected VideoroomFeedRequest(String sylkrtc) {
        super(sylkrtc);
    }

    public String getFeed() {
        return feed;
    }

    public void setFeed(String feed) {
        this.feed = feed;
    }
}
