package org.sylkserver.core.container;

import java.beans.PropertyChangeEvent;
import java.beans.PropertyChangeListener;

import org.mobicents.servlet.sip.catalina.SipStandardManager;

/**
 * Restcomm's session manager made to run on Tomcat 7.0.68 and later.
 *
 * <p>Restcomm 3.2.0-37 was compiled against a Tomcat whose {@code ManagerBase} implemented
 * {@link PropertyChangeListener}; {@code SipStandardManager.setContainer} still registers itself as one.
 * Tomcat 7.0.68 dropped that interface, so every SIP context failed to start with an
 * {@code ArrayStoreException}. This subclass restores the interface. The notifications need no handling:
 * since 7.0.68 the manager reads the session timeout from its context itself. It is installed for every
 * context by the generated {@code conf/context.xml}. See docs/container.md.
 */
public class SipSessionManager extends SipStandardManager implements PropertyChangeListener {

    /**
     * Restcomm still sets the timeout on the manager; Tomcat 7.0.68+ ignores it with a warning per call.
     * The timeout comes from the context, so the call is dropped here without the noise.
     */
    @Override
    public void setMaxInactiveInterval(int interval) {
        // see above
    }

    @Override
    public void propertyChange(PropertyChangeEvent event) {
        // nothing to follow: ManagerBase asks the context for the session timeout when it needs it
    }
}
