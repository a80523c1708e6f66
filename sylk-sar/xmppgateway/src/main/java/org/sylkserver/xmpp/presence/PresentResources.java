package org.sylkserver.xmpp.presence;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jivesoftware.smack.packet.Presence;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.FullJid;
import org.jxmpp.jid.Jid;

/**
 * The resources of XMPP users that are available as far as the presence sent to our users tells (RFC 6121 §4.2: an
 * available presence from a full JID, until its unavailable). A SIP user's call to a bare JID rings them (spec
 * §5.7): today's servers do not list a user's resources in disco#items, which the original relied on.
 * <p>
 * Remote servers decide how many JIDs this learns, so it is bounded: {@code maxUsers} users, the least recently
 * heard of forgotten first, and {@code maxResources} resources each, the oldest forgotten first. Synchronized: S2S
 * reader threads write, SIP threads read.
 */
public final class PresentResources {

    private final int maxUsers;
    private final int maxResources;
    private final Map<BareJid, Set<FullJid>> users;

    public PresentResources(int maxUsers, int maxResources) {
        this.maxUsers = maxUsers;
        this.maxResources = maxResources;
        this.users = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<BareJid, Set<FullJid>> eldest) {
                return size() > PresentResources.this.maxUsers;
            }
        };
    }

    /** A presence stanza that reached one of our users (others than available and unavailable change nothing). */
    public synchronized void presence(Presence presence) {
        Jid from = presence.getFrom();
        FullJid resource = from == null ? null : from.asFullJidIfPossible();
        if (resource == null) {
            return;
        }
        BareJid user = resource.asBareJid();
        if (presence.getType() == Presence.Type.available) {
            Set<FullJid> known = users.computeIfAbsent(user, u -> new LinkedHashSet<>());
            known.remove(resource); // the latest goes last
            known.add(resource);
            if (known.size() > maxResources) {
                known.remove(known.iterator().next());
            }
        } else if (presence.getType() == Presence.Type.unavailable) {
            Set<FullJid> known = users.get(user);
            if (known != null) {
                known.remove(resource);
                if (known.isEmpty()) {
                    users.remove(user);
                }
            }
        }
    }

    /** The available resources of {@code user}, the one heard of last first. */
    public synchronized List<FullJid> of(BareJid user) {
        Set<FullJid> known = users.get(user);
        List<FullJid> resources = new ArrayList<>(known == null ? Set.of() : known);
        Collections.reverse(resources);
        return resources;
    }

    /** How many users are known (for tests of the bound). */
    synchronized int users() {
        return users.size();
    }
}
