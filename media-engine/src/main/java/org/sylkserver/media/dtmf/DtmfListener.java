package org.sylkserver.media.dtmf;

/** Receives each telephone event once, when it ends; called on the thread that feeds the {@link DtmfReceiver}. */
@FunctionalInterface
public interface DtmfListener {

    /** A telephone event (a DTMF key press if {@link DtmfEvent#digit()} is present) has ended. */
    void eventEnded(DtmfEvent event);
}
