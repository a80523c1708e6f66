package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code videoroom-event} {@code file-sharing} (spec §4.6.8): files shared in the room of publisher session
 * {@code session}, the new one after each upload, all of them after a join (§4.6.2).
 */
@JsonbPropertyOrder({"sylkrtc", "session", "event", "files"})
public class VideoroomFileSharingEvent extends SylkRtcMessage {

    private final String session;
    private final List<SharedFile> files;

    public VideoroomFileSharingEvent(String session, List<SharedFile> files) {
        super("videoroom-event");
        this.session = session;
        this.files = List.copyOf(files);
    }

    public String getSession() {
        return session;
    }

    public String getEvent() {
        return "file-sharing";
    }

    public List<SharedFile> getFiles() {
        return files;
    }
}
