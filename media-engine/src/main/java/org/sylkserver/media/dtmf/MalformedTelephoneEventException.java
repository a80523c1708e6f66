package org.sylkserver.media.dtmf;

/** A telephone-event payload that does not follow RFC 4733 §2.3; the packet should be dropped. */
public class MalformedTelephoneEventException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public MalformedTelephoneEventException(String message) {
        super(message);
    }
}
