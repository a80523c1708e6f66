package org.sylkserver.protocols.rcs;

/** An RCS file-transfer-over-HTTP document that cannot be used: the message says why. */
public class FileTransferHttpException extends Exception {

    private static final long serialVersionUID = 1L;

    public FileTransferHttpException(String message) {
        super(message);
    }
}
