package org.sylkserver.xmpp.presence;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jivesoftware.smack.packet.Presence;

/**
 * The SIP → XMPP presence flows by (SIP watcher, XMPP user) (spec §5.5.1). A new flow sends the XMPP
 * {@code subscribe} from the watcher's JID, and the {@code probe} once the subscription is approved: the original
 * probes at once, but a server answers a probe from a watcher it has not approved with {@code unsubscribed} (RFC
 * 6121 §4.3.2; Prosody does), which would end the flow before the XMPP user could say yes.
 */
public final class PresenceFlows {

    private final Map<String, PresenceFlow> flows = new ConcurrentHashMap<>();
    private final Consumer<PresenceFlow> subscribe;
    private final Consumer<PresenceFlow> probe;

    /**
     * @param subscribe sends the XMPP subscribe of a new flow
     * @param probe     sends the XMPP probe of a flow just approved
     */
    public PresenceFlows(Consumer<PresenceFlow> subscribe, Consumer<PresenceFlow> probe) {
        this.subscribe = subscribe;
        this.probe = probe;
    }

    private static String key(String watcherUri, String bareJid) {
        return watcherUri + " " + bareJid;
    }

    /** The flow of the pair, made (and its subscription sent) when there is none or it has ended. */
    public PresenceFlow flow(String watcherUri, String bareJid) {
        boolean[] made = new boolean[1];
        PresenceFlow flow = flows.compute(key(watcherUri, bareJid), (key, existing) -> {
            if (existing != null && existing.state() != PresenceFlow.State.ENDED) {
                return existing;
            }
            made[0] = true;
            return new PresenceFlow(watcherUri, bareJid);
        });
        if (made[0]) {
            subscribe.accept(flow);
        }
        return flow;
    }

    /** A presence stanza from {@code bareJid}/{@code resource} to the SIP user {@code watcherUri}. */
    public void presence(String watcherUri, String bareJid, String resource, Presence presence) {
        PresenceFlow flow = flows.get(key(watcherUri, bareJid));
        if (flow == null) {
            return;
        }
        boolean pending = flow.state() == PresenceFlow.State.PENDING;
        if (flow.presence(presence, resource)) {
            flows.remove(key(watcherUri, bareJid), flow);
        } else if (pending && presence.getType() == Presence.Type.subscribed) {
            probe.accept(flow);
        }
    }

    /** A SIP subscription left its flow. */
    public void leave(PresenceFlow flow, PresenceFlow.Watcher watcher) {
        if (flow.leave(watcher)) {
            flows.remove(key(flow.watcherUri(), flow.bareJid()), flow);
        }
    }
}
