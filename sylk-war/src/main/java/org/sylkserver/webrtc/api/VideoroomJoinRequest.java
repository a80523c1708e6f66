package org.sylkserver.webrtc.api;

/**
 * {@code videoroom-join} (spec §4.6.2): {@code account} publishes in room {@code uri} with the browser's offer;
 * {@code audio} and {@code video} (default true) are the room's media when this join creates it.
 */
public class VideoroomJoinRequest extends SessionRequest {

    public static final String TYPE = "videoroom-join";

    @Mandatory
    @SipAor
    private String account;
    @Mandatory
    @SipAor
    private String uri;
    @Mandatory
    private String sdp;
    private Boolean audio;
    private Boolean video;

    public VideoroomJoinRequest() {
        super(TYPE);
    }

    /** {@code user@domain} without scheme. */
    public String getAccount() {
        return account;
    }

    public void setAccount(String account) {
        this.account = SipAor.Syntax.strip(account);
    }

    /** The room, {@code user@domain} without scheme. */
    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = SipAor.Syntax.strip(uri);
    }

    public String getSdp() {
        return sdp;
    }

    public void setSdp(String sdp) {
        this.sdp = sdp;
    }

    /** Whether the room carries audio (default true). */
    public boolean audio() {
        return audio == null || audio;
    }

    public Boolean getAudio() {
        return audio;
    }

    public void setAudio(Boolean audio) {
        this.audio = audio;
    }

    /** Whether the room carries video (default true). */
    public boolean video() {
        return video == null || video;
    }

    public Boolean getVideo() {
        return video;
    }

    public void setVideo(Boolean video) {
        this.video = video;
    }
}
