package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.receipts.DeliveryReceipt;
import org.jivesoftware.smackx.receipts.DeliveryReceiptRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Spec §5.4.3, XMPP-originated MSRP chat sessions (RFC 7573) with {@code use_msrp_for_chat = true}: juliet, a Smack
 * client of Prosody ({@code xmpp.test}), writes to a SIP user of our domain {@code localhost}; the gateway calls that
 * user (an INVITE with an MSRP chat offer, by DNS of {@code localhost}: UDP port 5060 of 127.0.0.1, RFC 3263 §4.1),
 * where a {@link ChatClient} answers listening for the gateway's MSRP connection (RFC 6135 passive).
 */
@ExtendWith(ArquillianExtension.class)
class XmppChatSessionIT {

    /** juliet's resource, hex-encoded in the gr of her SIP addresses (spec §5.3). */
    private static final String BALCONY_GR = "62616c636f6e79";
    private static Prosody prosody;
    private static XMPPTCPConnection juliet;
    private static final LinkedBlockingQueue<Message> AT_JULIET = new LinkedBlockingQueue<>();

    @Deployment(testable = false)
    static EnterpriseArchive all() {
        Prosody.writeGatewayConfig("use_msrp_for_chat = true\n");
        return Archives.all();
    }

    @BeforeAll
    static void xmppWorld() throws Exception {
        prosody = Prosody.start(Files.createTempDirectory("prosody"));
        juliet = Prosody.client("juliet", "balcony");
        // a synchronous listener hears the stanzas in the order they came (Smack's asynchronous ones run in parallel)
        juliet.addSyncStanzaListener(stanza -> AT_JULIET.add((Message) stanza), StanzaTypeFilter.MESSAGE);
        juliet.connect().login();
    }

    @AfterAll
    static void stop() throws Exception {
        if (juliet != null) {
            juliet.disconnect();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    /**
     * juliet's three chat messages wait while the gateway calls romeo (From her bare JID as SIP URI, her resource in
     * the Contact's gr), then arrive over MSRP in order as CPIM text/plain From {@code sip:juliet@xmpp.test;gr=...},
     * each followed by the idle is-composing; the first asked for a receipt (XEP-0184 §5), which romeo's success
     * REPORT (RFC 4975 §7.1.2) becomes. romeo's reply reaches juliet as a chat message asking for a receipt, and her
     * receipt comes back as the REPORT. Her {@code gone} (XEP-0085 §5) ends the call: romeo gets the BYE.
     */
    @Test
    void queuedMessagesArriveInOrderAndAReplyComesBack_spec_5_4_3() throws Exception {
        EntityBareJid romeoJid = JidCreate.entityBareFrom("romeo@localhost");
        try (ChatClient romeo = ChatClient.called("romeo", SipConnection.udp("127.0.0.1", 5060))) {
            AT_JULIET.clear();
            juliet.sendStanza(StanzaBuilder.buildMessage("q1").ofType(Message.Type.chat).to(romeoJid)
                    .setBody("one").addExtension(new DeliveryReceiptRequest()).build());
            juliet.sendStanza(StanzaBuilder.buildMessage("q2").ofType(Message.Type.chat).to(romeoJid)
                    .setBody("two").build());
            juliet.sendStanza(StanzaBuilder.buildMessage("q3").ofType(Message.Type.chat).to(romeoJid)
                    .setBody("three").build());

            String invite = romeo.awaitRequest("INVITE");
            assertTrue(invite.startsWith("INVITE sip:romeo@localhost"), invite);
            assertTrue(invite.matches("(?s).*\r\nFrom: *<sip:juliet@xmpp\\.test>;tag=.*"), invite);
            assertTrue(invite.matches("(?s).*\r\nContact: *<sip:juliet@[^>]*;gr=" + BALCONY_GR + "[;>].*"), invite);
            assertTrue(invite.contains("m=message ") && invite.contains("TCP/TLS/MSRP")
                    && invite.contains("a=setup:actpass"), invite);
            romeo.answerListening(invite);

            List<String> received = new ArrayList<>();
            String one = nextText(romeo, received);
            nextText(romeo, received);
            nextText(romeo, received);
            assertEquals(List.of("one", "two", "three"), received.stream()
                    .filter(m -> m.contains("Content-Type: text/plain")).map(XmppChatSessionIT::content).toList(),
                    received::toString);
            assertTrue(one.contains("From: <sip:juliet@xmpp.test;gr=" + BALCONY_GR + ">"), one);
            assertTrue(one.contains("To: <sip:romeo@localhost>"), one);
            assertTrue(received.get(1).contains("application/im-iscomposing+xml")
                    && received.get(1).contains("<state>idle</state>"), "an idle is-composing follows: " + received);

            romeo.reportSuccess(one);
            Message receipt = nextAtJuliet(m -> DeliveryReceipt.from(m) != null, "the receipt of q1");
            assertEquals("q1", DeliveryReceipt.from(receipt).getId());
            assertEquals("romeo@localhost", receipt.getFrom().asBareJid().toString());

            romeo.send("reply001", "message/cpim", ("From: <sip:romeo@localhost>\r\nTo: <sip:juliet@xmpp.test>\r\n\r\n"
                    + "Content-Type: text/plain\r\n\r\nreply over MSRP").getBytes(StandardCharsets.UTF_8),
                    "Success-Report: yes\r\n");
            Message reply = nextAtJuliet(m -> "reply over MSRP".equals(m.getBody()), "romeo's reply");
            assertEquals(Message.Type.chat, reply.getType());
            assertEquals("romeo@localhost", reply.getFrom().asBareJid().toString());
            assertNotNull(DeliveryReceiptRequest.from(reply), reply::toString);
            juliet.sendStanza(StanzaBuilder.buildMessage().to(reply.getFrom())
                    .addExtension(new DeliveryReceipt(reply.getStanzaId())).build());
            String report = romeo.readUntil(m -> m.contains(" REPORT\r\n"), "the success REPORT of the reply");
            assertTrue(report.contains("Message-ID: msgreply001\r\n") && report.contains("Status: 000 200"), report);

            juliet.sendStanza(StanzaBuilder.buildMessage().ofType(Message.Type.chat).to(romeoJid)
                    .addExtension(new ChatStateExtension(ChatState.gone)).build());
            String bye = romeo.awaitRequest("BYE");
            romeo.respond(bye, "200 OK", null, null);
        }
    }

    /**
     * Spec §5.4.3: the SIP user's BYE ends the session, and juliet gets the chat state {@code gone} from him.
     */
    @Test
    void theSipUsersByeIsGone_spec_5_4_3() throws Exception {
        EntityBareJid mercutioJid = JidCreate.entityBareFrom("mercutio@localhost");
        try (ChatClient mercutio = ChatClient.called("mercutio", SipConnection.udp("127.0.0.1", 5060))) {
            AT_JULIET.clear();
            juliet.sendStanza(StanzaBuilder.buildMessage("m1").ofType(Message.Type.chat).to(mercutioJid)
                    .setBody("a plague").build());
            String invite = mercutio.awaitRequest("INVITE");
            mercutio.answerListening(invite);
            assertEquals("a plague", content(nextText(mercutio, new ArrayList<>())));
            mercutio.bye(invite);
            Message gone = nextAtJuliet(m -> m.getExtension(ChatStateExtension.NAMESPACE) instanceof ChatStateExtension
                    state && state.getChatState() == ChatState.gone, "the chat state gone");
            assertEquals("mercutio@localhost", gone.getFrom().asBareJid().toString());
        }
    }

    /**
     * Spec §5.4.3: a refused call (486) bounces every waiting message to juliet as {@code recipient-unavailable}
     * (RFC 6120 §8.3.3.15), with the ids of her messages. b2 may reach the gateway only after the refusal (on a loaded
     * machine the 486 can overtake it): then no session waits for it and it starts a call of its own (spec §5.4.3,
     * XMPP-originated), which tybalt refuses too; each message still bounces once.
     */
    @Test
    void aRefusedCallBouncesTheWaitingMessages_spec_5_4_3() throws Exception {
        EntityBareJid tybaltJid = JidCreate.entityBareFrom("tybalt@localhost");
        try (ChatClient tybalt = ChatClient.called("tybalt", SipConnection.udp("127.0.0.1", 5060))) {
            AT_JULIET.clear();
            juliet.sendStanza(StanzaBuilder.buildMessage("b1").ofType(Message.Type.chat).to(tybaltJid)
                    .setBody("a word").build());
            juliet.sendStanza(StanzaBuilder.buildMessage("b2").ofType(Message.Type.chat).to(tybaltJid)
                    .setBody("and a blow").build());
            String invite = tybalt.awaitRequest("INVITE");
            tybalt.respond(invite, "486 Busy Here", "busy" + tybalt.unique, null);
            Thread refusing = new Thread(() -> {
                while (true) {
                    try {
                        tybalt.respond(tybalt.awaitRequest("INVITE"), "486 Busy Here", "busy" + tybalt.unique, null);
                    } catch (java.net.SocketTimeoutException quiet) {
                        // no further call yet
                    } catch (IOException closed) {
                        return; // tybalt hung up: the test is over
                    }
                }
            }, "tybalt refuses the calls after the first");
            refusing.setDaemon(true);
            refusing.start();
            List<String> bounced = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Message error = nextAtJuliet(m -> m.getType() == Message.Type.error, "a bounce");
                assertEquals(StanzaError.Condition.recipient_unavailable, error.getError().getCondition(),
                        error::toString);
                assertEquals("tybalt@localhost", error.getFrom().asBareJid().toString());
                bounced.add(error.getStanzaId());
            }
            assertEquals(List.of("b1", "b2"), bounced.stream().sorted().toList(), "each waiting message bounced once");
        }
    }

    /** The next SEND with CPIM text/plain (the ones before it kept in {@code received} too); returns it. */
    private static String nextText(ChatClient peer, List<String> received) throws IOException {
        while (true) {
            String send = peer.receiveSend();
            received.add(send);
            if (send.contains("Content-Type: text/plain")) {
                return send;
            }
        }
    }

    /** The content of a single-chunk SEND of CPIM: after the CPIM content headers, before the end-line. */
    private static String content(String send) {
        String body = send.substring(send.indexOf("\r\n\r\n") + 4);
        String inner = body.substring(body.indexOf("\r\n\r\n") + 4);
        inner = inner.substring(inner.indexOf("\r\n\r\n") + 4);
        return inner.substring(0, inner.lastIndexOf("\r\n-------")).strip();
    }

    private static Message nextAtJuliet(Predicate<Message> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Message> skipped = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            Message message = AT_JULIET.poll(1, TimeUnit.SECONDS);
            if (message != null && wanted.test(message)) {
                return message;
            }
            if (message != null) {
                skipped.add(message);
            }
        }
        throw new AssertionError("no " + what + " at juliet (got " + skipped + "); Prosody's log:\n" + prosody.log());
    }
}
