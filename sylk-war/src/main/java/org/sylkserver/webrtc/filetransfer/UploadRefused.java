package org.sylkserver.webrtc.filetransfer;

/**
 * An upload refused before its body is read (1:1 file transfer, spec §4.10.2; room file sharing, §4.10.5), or after
 * it when what it was for went away meanwhile: the HTTP status and a text line.
 */
public final class UploadRefused extends Exception {

    private static final long serialVersionUID = 1L;
    private final int status;

    public UploadRefused(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
