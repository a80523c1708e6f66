package org.sylkserver.xmpp;

import java.time.OffsetDateTime;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.sylkserver.core.Version;
import org.sylkserver.xmpp.im.SipToXmpp;
import org.sylkserver.xmpp.im.Stanzas;
import org.sylkserver.xmpp.im.XmppToSip;
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
            if (!s2s.send(stanza.getFrom().getDomain().toString(), stanza.getTo().getDomain().toString(),
                    Stanzas.serverXml(stanza))) {
                LOG.warning("XMPP message to " + stanza.getTo() + " dropped: the link's queue is full");
            }
        }
        return outcome;
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
