package org.sylkserver.webrtc.api;

/** {@code videoroom-leave} (spec §4.6.5): the publisher session {@code session} leaves its room. */
public class VideoroomLeaveRequest extends SessionRequest {

    public static final String TYPE = "videoroom-leave";

    public VideoroomLeaveRequest() {
        super(TYPE);
    }
}
