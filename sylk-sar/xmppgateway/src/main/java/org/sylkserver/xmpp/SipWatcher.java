package org.sylkserver.xmpp;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipSession;

import org.sylkserver.xmpp.presence.Pidf;
import org.sylkserver.xmpp.presence.PresenceFlow;

/** One SIP presence subscription (RFC 6665) of a flow: its dialog and when it expires. */
final class SipWatcher implements PresenceFlow.Watcher {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    private final SipSession dialog;
    private volatile long expiresAtMillis;

    SipWatcher(SipSession dialog, int expires) {
        this.dialog = dialog;
        refresh(expires);
    }

    void refresh(int expires) {
        expiresAtMillis = System.currentTimeMillis() + expires * 1000L;
    }

    @Override
    public boolean alive() {
        return dialog.isValid() && System.currentTimeMillis() < expiresAtMillis;
    }

    @Override
    public void notify(String state, byte[] pidf) {
        try {
            if (!dialog.isValid()) {
                return;
            }
            SipServletRequest notify = dialog.createRequest("NOTIFY");
            notify.setHeader("Event", "presence");
            long left = Math.max(0, (expiresAtMillis - System.currentTimeMillis()) / 1000);
            notify.setHeader("Subscription-State", state.startsWith("terminated") ? state : state + ";expires=" + left);
            if (pidf != null) {
                notify.setContent(pidf, Pidf.CONTENT_TYPE);
            }
            notify.send();
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "presence NOTIFY not sent", e);
        }
    }
}
