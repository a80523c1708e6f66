package org.sylkserver.webrtc.api;

/** {@code ready-event}: sent once when the connection is ready for requests (spec §4.2). */
public class ReadyEvent extends SylkRtcMessage {

    public ReadyEvent() {
        super("ready-event");
    }
}
