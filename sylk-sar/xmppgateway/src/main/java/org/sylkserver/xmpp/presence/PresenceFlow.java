package org.sylkserver.xmpp.presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jivesoftware.smack.packet.Presence;

/**
 * One SIP user watching one XMPP user (spec §5.5.1 step 2: one flow per pair, further SUBSCRIBEs join it). PENDING
 * until the XMPP side says {@code subscribed} or sends any availability, then ACTIVE: every availability updates the
 * resource cache and is a PIDF NOTIFY to every watcher. {@code unsubscribed} ENDS it and its SIP subscriptions;
 * the last SIP subscription leaving ends it too (no XMPP {@code unsubscribe} is sent, as the original).
 * Synchronized: SIP threads add and remove watchers, an S2S reader thread delivers presence.
 */
public final class PresenceFlow {

    public enum State { PENDING, ACTIVE, ENDED }

    /** A SIP subscription of the flow. */
    public interface Watcher {
        /**
         * Sends a NOTIFY with {@code Subscription-State: state} ({@code pending}, {@code active} or
         * {@code terminated;reason=...}; the watcher adds its {@code expires}) and the PIDF body, none when null.
         */
        void notify(String state, byte[] pidf);

        /** Whether the subscription has not expired and its dialog is still there. */
        boolean alive();
    }

    private final String watcherUri;
    private final String bareJid;
    private final List<Watcher> watchers = new ArrayList<>();
    private final Map<String, Presence> resources = new LinkedHashMap<>();
    private State state = State.PENDING;

    public PresenceFlow(String watcherUri, String bareJid) {
        this.watcherUri = watcherUri;
        this.bareJid = bareJid;
    }

    public String watcherUri() {
        return watcherUri;
    }

    public String bareJid() {
        return bareJid;
    }

    public synchronized State state() {
        return state;
    }

    /** Adds a SIP subscription and gives it the first NOTIFY: pending without body, or active with the PIDF. */
    public synchronized void watch(Watcher watcher) {
        watchers.add(watcher);
        if (state == State.ACTIVE) {
            watcher.notify("active", pidf());
        } else {
            watcher.notify("pending", null);
        }
    }

    /** Removes a SIP subscription (un-SUBSCRIBE); {@code true} when it was the last one and the flow has ended. */
    public synchronized boolean leave(Watcher watcher) {
        watchers.remove(watcher);
        watchers.removeIf(w -> !w.alive());
        if (watchers.isEmpty()) {
            state = State.ENDED;
        }
        return state == State.ENDED;
    }

    /** A presence stanza from the XMPP user; {@code true} when the flow has ended. */
    public synchronized boolean presence(Presence presence, String resource) {
        if (state == State.ENDED) {
            return true;
        }
        switch (presence.getType()) {
            case subscribed -> {
                if (state == State.PENDING) {
                    state = State.ACTIVE;
                    notifyAll("active");
                }
            }
            case available, unavailable -> {
                if (resource == null) {
                    return false;
                }
                resources.put(resource, presence);
                state = State.ACTIVE;
                notifyAll("active");
                // an unavailable resource is reported once, then forgotten (spec §5.5.1 step 5)
                if (presence.getType() == Presence.Type.unavailable) {
                    resources.remove(resource);
                }
            }
            case unsubscribed -> {
                state = State.ENDED;
                for (Watcher watcher : watchers) {
                    watcher.notify("terminated;reason=rejected", null);
                }
                watchers.clear();
            }
            default -> { }
        }
        return state == State.ENDED;
    }

    private void notifyAll(String subscriptionState) {
        byte[] document = pidf();
        watchers.removeIf(w -> !w.alive());
        for (Watcher watcher : watchers) {
            watcher.notify(subscriptionState, document);
        }
    }

    private byte[] pidf() {
        return Pidf.of(bareJid, resources, Instant.now());
    }
}
