package org.sylkserver.webrtc;

import org.sylkserver.webrtc.sip.SipRegistration;

/**
 * What every sylkRTC connection of the gateway shares: its configuration and its SIP side. The SIP servlet
 * installs the running gateway when the archive starts ({@link #install}); until then connections see the
 * defaults and cannot register.
 *
 * @param config    {@code webrtcgateway.ini}
 * @param registrar makes SIP registrations for accounts
 */
public record Gateway(GatewayConfig config, Registrar registrar) {

    private static final Gateway NOT_STARTED = new Gateway(GatewayConfig.DEFAULTS, Gateway::notStarted);
    private static volatile Gateway current = NOT_STARTED;

    /** The running gateway. */
    public static Gateway current() {
        return current;
    }

    /** Installs the running gateway (when the archive starts) or, with {@code null}, forgets it (when it stops). */
    public static void install(Gateway gateway) {
        current = gateway == null ? NOT_STARTED : gateway;
    }

    private static SipRegistration notStarted(Account account, SipRegistration.Listener listener) {
        throw new IllegalStateException("The SIP side of the gateway is not running");
    }
}
