package org.sylkserver.webrtc;

import org.sylkserver.webrtc.registration.SipRegistration;

/** The SIP side as the sylkRTC connections see it: it makes registrations for their accounts. */
@FunctionalInterface
public interface Registrar {

    /**
     * A new, idle registration for {@code account}, reporting to {@code listener}.
     *
     * @throws IllegalStateException when the SIP side cannot register now (e.g. still starting)
     */
    SipRegistration registration(Account account, SipRegistration.Listener listener);
}
