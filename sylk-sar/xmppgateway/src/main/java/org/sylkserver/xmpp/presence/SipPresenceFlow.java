package org.sylkserver.xmpp.presence;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An XMPP user watching a SIP user (spec §5.5.2): made by the XMPP {@code subscribe} or {@code probe}, it holds one
 * SIP subscription (SUBSCRIBING → ACTIVE on the first {@code active} NOTIFY, when the XMPP side gets
 * {@code subscribed}) and the SIP user's last availability per resource, which a later probe is answered with.
 * ENDED by a rejection (XMPP {@code unsubscribed}), a final error, or the XMPP {@code unsubscribe}.
 */
public final class SipPresenceFlow {

    public enum State { SUBSCRIBING, ACTIVE, ENDED }

    private final String watcherJid;
    private final String sipUser;
    private final Map<String, PidfReader.Tuple> resources = new LinkedHashMap<>();
    private State state = State.SUBSCRIBING;

    public SipPresenceFlow(String watcherJid, String sipUser) {
        this.watcherJid = watcherJid;
        this.sipUser = sipUser;
    }

    /** The XMPP watcher's bare JID. */
    public String watcherJid() {
        return watcherJid;
    }

    /** The SIP user watched, {@code user@host}. */
    public String sipUser() {
        return sipUser;
    }

    public synchronized State state() {
        return state;
    }

    /** A NOTIFY's Subscription-State said active; {@code true} the first time (send XMPP {@code subscribed}). */
    public synchronized boolean activated() {
        if (state != State.SUBSCRIBING) {
            return false;
        }
        state = State.ACTIVE;
        return true;
    }

    /** A PIDF NOTIFY: the tuples to send as XMPP presence (unavailable ones once, then forgotten). */
    public synchronized List<PidfReader.Tuple> update(List<PidfReader.Tuple> tuples) {
        for (PidfReader.Tuple tuple : tuples) {
            if (tuple.available()) {
                resources.put(tuple.resource(), tuple);
            } else {
                resources.remove(tuple.resource());
            }
        }
        return tuples;
    }

    /** What a probe is answered with: the available resources. */
    public synchronized List<PidfReader.Tuple> current() {
        return new ArrayList<>(resources.values());
    }

    /** Ends the flow; {@code true} when it was not ended yet. */
    public synchronized boolean end() {
        if (state == State.ENDED) {
            return false;
        }
        state = State.ENDED;
        return true;
    }
}
