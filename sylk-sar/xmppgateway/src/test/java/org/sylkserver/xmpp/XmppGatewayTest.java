package org.sylkserver.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.core.session.ChatLine;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.xmpp.im.SipToXmpp;
import org.sylkserver.xmpp.im.XmppToSip;
import org.sylkserver.xmpp.muc.ConferenceCall;
import org.sylkserver.xmpp.muc.MucSettings;
import org.sylkserver.xmpp.presence.SipPresenceFlow;
import org.sylkserver.xmpp.s2s.S2sService;
import org.sylkserver.xmpp.s2s.ServerResolver;
import org.sylkserver.xmpp.s2s.StreamElement;
import org.sylkserver.xmpp.s2s.XmppTrace;

/**
 * Spec §5.4.2: where an XMPP message for a SIP user goes. {@code normal} messages are always one SIP MESSAGE;
 * {@code chat} messages go as SIP MESSAGE with {@code use_msrp_for_chat = false} and into an MSRP chat session
 * (an INVITE to the SIP user, §5.4.3) with {@code use_msrp_for_chat = true}.
 */
class XmppGatewayTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<XmppToSip.SipMessage> messages = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> invites = new LinkedBlockingQueue<>();
    private S2sService s2s;

    @AfterEach
    void stop() {
        timer.shutdownNow();
        if (s2s != null) {
            s2s.close();
        }
    }

    /** Records the INVITEs; their lines do nothing. */
    private final class Dialer implements ConferenceCall.Dialer {
        @Override
        public ChatLine line(ChatLine.Listener listener) {
            return new ChatLine() {
                public String offer() {
                    return "offer";
                }

                public String answer(String offer) {
                    return null;
                }

                public void answered(String sdp) {
                }

                public void send(CpimMessage message, Delivery delivery) {
                }

                public void sendQuietly(CpimMessage message) {
                }

                public void nickname(String nickname, Delivery outcome) {
                }

                public void close() {
                }
            };
        }

        @Override
        public ConferenceCall dial(String fromUri, String gr, String toUri, String sdp, ConferenceCall.Listener l) {
            invites.add(fromUri + " -> " + toUri);
            return new ConferenceCall() {
                public void subscribe() {
                }

                public void hangUp() {
                }
            };
        }

        @Override
        public void refer(String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer) {
        }
    }

    private XmppGateway gateway(boolean useMsrpForChat) {
        return gateway(useMsrpForChat, Map.of());
    }

    private XmppGateway gateway(boolean useMsrpForChat, Map<String, InetSocketAddress> remoteServers) {
        XmppGatewaySettings settings = new XmppGatewaySettings(Set.of("sip.example"), "conference",
                InetAddress.getLoopbackAddress(), 0, "tcp", Path.of("ca"), Path.of("crt"), useMsrpForChat, true,
                Duration.ofSeconds(600), 1000, false, false, false, false, 4096, Duration.ofSeconds(30), 100, 500, 20,
                remoteServers);
        s2s = new S2sService(settings, null, new ServerResolver(settings.remoteServers()), XmppTrace.off());
        XmppGateway.SipSubscriptions none = new XmppGateway.SipSubscriptions() {
            public void subscribe(SipPresenceFlow flow) {
            }

            public void unsubscribe(SipPresenceFlow flow) {
            }
        };
        return new XmppGateway(settings, s2s, messages::add, none, new Dialer(), MucSettings.DEFAULTS, timer,
                new Dialer());
    }

    private static StreamElement message(String type, String body) {
        String xml = "<message xmlns='jabber:server' type='" + type + "' id='m1' from='juliet@xmpp.example/balcony'"
                + " to='alice@sip.example'><body>" + body + "</body></message>";
        return new StreamElement(StreamElement.SERVER, "message", Map.of(), null, Set.of(), xml);
    }

    @Test
    void chatGoesIntoAnMsrpSessionWithUseMsrpForChat_5_4_2() throws Exception {
        XmppGateway gateway = gateway(true);
        gateway.stanza(message("chat", "hello"));
        assertEquals("sip:juliet@xmpp.example -> sip:alice@sip.example", invites.poll(1, TimeUnit.SECONDS));
        assertTrue(messages.isEmpty(), "no SIP MESSAGE: " + messages);

        gateway.stanza(message("normal", "a note"));
        assertEquals(1, messages.size(), "normal messages are always a SIP MESSAGE");
        assertNull(invites.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void chatGoesAsSipMessageWithoutUseMsrpForChat_5_4_2() throws Exception {
        XmppGateway gateway = gateway(false);
        gateway.stanza(message("chat", "hello"));
        assertEquals(1, messages.size());
        assertNull(invites.poll(100, TimeUnit.MILLISECONDS));
    }

    /**
     * A SIP MESSAGE whose stanza the link cannot take (its send_queue_limit of 100 is full: the remote server has not
     * finished its stream yet) is answered 503 (RFC 3261 §21.5.4), not 200: the sender learns it was not delivered.
     */
    @Test
    void aMessageTheLinkCannotTakeGets503() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            XmppGateway gateway = gateway(false, Map.of("xmpp.example",
                    InetSocketAddress.createUnresolved("127.0.0.1", silent.getLocalPort())));
            byte[] text = "hello".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 100; i++) {
                assertEquals(200, gateway.message("text/plain", text, "sip:alice@sip.example",
                        "sip:juliet@xmpp.example").status(), "message " + i + " is queued");
            }
            SipToXmpp.Outcome full = gateway.message("text/plain", text, "sip:alice@sip.example",
                    "sip:juliet@xmpp.example");
            assertEquals(503, full.status());
        }
    }
}
