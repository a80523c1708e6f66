package org.sylkserver.webrtc;

import java.io.IOException;
import java.util.concurrent.Executors;

import javax.servlet.ServletContext;

import org.sylkserver.webrtc.addressbook.AddressBookService;
import org.sylkserver.webrtc.auth.ExternalAuth;
import org.sylkserver.webrtc.messaging.Messaging;
import org.sylkserver.webrtc.registration.SipRegistration;

/**
 * What every sylkRTC connection of the gateway shares: its configuration, its SIP side and its media. The SIP
 * servlet makes it in its {@code init} and installs it as an attribute of the archive's servlet context
 * ({@link #install}), where the WebSocket endpoint and the handshake filter find it ({@link #of}); until then
 * connections see the defaults and can neither register nor call. The running gateway is not static.
 *
 * @param config    {@code webrtcgateway.ini}
 * @param registrar makes SIP registrations for accounts
 * @param calls     places outgoing SIP calls
 * @param incoming  offers incoming SIP calls to the connections that have their account
 * @param media     makes the media of each call
 * @param rooms     the video rooms (spec §4.6)
 * @param messaging messaging for the accounts (spec §4.8), or null while the SIP side is not running
 * @param addressBooks the accounts' address books (spec §4.14), or null while the SIP side is not running
 * @param externalAuth {@code auth.ini} (spec §4.12)
 */
public record Gateway(GatewayConfig config, Registrar registrar, SipCalls calls, IncomingCalls incoming,
                      SessionMediaFactory media, VideoRooms rooms, Messaging messaging, AddressBookService addressBooks,
                      ExternalAuth externalAuth) {

    /** A gateway without address books or external authentication. */
    public Gateway(GatewayConfig config, Registrar registrar, SipCalls calls, IncomingCalls incoming,
                   SessionMediaFactory media, VideoRooms rooms, Messaging messaging) {
        this(config, registrar, calls, incoming, media, rooms, messaging, null, ExternalAuth.DISABLED);
    }

    /** A gateway without external authentication. */
    public Gateway(GatewayConfig config, Registrar registrar, SipCalls calls, IncomingCalls incoming,
                   SessionMediaFactory media, VideoRooms rooms, Messaging messaging, AddressBookService addressBooks) {
        this(config, registrar, calls, incoming, media, rooms, messaging, addressBooks, ExternalAuth.DISABLED);
    }

    private static final Gateway NOT_STARTED = new Gateway(GatewayConfig.DEFAULTS, Gateway::notStarted,
            (account, uri, sdp, headers, listener) -> {
                throw new IOException("The SIP side of the gateway is not running");
            },
            // never offered a call without a SIP side, so its timer never runs
            new IncomingCalls(Executors.newSingleThreadScheduledExecutor(), IncomingCalls.RING_TIMEOUT),
            new UnavailableMedia("The media of the gateway is not running"),
            new VideoRooms(VideoRoomConfig.DEFAULTS, (name, offer, settings, listener) -> {
                throw new IOException("The media of the gateway is not running");
            }), null);
    /** The servlet-context attribute that holds the running gateway. */
    private static final String ATTRIBUTE = Gateway.class.getName();

    /** The gateway running in {@code context}, or one that refuses everything before the SIP side has started. */
    public static Gateway of(ServletContext context) {
        return context.getAttribute(ATTRIBUTE) instanceof Gateway running ? running : NOT_STARTED;
    }

    /**
     * Installs the running gateway in {@code context} (when the archive starts) or, with {@code null}, takes it away
     * (when it stops).
     */
    public static void install(ServletContext context, Gateway gateway) {
        if (gateway == null) {
            context.removeAttribute(ATTRIBUTE);
        } else {
            context.setAttribute(ATTRIBUTE, gateway);
        }
    }

    /** The gateway before its SIP side runs: the defaults, no registrations, calls or media. */
    static Gateway notStarted() {
        return NOT_STARTED;
    }

    private static SipRegistration notStarted(Account account, SipRegistration.Listener listener) {
        throw new IllegalStateException("The SIP side of the gateway is not running");
    }
}
