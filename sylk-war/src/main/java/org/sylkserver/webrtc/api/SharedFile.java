package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * A file shared in a video room (spec §4.6.8, §4.10.5; sylkrtc.js's {@code SharedFile}): its stored name, its size in
 * bytes, who uploaded it and the publisher session that did (the download URL's {@code <session>} segment).
 */
@JsonbPropertyOrder({"filename", "filesize", "uploader", "session"})
public class SharedFile {

    private final String filename;
    private final long filesize;
    private final SipIdentity uploader;
    private final String session;

    public SharedFile(String filename, long filesize, SipIdentity uploader, String session) {
        this.filename = filename;
        this.filesize = filesize;
        this.uploader = uploader;
        this.session = session;
    }

    public String getFilename() {
        return filename;
    }

    public long getFilesize() {
        return filesize;
    }

    public SipIdentity getUploader() {
        return uploader;
    }

    public String getSession() {
        return session;
    }

    @Override
    public String toString() {
        return filename + " (" + filesize + " bytes from " + uploader.getUri() + ", session " + session + ")";
    }
}
