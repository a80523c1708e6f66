package org.sylkserver.webrtc.api;

/**
 * {@code videoroom-feed-attach} (spec §4.6.4): the member whose publisher session is {@code session} subscribes to
 * the publisher session {@code publisher} of the same room, as the new session {@code feed}.
 */
public class VideoroomFeedAttachRequest extends VideoroomFeedRequest {

    public static final String TYPE = "videoroom-feed-attach";

    @Mandatory
    private String publisher;

    public VideoroomFeedAttachRequest() {
        super(TYPE);
    }

    public String getPublisher() {
        return publisher;
    }

    public void setPublisher(String publisher) {
        this.publisher = publisher;
    }
}
