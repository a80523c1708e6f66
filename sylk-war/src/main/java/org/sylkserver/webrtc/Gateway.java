package org.sylkserver.webrtc;

import java.io.IOException;
import java.util.concurrent.Executors;

import org.sylkserver.webrtc.messaging.Messaging;
import org.sylkserver.webrtc.registration.SipRegistration;

/**
 * What every sylkRTC connection of the gateway shares: its configuration, its SIP side and its media. The SIP
 * servlet installs the running gateway when the archive starts ({@link #install}); until then connections see the
 * defaults and can neither register nor call.
 *
 * @param config    {@code webrtcgateway.ini}
 * @param registrar makes SIP registrations for accounts
 * @param calls     places outgoing SIP calls
 * @param incoming  offers incoming SIP calls to the connections that have their account
 * @param media     makes the media of each call
 * @param messaging messaging for the accounts (spec §4.8), or null while the SIP side is not running
 */
public record Gateway(GatewayConfig config, Registrar registrar, SipCalls calls, IncomingCalls incoming,
                      SessionMediaFactory media, Messaging messaging) {

    private static final Gateway NOT_STARTED = new Gateway(GatewayConfig.DEFAULTS, Gateway::notStarted,
            (account, uri, sdp, headers, listener) -> {
                throw new IOException("The SIP side of the gateway is not running");
            },
            // never offered a call without a SIP side, so its timer never runs
            new IncomingCalls(Executors.newSingleThreadScheduledExecutor(), IncomingCalls.RING_TIMEOUT),
            new UnavailableMedia("The media of the gateway is not running"), null);
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
