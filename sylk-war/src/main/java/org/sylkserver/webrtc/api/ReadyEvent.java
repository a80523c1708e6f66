package org.sylkserver.webrtc.api;

/** {@code ready-event}: sent once the connection accepts requests (spec §4.2). */
public class ReadyEvent extends SylkRtcMessage {

    public ReadyEvent() {
        super("ready-event");
    }
}
