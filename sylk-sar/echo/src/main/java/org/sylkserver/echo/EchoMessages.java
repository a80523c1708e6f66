package org.sylkserver.echo;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.Address;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ServerConfig;

/** Sends the echo's MESSAGEs back to their sender (spec §6.1). */
final class EchoMessages {

    private static final Logger LOG = Logger.getLogger(EchoServlet.class.getName());

    private final SipFactory sipFactory;

    EchoMessages(SipFactory sipFactory) {
        this.sipFactory = sipFactory;
    }

    /** Sends a MESSAGE back to the sender: From/To swapped, through the outbound proxy when one is set. */
    void send(SipServletRequest original, MessageBody body) {
        try {
            SipApplicationSession session = sipFactory.createApplicationSession();
            Address from = sipFactory.createAddress(original.getTo().getURI().clone());
            Address to = sipFactory.createAddress(original.getFrom().getURI().clone());
            SipServletRequest message = sipFactory.createRequest(session, "MESSAGE", from, to);
            message.setHeader("X-Sylk-To-Sip", "yes");
            message.setContent(body.content(), body.contentType());
            ServerConfig.OutboundProxy proxy = SylkRuntime.get().config().sip().outboundProxy();
            if (proxy != null) {
                proxy.route(sipFactory, message);
            }
            message.send();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot send echo MESSAGE to " + original.getFrom().getURI(), e);
        }
    }
}
