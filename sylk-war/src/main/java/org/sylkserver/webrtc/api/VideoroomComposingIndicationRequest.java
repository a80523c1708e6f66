package org.sylkserver.webrtc.api;

/**
 * {@code videoroom-composing-indication} (spec §4.6.8): the publisher is typing ({@code active}, for {@code refresh}
 * seconds) or stopped ({@code idle}); relayed to the room as an RFC 3994 indication.
 */
public class VideoroomComposingIndicationRequest extends SessionRequest {

    public static final String TYPE = "videoroom-composing-indication";

    @Mandatory
    private String state;
    private Integer refresh;

    public VideoroomComposingIndicationRequest() {
        super(TYPE);
    }

    /** {@code active} or {@code idle}. */
    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    /** Seconds the active state lasts; may be {@code null}. */
    public Integer getRefresh() {
        return refresh;
    }

    public void setRefresh(Integer refresh) {
        this.refresh = refresh;
    }
}
