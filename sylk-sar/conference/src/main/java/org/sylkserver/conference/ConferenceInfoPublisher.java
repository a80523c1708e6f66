package org.sylkserver.conference;

import java.util.function.Supplier;

/**
 * Where a room's conference-info goes (RFC 4575, spec §3.6): the SIP subscriptions to it in the container
 * ({@link RoomSubscriptions}), a fake in tests. Called on the room's executor; each document the supplier gives is a
 * new version of the room's state at that moment.
 */
interface ConferenceInfoPublisher {

    /** The room changed: every subscriber gets the document. */
    void publish(Supplier<String> document);

    /** The room is gone: every subscription ends with a last document (RFC 6665 §4.1.3 {@code noresource}). */
    void close(Supplier<String> document);
}
