package org.sylkserver.webrtc.api;

/**
 * The {@code options} of {@code videoroom-session-update} (spec §4.4, §4.6.4): whether audio and video flow, and a
 * publisher's bitrate; each may be left out.
 */
public class VideoroomSessionOptions {

    private Boolean audio;
    private Boolean video;
    private Integer bitrate;

    /** May be {@code null}. */
    public Boolean getAudio() {
        return audio;
    }

    public void setAudio(Boolean audio) {
        this.audio = audio;
    }

    /** May be {@code null}. */
    public Boolean getVideo() {
        return video;
    }

    public void setVideo(Boolean video) {
        this.video = video;
    }

    /** In bit/s; may be {@code null}. */
    public Integer getBitrate() {
        return bitrate;
    }

    public void setBitrate(Integer bitrate) {
        this.bitrate = bitrate;
    }
}
