package org.sylkserver.conference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipSession;

/**
 * The conference-event subscriptions to one room (RFC 4575, spec §3.6) and the room's publisher in the container:
 * each change of the room is a NOTIFY to every subscriber whose subscription has not expired; an expired one gets a
 * last NOTIFY ({@code terminated;reason=timeout}) and is forgotten.
 *
 * <p>Threads: the SIP threads subscribe and unsubscribe; the map of subscriptions is concurrent. Every NOTIFY is
 * sent from the room's executor, since its document is the room's state.
 */
final class RoomSubscriptions implements ConferenceInfoPublisher {

    private static final Logger log = Logger.getLogger(RoomSubscriptions.class.getName());

    private final Room room;
    /** Each subscription's dialog and when it expires (epoch milliseconds). */
    private final Map<SipSession, Long> subscribers = new ConcurrentHashMap<>();

    RoomSubscriptions(Room room) {
        this.room = room;
    }

    /** The subscriptions of {@code room}. */
    static RoomSubscriptions of(Room room) {
        return (RoomSubscriptions) room.publisher();
    }

    /**
     * Whether {@code session} may (still) be subscribed: it already is (a refresh), or the room has fewer than
     * {@code max} subscriptions that have not expired ({@code max_subscriptions}).
     */
    boolean allowed(SipSession session, int max) {
        long now = System.currentTimeMillis();
        for (Map.Entry<SipSession, Long> subscriber : subscribers.entrySet()) {
            if (subscriber.getValue() <= now && subscribers.remove(subscriber.getKey(), subscriber.getValue())) {
                room.execute(() -> notify(subscriber.getKey(), "terminated;reason=timeout", room::document));
            }
        }
        return subscribers.containsKey(session) || subscribers.size() < max;
    }

    /** Adds a conference-event subscription and sends it the current document. */
    void subscribe(SipSession session, long expiresAtMillis) {
        subscribers.put(session, expiresAtMillis);
        long seconds = Math.max(0, (expiresAtMillis - System.currentTimeMillis()) / 1000);
        room.execute(() -> notify(session, "active;expires=" + seconds, room::document));
    }

    /**
     * Keeps an un-SUBSCRIBEd dialog until its final NOTIFY is out (RFC 6665 §4.2.1.2: the notifier ends the
     * subscription with that NOTIFY). The container invalidates a session whose subscriptions have all ended once its
     * transactions are done, and the un-SUBSCRIBE's own transaction is done at its 200 (the stack lets the container go
     * at the final response, {@code ServerTransactionReleasedAtCompletion}), before the room's executor has sent the
     * NOTIFY. Call before answering the un-SUBSCRIBE; {@link #unsubscribe} lets the session go after the NOTIFY.
     */
    static void holdForFinalNotify(SipSession session) {
        session.setInvalidateWhenReady(false);
    }

    /** Ends a subscription (un-SUBSCRIBE) with a final NOTIFY; the session may then be invalidated when ready. */
    void unsubscribe(SipSession session) {
        subscribers.remove(session);
        room.execute(() -> {
            try {
                notify(session, "terminated;reason=timeout", room::document);
            } finally {
                if (session.isValid()) {
                    session.setInvalidateWhenReady(true);
                }
            }
        });
    }

    @Override
    public void publish(Supplier<String> document) {
        long now = System.currentTimeMillis();
        for (Map.Entry<SipSession, Long> subscriber : subscribers.entrySet()) {
            if (subscriber.getValue() <= now) {
                subscribers.remove(subscriber.getKey());
                notify(subscriber.getKey(), "terminated;reason=timeout", document);
            } else {
                notify(subscriber.getKey(), "active;expires=" + (subscriber.getValue() - now) / 1000, document);
            }
        }
    }

    @Override
    public void close(Supplier<String> document) {
        for (SipSession subscriber : subscribers.keySet()) {
            notify(subscriber, "terminated;reason=noresource", document);
        }
        subscribers.clear();
    }

    private void notify(SipSession session, String state, Supplier<String> document) {
        String body = document.get();
        try {
            if (!session.isValid()) {
                subscribers.remove(session);
                return;
            }
            SipServletRequest notify = session.createRequest("NOTIFY");
            notify.setHeader("Event", "conference");
            notify.setHeader("Subscription-State", state);
            notify.setContent(body.getBytes(StandardCharsets.UTF_8), ConferenceInfo.CONTENT_TYPE);
            notify.send();
        } catch (IOException | IllegalStateException e) {
            log.log(Level.FINE, "room " + room.name + ": cannot NOTIFY a subscriber", e);
            subscribers.remove(session);
        }
    }
}
