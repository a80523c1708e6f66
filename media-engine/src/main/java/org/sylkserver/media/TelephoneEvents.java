package org.sylkserver.media;

import org.sylkserver.media.dtmf.DtmfReceiver;
import org.sylkserver.media.dtmf.MalformedTelephoneEventException;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * Hands RFC 4733 telephone events (the negotiated payload type) to a {@link DtmfReceiver}; every packet goes on,
 * a malformed event too (counted as {@link #malformed}: the endpoint reports it among its invalid packets).
 */
final class TelephoneEvents extends Stage {

    /** The receiver and its payload type, replaced together after a re-negotiation. */
    private record Events(int payloadType, DtmfReceiver receiver) {
    }

    private volatile Events events;
    private volatile long malformed;

    TelephoneEvents() {
        super("telephone-events");
    }

    void receive(int payloadType, DtmfReceiver receiver) {
        events = new Events(payloadType, receiver);
    }

    /** The current receiver, or null. */
    DtmfReceiver receiver() {
        Events current = events;
        return current == null ? null : current.receiver();
    }

    /** Telephone-event packets that could not be read. */
    long malformed() {
        return malformed;
    }

    @Override
    protected Packet handle(Packet packet) {
        Events current = events;
        if (current != null && !packet.isRtcp() && packet.header().payloadType() == current.payloadType()) {
            try {
                current.receiver().receive(packet.header(), packet.buffer());
            } catch (MalformedTelephoneEventException e) {
                malformed++;
            }
        }
        return packet;
    }
}
