package org.sylkserver.xmpp;

import java.time.OffsetDateTime;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jxmpp.jid.impl.JidCreate;
import org.sylkserver.core.Version;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.SipParty;
import org.sylkserver.xmpp.im.SipToXmpp;
import org.sylkserver.xmpp.im.Stanzas;
import org.sylkserver.xmpp.im.XmppToSip;
import org.sylkserver.xmpp.presence.PresenceFlow;
import org.sylkserver.xmpp.presence.PresenceFlows;
import org.sylkserver.xmpp.s2s.S2sService;
import org.sylkserver.xmpp.s2s.StreamElement;
import org.sylkserver.xmpp.service.Services;

/**
 * The gateway between our SIP domains and the XMPP federation (spec §5): SIP MESSAGEs become XMPP messages on the
 * S2S links, XMPP messages for our users become SIP MESSAGEs, IQs are answered by {@link Services}.
 * Independent of the servlet API: SIP goes out through {@link SipMessages}.
 */
public final class XmppGateway {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    /** Sends SIP MESSAGEs. */
    public interface SipMessages {
        void send(XmppToSip.SipMessage message);
    }

    private final XmppGatewaySettings settings;
    private final S2sService s2s;
    private final SipMessages sip;
    private final SipToXmpp toXmpp;
    private final XmppToSip toSip;
    private final Services services;
    private final PresenceFlows presenceFlows = new PresenceFlows(
            flow -> presenceToXmpp(flow, Presence.Type.subscribe), flow -> presenceToXmpp(flow, Presence.Type.probe));

    public XmppGateway(XmppGatewaySettings settings, S2sService s2s, SipMessages sip) {
        this.settings = settings;
        this.s2s = s2s;
        this.sip = sip;
        this.toXmpp = new SipToXmpp(settings.domains(), settings.useMsrpForChat());
        this.toSip = new XmppToSip(settings.useMsrpForChat(), settings.useCpim());
        this.services = new Services(settings, Version.current());
        s2s.handler(this::stanza);
    }

    /** A SIP MESSAGE for an XMPP user: the answer to give; the stanza, if any, is on its way. */
    public SipToXmpp.Outcome message(String contentType, byte[] body, String from, String requestUri) {
        SipToXmpp.Outcome outcome = toXmpp.translate(contentType, body, from, requestUri);
        Stanza stanza = outcome.stanza();
        if (stanza != null) {
            if (settings.logMessages()) {
                LOG.info("SIP MESSAGE " + from + " -> " + requestUri + " sent as XMPP " + Stanzas.serverXml(stanza));
            }
            sendStanza(stanza);
        }
        return outcome;
    }

    /** What a SIP SUBSCRIBE for an XMPP user's presence gets: a refusal, or the flow to join (spec §5.5.1). */
    public record Subscription(int status, String reason, PresenceFlow flow) {
    }

    /**
     * A SIP SUBSCRIBE for an XMPP user's presence: 489 for another event package, 400 without From/To or when they
     * are no JIDs, 606 for a watcher outside our domains; else the flow of the pair (made, and the XMPP
     * {@code subscribe} and {@code probe} sent, when new).
     */
    public Subscription subscribe(String event, String from, String requestUri) {
        if (event == null || !event.split(";")[0].strip().equalsIgnoreCase("presence")) {
            return new Subscription(489, "Bad Event", null);
        }
        if (from == null || requestUri == null) {
            return new Subscription(400, "Missing From or To", null);
        }
        SipParty watcher;
        SipParty watched;
        try {
            watcher = SipParty.parse(from);
            watched = SipParty.parse(requestUri);
            Addresses.bareJid(watched.user(), watched.host());
        } catch (IllegalArgumentException e) {
            return new Subscription(400, "Not an XMPP address", null);
        }
        if (!settings.domains().contains(watcher.host())) {
            return new Subscription(606, "Not Acceptable", null);
        }
        PresenceFlow flow = presenceFlows.flow("sip:" + watcher.user() + "@" + watcher.host(),
                watched.user() + "@" + watched.host());
        return new Subscription(flow.state() == PresenceFlow.State.ACTIVE ? 200 : 202,
                flow.state() == PresenceFlow.State.ACTIVE ? "OK" : "Accepted", flow);
    }

    /** A SIP subscription left its flow (un-SUBSCRIBE, or its dialog ended). */
    public void unsubscribe(PresenceFlow flow, PresenceFlow.Watcher watcher) {
        presenceFlows.leave(flow, watcher);
    }

    /** Spec §5.5.1 step 3: the flow's subscribe or probe, from the SIP watcher's JID to the XMPP user. */
    private void presenceToXmpp(PresenceFlow flow, Presence.Type type) {
        sendStanza(StanzaBuilder.buildPresence().ofType(type)
                .from(JidCreate.bareFromOrThrowUnchecked(flow.watcherUri().substring("sip:".length())))
                .to(JidCreate.bareFromOrThrowUnchecked(flow.bareJid())).build());
    }

    private void sendStanza(Stanza stanza) {
        if (!s2s.send(stanza.getFrom().getDomain().toString(), stanza.getTo().getDomain().toString(),
                Stanzas.serverXml(stanza))) {
            LOG.warning("XMPP stanza to " + stanza.getTo() + " dropped: the link's queue is full");
        }
    }

    /**
     * Presence for one of our domains: for a SIP user, into the flow of (user, sender) if there is one; for a room
     * of a MUC domain, subscriptions are approved at once and probes answered available (spec §5.5.2 step 5).
     * Subscriptions of XMPP users to SIP users (spec §5.5.2) are not built yet: they are ignored.
     */
    private void presence(Presence presence) {
        String toDomain = presence.getTo().getDomain().toString();
        if (settings.mucDomains().contains(toDomain) && presence.getTo().hasLocalpart()) {
            Presence.Type answer = switch (presence.getType()) {
                case subscribe -> Presence.Type.subscribed;
                case unsubscribe -> Presence.Type.unsubscribed;
                default -> null;
            };
            if (answer != null) {
                sendStanza(StanzaBuilder.buildPresence().ofType(answer).from(presence.getTo().asBareJid())
                        .to(presence.getFrom().asBareJid()).build());
            }
            if (presence.getType() == Presence.Type.subscribe || presence.getType() == Presence.Type.probe) {
                sendStanza(StanzaBuilder.buildPresence().ofType(Presence.Type.available)
                        .from(presence.getTo().asBareJid()).to(presence.getFrom()).build());
            }
            return;
        }
        if (settings.logPresence()) {
            LOG.info("XMPP presence " + presence.getType() + " " + presence.getFrom() + " -> " + presence.getTo());
        }
        String resource = presence.getFrom().hasResource() ? presence.getFrom().getResourceOrThrow().toString() : null;
        presenceFlows.presence("sip:" + presence.getTo().asBareJid(), presence.getFrom().asBareJid().toString(),
                resource, presence);
    }

    /** A stanza from an authenticated stream, addressed to one of our domains. */
    private void stanza(StreamElement element) {
        Stanza stanza;
        try {
            stanza = Stanzas.parse(element.xml());
        } catch (Exception e) {
            LOG.log(Level.INFO, "XMPP stanza not understood: " + element.xml(), e);
            return;
        }
        if (stanza instanceof Message message) {
            if (settings.logMessages()) {
                LOG.info("XMPP message " + message.getFrom() + " -> " + message.getTo());
            }
            if (settings.domains().contains(message.getTo().getDomain().toString())) {
                toSip.translate(message, OffsetDateTime.now()).ifPresent(sip::send);
            }
        } else if (stanza instanceof Presence presence) {
            presence(presence);
        } else if (stanza instanceof IQ iq && (iq.getType() == IQ.Type.get || iq.getType() == IQ.Type.set)) {
            IQ answer = services.answer(iq);
            s2s.send(iq.getTo().getDomain().toString(), iq.getFrom().getDomain().toString(),
                    Stanzas.serverXml(answer));
        }
    }

    public void close() {
        s2s.close();
    }
}
