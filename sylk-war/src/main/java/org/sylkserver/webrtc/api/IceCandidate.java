package org.sylkserver.webrtc.api;

/** One browser ICE candidate of {@code session-trickle} (spec §4.4), as {@code RTCIceCandidate.toJSON()} gives it. */
public class IceCandidate {

    @Mandatory
    private String candidate;
    @Mandatory
    private Integer sdpMLineIndex;
    private String sdpMid;

    public String getCandidate() {
        return candidate;
    }

    public void setCandidate(String candidate) {
        this.candidate = candidate;
    }

    public Integer getSdpMLineIndex() {
        return sdpMLineIndex;
    }

    public void setSdpMLineIndex(Integer sdpMLineIndex) {
        this.sdpMLineIndex = sdpMLineIndex;
    }

    /** May be {@code null}. */
    public String getSdpMid() {
        return sdpMid;
    }

    public void setSdpMid(String sdpMid) {
        this.sdpMid = sdpMid;
    }
}
