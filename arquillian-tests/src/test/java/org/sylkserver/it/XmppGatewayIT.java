package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smackx.caps.packet.CapsExtension;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.xhtmlim.packet.XHTMLExtension;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.iqversion.VersionManager;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.packet.MUCInitialPresence;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jivesoftware.smackx.ping.PingManager;
import org.jivesoftware.smackx.receipts.DeliveryReceipt;
import org.jivesoftware.smackx.receipts.DeliveryReceiptRequest;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * The XMPP gateway (spec §5) federating with a real XMPP server: Prosody serves {@code xmpp.test} on loopback and
 * reaches our domain {@code localhost} by DNS (no SRV record: port 5269 of 127.0.0.1, RFC 6120 §3.2.2), we reach it by
 * {@code remote_servers}; S2S over STARTTLS with dialback (XEP-0220) both ways. The XMPP user is a Smack client of
 * Prosody, the SIP user is sipp.
 */
@ExtendWith(ArquillianExtension.class)
class XmppGatewayIT {

    private static final Path WORK = Path.of(System.getProperty("sylk.work", "target/sylk-it"));
    private static Prosody prosody;
    private static XMPPTCPConnection juliet;
    private static final LinkedBlockingQueue<Message> AT_JULIET = new LinkedBlockingQueue<>();
    private static final LinkedBlockingQueue<Presence> PRESENCE_AT_JULIET = new LinkedBlockingQueue<>();

    @TempDir
    Path work;

    /** xmppgateway.ini is read when the application is deployed. */
    @Deployment(testable = false)
    static EnterpriseArchive all() {
        Prosody.writeGatewayConfig("""
                trace_xmpp = true
                use_msrp_for_chat = false
                [muc]
                outbound_proxy = %s:%d;transport=udp
                """.formatted(Sipp.SERVER, Sipp.SIP_PORT));
        return Archives.all();
    }

    @BeforeAll
    static void xmppWorld() throws Exception {
        prosody = Prosody.start(Files.createTempDirectory("prosody"));
        juliet = Prosody.client("juliet", "balcony");
        // a synchronous listener queues the messages in the order they came (Smack runs asynchronous ones in
        // parallel: the wake-up's composing and its single space were once queued the other way round)
        juliet.addSyncStanzaListener(stanza -> {
            if (!stanza.getFrom().getDomain().toString().equals("conference.localhost")) {
                AT_JULIET.add((Message) stanza); // the rooms' messages and invitations are their tests'
            }
        }, StanzaTypeFilter.MESSAGE);
        juliet.addAsyncStanzaListener(stanza -> {
            if (stanza.getFrom() != null && stanza.getFrom().getDomain().toString().equals("localhost")) {
                PRESENCE_AT_JULIET.add((Presence) stanza);
            }
        }, StanzaTypeFilter.PRESENCE);
        // juliet approves presence subscriptions herself, when a test says so
        Roster.getInstanceFor(juliet).setSubscriptionMode(Roster.SubscriptionMode.manual);
        juliet.connect().login();
    }

    @AfterAll
    static void stop() throws Exception {
        if (juliet != null) {
            juliet.disconnect();
        }
        ChatClient.closeSipConnections();
        if (prosody != null) {
            prosody.close();
        }
        // the next test classes deploy the gateway without domains again
    }

    private Message nextAtJuliet() throws InterruptedException {
        Message message = AT_JULIET.poll(20, TimeUnit.SECONDS);
        assertNotNull(message, () -> "nothing reached juliet; Prosody's log:\n" + prosody.log());
        return message;
    }

    /** Spec §5.4.1: a SIP MESSAGE becomes an XMPP message from the sender's JID with a generated resource. */
    @Test
    void aSipMessageReachesTheXmppUser() throws Exception {
        Sipp.Result sent = Sipp.scenario(work, Scenarios.messageFrom("sip:romeo@localhost", "sip:juliet@xmpp.test",
                List.of("X-Sylk-App: xmppgateway"), "text/plain", "hello from SIP", 200)).run();
        assertEquals(0, sent.exitCode(), sent::toString);
        Message message = nextAtJuliet();
        assertEquals("hello from SIP", message.getBody().strip()); // sipp ends its body with a line break
        assertEquals("romeo@localhost", message.getFrom().asBareJid().toString());
        assertEquals(74, message.getFrom().getResourceOrEmpty().length(), "generated resource (spec §5.3)");
    }

    /** CPIM is unwrapped; its From is the sender. */
    @Test
    void aCpimMessageArrivesUnwrapped() throws Exception {
        String cpim = "From: <sip:mercutio@localhost>\r\nTo: <sip:juliet@xmpp.test>\r\n\r\n"
                + "Content-Type: text/plain\r\n\r\nwrapped hello";
        Sipp.Result sent = Sipp.scenario(work, Scenarios.messageFrom("sip:romeo@localhost", "sip:juliet@xmpp.test",
                List.of("X-Sylk-App: xmppgateway"), "message/cpim", cpim, 200)).run();
        assertEquals(0, sent.exitCode(), sent::toString);
        Message message = nextAtJuliet();
        assertEquals("wrapped hello", message.getBody().strip());
        assertEquals("mercutio@localhost", message.getFrom().asBareJid().toString());
    }

    /** Spec §5.3: HTML becomes XHTML-IM (sanitized) with its text as the plain body. */
    @Test
    void anHtmlMessageArrivesAsXhtmlIm() throws Exception {
        Sipp.Result sent = Sipp.scenario(work, Scenarios.messageFrom("sip:romeo@localhost", "sip:juliet@xmpp.test",
                List.of("X-Sylk-App: xmppgateway"), "text/html", "<p>hello <b>bold</b></p>", 200)).run();
        assertEquals(0, sent.exitCode(), sent::toString);
        Message message = nextAtJuliet();
        assertEquals("hello bold", message.getBody());
        XHTMLExtension xhtml = XHTMLExtension.from(message);
        assertNotNull(xhtml, message::toString);
        assertTrue(xhtml.getBodies().get(0).toString().contains("<b>bold</b>"), xhtml.getBodies()::toString);
    }

    /** Spec §5.4.1 with use_msrp_for_chat = false: is-composing becomes the chat state composing. */
    @Test
    void isComposingBecomesAChatState() throws Exception {
        String typing = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">"
                + "<state>active</state><refresh>60</refresh></isComposing>";
        Sipp.Result sent = Sipp.scenario(work, Scenarios.messageFrom("sip:romeo@localhost", "sip:juliet@xmpp.test",
                List.of("X-Sylk-App: xmppgateway"), "application/im-iscomposing+xml", typing, 200)).run();
        assertEquals(0, sent.exitCode(), sent::toString);
        Message message = nextAtJuliet();
        assertEquals(Message.Type.chat, message.getType());
        ChatStateExtension state = (ChatStateExtension) message.getExtension(ChatStateExtension.NAMESPACE);
        assertNotNull(state, message::toString);
        assertEquals(ChatState.composing, state.getChatState());
    }

    /** Spec §5.4.2 with use_msrp_for_chat = false: XMPP composing becomes an is-composing MESSAGE, state active. */
    @Test
    void aChatStateBecomesIsComposing() throws Exception {
        Sipp.Running receiver = Sipp.scenario(work, Scenarios.messageReceive("<state>active</state>"))
                .localPort(5060).waitingForRequests().start();
        Thread.sleep(300); // let sipp bind its port
        juliet.sendStanza(juliet.getStanzaFactory().buildMessageStanza().ofType(Message.Type.chat)
                .to(JidCreate.entityBareFrom("romeo@localhost")).addExtension(new ChatStateExtension(ChatState.composing))
                .build());
        Sipp.Result received = receiver.await();
        assertEquals(0, received.exitCode(), received::toString);
        assertTrue(received.messages().contains("Content-Type: application/im-iscomposing+xml"), received::toString);
    }

    /** Spec §5.3: XHTML-IM from XMPP becomes text/html (inside CPIM). */
    @Test
    void anXhtmlImMessageReachesTheSipUserAsHtml() throws Exception {
        Sipp.Running receiver = Sipp.scenario(work, Scenarios.messageReceive("Content-Type: text/html",
                "<em>there</em>")).localPort(5060).waitingForRequests().start();
        Thread.sleep(300); // let sipp bind its port
        XHTMLExtension xhtml = new XHTMLExtension();
        xhtml.addBody("<body xmlns='http://www.w3.org/1999/xhtml'><p>hi <em>there</em></p></body>");
        juliet.sendStanza(juliet.getStanzaFactory().buildMessageStanza()
                .to(JidCreate.entityBareFrom("romeo@localhost")).setBody("hi there").addExtension(xhtml).build());
        Sipp.Result received = receiver.await();
        assertEquals(0, received.exitCode(), received::toString);
    }

    /** A sender outside our domains is refused with 606 (spec §5.4.1). */
    @Test
    void aForeignSenderIsRefusedWith606() throws Exception {
        Sipp.Result sent = Sipp.scenario(work, Scenarios.messageFrom("sip:mallory@elsewhere.test", "sip:juliet@xmpp.test",
                List.of("X-Sylk-App: xmppgateway"), "text/plain", "spoof", 606)).run();
        assertEquals(0, sent.exitCode(), sent::toString);
    }

    /**
     * Spec §5.4.2: an XMPP message becomes one SIP MESSAGE (CPIM, From the XMPP sender without resource), delivered
     * by DNS of the recipient's domain: localhost, where sipp waits on port 5060.
     */
    @Test
    void anXmppMessageReachesTheSipUser() throws Exception {
        Sipp.Running receiver = Sipp.scenario(work, Scenarios.messageReceive("From: <sip:juliet@xmpp.test>",
                "hello from XMPP")).localPort(5060).waitingForRequests().start();
        Thread.sleep(300); // let sipp bind its port
        juliet.sendStanza(juliet.getStanzaFactory().buildMessageStanza()
                .to(JidCreate.entityBareFrom("romeo@localhost")).setBody("hello from XMPP").build());
        Sipp.Result received = receiver.await();
        assertEquals(0, received.exitCode(), () -> received + "\nProsody's log:\n" + prosody.log());
        assertTrue(received.messages().contains("Content-Type: message/cpim"), received::toString);
        // trace_xmpp: both links were secured by STARTTLS (our <proceed/> to Prosody and Prosody's to us) and
        // authenticated by dialback (RFC 6120 §5, XEP-0220)
        String trace = Files.readString(WORK.resolve("var/log/sylkserver/xmpp_trace.log"));
        assertTrue(trace.split("<proceed ", -1).length - 1 >= 2, "STARTTLS on both links");
        assertTrue(trace.contains("<db:result") && trace.contains("type='valid'"), "dialback in the trace");
    }

    /**
     * Spec §5.4.3 (RFC 7573): a SIP client calls juliet with an MSRP chat; the gateway answers as the MSRP endpoint,
     * the CPIM text reaches juliet as a chat message asking for a receipt (XEP-0184 §5), her receipt becomes the
     * success REPORT of the message at the SIP client (RFC 4975 §7.1.2), and the client's BYE reaches her as the
     * chat state gone (XEP-0085 §5).
     */
    @Test
    void aSipChatSessionReachesTheXmppUser_spec_5_4_3() throws Exception {
        try (ChatClient romeo = new ChatClient("romeo", "localhost", "juliet", Prosody.DOMAIN, Prosody.DOMAIN,
                "X-Sylk-App: xmppgateway\r\n")) {
            String ok = romeo.invite("m=message 9 TCP/TLS/MSRP *\r\na=accept-types:message/cpim text/plain\r\n"
                    + "a=accept-wrapped-types:*\r\na=path:" + romeo.ownPath + "\r\na=setup:active\r\n");
            assertTrue(ok.startsWith("SIP/2.0 200") && ok.contains("a=setup:passive"), ok);
            romeo.connect(ok);
            // spec §5.4.3 step 5: once the session is up juliet's client is woken up, composing then a single space
            Message composing = nextAtJuliet();
            assertNull(composing.getBody(), composing::toString);
            String wakeUp = composing.toXML().toString();
            assertTrue(wakeUp.contains("<composing") && wakeUp.contains("http://jabber.org/protocol/chatstates"), wakeUp);
            assertEquals(" ", nextAtJuliet().getBody());
            String cpim = "From: <sip:romeo@localhost>\r\nTo: <sip:juliet@xmpp.test>\r\n\r\n"
                    + "Content-Type: text/plain\r\n\r\nhello over MSRP";
            romeo.send("chat0001", "message/cpim", cpim.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "Success-Report: yes\r\n");
            Message message = nextAtJuliet();
            assertEquals("hello over MSRP", message.getBody());
            assertEquals(Message.Type.chat, message.getType());
            assertEquals("romeo@localhost", message.getFrom().asBareJid().toString());
            assertNotNull(DeliveryReceiptRequest.from(message), message::toString);

            juliet.sendStanza(juliet.getStanzaFactory().buildMessageStanza().to(message.getFrom())
                    .addExtension(new DeliveryReceipt(message.getStanzaId())).build());
            String report = romeo.awaitMessage(m -> m.contains(" REPORT\r\n"), "the success REPORT");
            assertTrue(report.contains("Message-ID: msgchat0001\r\n") && report.contains("Status: 000 200"), report);

            // spec §2.4, §5.4.3: a transfer (REFER in the session's dialog) is refused with 403
            romeo.sip.send("REFER sip:juliet@" + Prosody.DOMAIN + " SIP/2.0\r\n"
                    + romeo.headers("REFER", ++romeo.cseq, "refer" + romeo.user)
                    + "Refer-To: <sip:tybalt@localhost>\r\nContent-Length: 0\r\n\r\n");
            String refused = romeo.sip.receiveFinal();
            assertTrue(refused.startsWith("SIP/2.0 403"), refused);
        }
        Message gone;
        do {
            gone = nextAtJuliet();
        } while (gone.getExtension(ChatStateExtension.NAMESPACE) == null);
        assertEquals(ChatState.gone, ((ChatStateExtension) gone.getExtension(ChatStateExtension.NAMESPACE))
                .getChatState());
    }

    /** Spec §5.2: service discovery, software version and ping of our domain, asked from the XMPP world. */
    @Test
    void theDomainAnswersDiscoveryVersionAndPing() throws Exception {
        var domain = JidCreate.domainBareFrom("localhost");
        DiscoverInfo info = ServiceDiscoveryManager.getInstanceFor(juliet).discoverInfo(domain);
        assertTrue(info.hasIdentity("gateway", "simple"), info::toString);
        assertTrue(info.containsFeature("urn:xmpp:ping"), info::toString);
        DiscoverItems items = ServiceDiscoveryManager.getInstanceFor(juliet).discoverItems(domain);
        assertEquals("conference.localhost", items.getItems().get(0).getEntityID().toString());
        assertEquals("SylkServer", VersionManager.getInstanceFor(juliet).getVersion(domain).getName());
        assertTrue(PingManager.getInstanceFor(juliet).ping(domain));
    }

    /**
     * Spec §5.5.1: a SIP SUBSCRIBE for juliet's presence is pending (202, a NOTIFY without body) until she approves
     * the XMPP subscription (a NOTIFY, active), then her resource arrives as a PIDF tuple (open, its contact with the
     * hex-encoded resource in gr), and once more as the answer to the probe sent after the approval.
     */
    @Test
    void aSipWatcherSeesTheXmppUsersPresence() throws Exception {
        String ok = """
                  <send><![CDATA[

                SIP/2.0 200 OK
                [last_Via:]
                [last_From:]
                [last_To:]
                [last_Call-ID:]
                [last_CSeq:]
                Content-Length: 0

                  ]]></send>
                """;
        String scenario = """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="presence">
                  <send retrans="500"><![CDATA[

                SUBSCRIBE sip:juliet@xmpp.test SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:romeo@localhost>;tag=[call_number]
                To: <sip:juliet@xmpp.test>
                Call-ID: [call_id]
                CSeq: 1 SUBSCRIBE
                Max-Forwards: 70
                Contact: <sip:romeo@[local_ip]:[local_port]>
                Event: presence
                Accept: application/pidf+xml
                Expires: 60
                X-Sylk-App: xmppgateway
                Content-Length: 0

                  ]]></send>
                  <recv response="202"/>
                  <recv request="NOTIFY">
                    <action><ereg regexp="Subscription-State: pending" search_in="msg" check_it="true" assign_to="p"/></action>
                  </recv>
                  <Reference variables="p"/>
                """ + ok + """
                  <recv request="NOTIFY"/>
                """ + ok + """
                  <recv request="NOTIFY">
                    <action>
                      <ereg regexp="<basic>open</basic>" search_in="body" check_it="true" assign_to="o"/>
                      <ereg regexp="sip:juliet@xmpp.test;gr=62616c636f6e79" search_in="body" check_it="true" assign_to="c"/>
                    </action>
                  </recv>
                  <Reference variables="o,c"/>
                """ + ok + """
                  <recv request="NOTIFY"/>
                """ + ok + """
                </scenario>
                """;
        Sipp.Running watcher = Sipp.scenario(work, scenario.replace("<basic>open</basic>", "&lt;basic&gt;open&lt;/basic&gt;"))
                .start();
        Thread.sleep(1500); // the subscription is pending at juliet's; she approves it now
        juliet.sendStanza(juliet.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.subscribed)
                .to(JidCreate.entityBareFrom("romeo@localhost")).build());
        Sipp.Result result = watcher.await();
        assertEquals(0, result.exitCode(), () -> result + "\nProsody's log:\n" + prosody.log());
        assertTrue(result.messages().contains("Content-Type: application/pidf+xml"), result::toString);
    }

    /**
     * Spec §5.5.2: juliet subscribes to romeo's presence; the gateway subscribes to sip:romeo@localhost (sipp on
     * 5060), whose active NOTIFY becomes XMPP subscribed and whose PIDF tuple becomes romeo's availability, its
     * device id as the resource and its note as the status.
     */
    @Test
    void anXmppWatcherSeesTheSipUsersPresence() throws Exception {
        String pidf = "<?xml version='1.0' encoding='UTF-8'?><presence xmlns='urn:ietf:params:xml:ns:pidf' "
                + "xmlns:agp='urn:ag-projects:xml:ns:pidf' entity='sip:romeo@localhost'><tuple id='t1'>"
                + "<status><basic>open</basic><agp:extended>away</agp:extended></status>"
                + "<agp:device-info id='urn:uuid:romeo-phone'/><note>under the balcony</note></tuple></presence>";
        String scenario = """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="presence-notifier">
                  <recv request="SUBSCRIBE" rrs="true">
                    <action><ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="from"/></action>
                  </recv>
                  <send><![CDATA[

                SIP/2.0 200 OK
                [last_Via:]
                [last_From:]
                [last_To:];tag=[pid]presence
                [last_Call-ID:]
                [last_CSeq:]
                Contact: <sip:romeo@[local_ip]:[local_port]>
                Expires: 600
                Content-Length: 0

                  ]]></send>
                  <send><![CDATA[

                NOTIFY [next_url] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:romeo@localhost>;tag=[pid]presence
                To:[$from]
                [last_Call-ID:]
                CSeq: 1 NOTIFY
                Max-Forwards: 70
                Contact: <sip:romeo@[local_ip]:[local_port]>
                Event: presence
                Subscription-State: active;expires=600
                Content-Type: application/pidf+xml
                Content-Length: [len]

                %s
                  ]]></send>
                  <recv response="200"/>
                </scenario>
                """.formatted(pidf);
        Sipp.Running notifier = Sipp.scenario(work, scenario).localPort(5060).waitingForRequests().start();
        Thread.sleep(300); // let sipp bind its port
        PRESENCE_AT_JULIET.clear();
        juliet.sendStanza(juliet.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.subscribe)
                .to(JidCreate.entityBareFrom("romeo@localhost")).build());
        Sipp.Result result = notifier.await();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.messages().contains("Event: presence"), result::toString);
        Presence subscribed = PRESENCE_AT_JULIET.poll(10, TimeUnit.SECONDS);
        assertNotNull(subscribed, () -> "no presence from romeo; Prosody's log:\n" + prosody.log());
        assertEquals(Presence.Type.subscribed, subscribed.getType(), subscribed::toString);
        Presence available = PRESENCE_AT_JULIET.poll(10, TimeUnit.SECONDS);
        assertNotNull(available, "romeo's availability");
        assertEquals("romeo@localhost/urn:uuid:romeo-phone", available.getFrom().toString());
        assertEquals(Presence.Mode.away, available.getMode());
        assertEquals("under the balcony", available.getStatus());
        CapsExtension caps = (CapsExtension) available.getExtension(CapsExtension.NAMESPACE);
        assertNotNull(caps, "entity capabilities (XEP-0115) in our presence: " + available);
        assertEquals("https://sylkserver.com", caps.getNode());
    }

    /**
     * Spec §5.6.1: juliet (Smack's MultiUserChat) joins {@code muc1@conference.localhost} as Juliet while carol, a SIP
     * MSRP client, is in that SIP conference. The gateway's call into the conference (routed by {@code [muc]
     * outbound_proxy} to this server) gets the nickname (RFC 7701), the conference-info makes carol an occupant and
     * juliet's own presence comes with status 110 (XEP-0045 §7.2.3); juliet's groupchat reaches carol as CPIM from
     * "Juliet" and comes back to juliet from her occupant JID (reflection, XEP-0045 §7.4); carol's message reaches
     * juliet from carol's occupant JID; a subject reaches carol; juliet's invitation of romeo makes the conference call him (spec §5.6.2);
     * leaving ends the call (carol sees the room's notice).
     */
    @Test
    void anXmppUserAndASipClientChatInOneConferenceRoom_spec_5_6() throws Exception {
        try (ChatClient carol = new ChatClient("carol", "muc1", "conference.localhost")) {
            carol.join();
            MultiUserChat room = MultiUserChatManager.getInstanceFor(juliet)
                    .getMultiUserChat(JidCreate.entityBareFrom("muc1@conference.localhost"));
            LinkedBlockingQueue<Message> inRoom = new LinkedBlockingQueue<>();
            room.addMessageListener(inRoom::add);
            room.join(room.getEnterConfigurationBuilder(Resourcepart.from("Juliet")).timeoutAfter(20_000).build());
            assertTrue(room.getOccupants().stream().anyMatch(o -> o.toString().equals(
                    "muc1@conference.localhost/carol@127.0.0.1")), () -> "carol is an occupant: " + room.getOccupants());
            carol.readUntil(m -> m.contains("juliet@xmpp.test") && m.contains("has joined the room"),
                    "the room's notice that juliet joined");

            room.sendMessage("hello from the XMPP room");
            String atCarol = carol.readUntil(m -> m.contains("hello from the XMPP room"), "juliet's groupchat");
            assertTrue(atCarol.contains("From: \"Juliet\" <sip:juliet@xmpp.test>"), atCarol);
            Message reflected = nextInRoom(inRoom, "hello from the XMPP room");
            assertEquals("muc1@conference.localhost/Juliet", reflected.getFrom().toString(), "reflection");

            carol.send("mucsay01", "message/cpim", "From: <sip:carol@127.0.0.1>\r\nTo: <sip:muc1@conference.localhost>"
                    + "\r\n\r\nContent-Type: text/plain\r\n\r\nhello from SIP to the room");
            Message fromCarol = nextInRoom(inRoom, "hello from SIP to the room");
            assertEquals("muc1@conference.localhost/carol@127.0.0.1", fromCarol.getFrom().toString());
            assertEquals(Message.Type.groupchat, fromCarol.getType());

            // spec §5.6.1 step 6: a subject reaches the conference as text, and comes back as the room's subject.
            // (A nickname change is MucSessionTest's: Smack 4.4's changeNickname holds the room's lock that its own
            // presence listener needs for the XEP-0045 §7.6 unavailable-303-110 presence, and times out.)
            room.changeSubject("Balcony scene");
            carol.readUntil(m -> m.contains("Conference title set to: Balcony scene")
                    && m.contains("From: \"Juliet\" <sip:juliet@xmpp.test>"), "the subject from Juliet");

            // spec §5.6.2: juliet's mediated invitation (XEP-0045 §7.8.2) becomes a REFER; the conference dials
            // romeo (sipp on 5060, by DNS of localhost) on her behalf
            Sipp.Running romeo = Sipp.scenario(work, """
                    <?xml version="1.0" encoding="ISO-8859-1" ?>
                    <scenario name="invited">
                      <recv request="INVITE">
                        <action><ereg regexp="Referred-By: .*juliet@xmpp.test" search_in="msg" check_it="true" assign_to="r"/></action>
                      </recv>
                      <Reference variables="r"/>
                      <send><![CDATA[

                    SIP/2.0 486 Busy Here
                    [last_Via:]
                    [last_From:]
                    [last_To:];tag=[pid]romeo
                    [last_Call-ID:]
                    [last_CSeq:]
                    Content-Length: 0

                      ]]></send>
                      <recv request="ACK"/>
                    </scenario>
                    """).localPort(5060).waitingForRequests().start();
            Thread.sleep(300); // let sipp bind its port
            room.invite(JidCreate.entityBareFrom("romeo@localhost"), "join us");
            Sipp.Result invited = romeo.await();
            assertEquals(0, invited.exitCode(), invited::toString);

            room.leave();
            carol.readUntil(m -> m.contains("juliet@xmpp.test") && m.contains("has left the room"),
                    "the notice that juliet's call left the conference");
        }
    }

    /**
     * Spec §5.6 with §3.4/§3.6: nicknames are what the other members see. A SIP watcher following room muc3 (RFC 4575
     * SUBSCRIBE) sees juliet, who joined from XMPP as "Juliet", with that display text, and gets a NOTIFY with her
     * new name when she changes it (XEP-0045 §7.6 presence to the new occupant JID, which the gateway sends as an
     * RFC 7701 NICKNAME); carol's NICKNAME from her SIP client makes her the occupant "Carol C" at juliet's, and the
     * watcher sees that too.
     */
    @Test
    void nicknamesAreWhatTheOtherMembersSee_spec_5_6() throws Exception {
        EntityBareJid roomJid = JidCreate.entityBareFrom("muc3@conference.localhost");
        StanzaCollector inRoom = juliet.createStanzaCollector(new AndFilter(StanzaTypeFilter.PRESENCE,
                FromMatchesFilter.createBare(roomJid)));
        try (ChatClient carol = new ChatClient("carol", "muc3", "conference.localhost");
             SipConnection watcher = SipConnection.tcp(Sipp.SERVER, Sipp.SIP_PORT)) {
            carol.join();
            String unique = Long.toString(System.nanoTime());
            watcher.send("SUBSCRIBE sip:muc3@conference.localhost SIP/2.0\r\n"
                    + "Via: SIP/2.0/TCP 127.0.0.1:" + watcher.localPort() + ";branch=z9hG4bKwatch" + unique + "\r\n"
                    + "From: <sip:watcher@127.0.0.1>;tag=w" + unique + "\r\nTo: <sip:muc3@conference.localhost>\r\n"
                    + "Call-ID: watch-" + unique + "@127.0.0.1\r\nCSeq: 1 SUBSCRIBE\r\nMax-Forwards: 70\r\n"
                    + "Contact: <sip:watcher@127.0.0.1:" + watcher.localPort() + ";transport=tcp>\r\n"
                    + "Event: conference\r\nAccept: application/conference-info+xml\r\nExpires: 600\r\n"
                    + "Content-Length: 0\r\n\r\n");
            awaitNotify(watcher, "entity=\"sip:carol@127.0.0.1\"");

            juliet.sendStanza(juliet.getStanzaFactory().buildPresenceStanza()
                    .to(JidCreate.entityFullFrom(roomJid, Resourcepart.from("Juliet")))
                    .addExtension(new MUCInitialPresence(null, -1, -1, -1, null)).build());
            awaitPresence(inRoom, "Juliet", Presence.Type.available, true);
            awaitNotify(watcher, "<display-text>Juliet</display-text>");

            juliet.sendStanza(juliet.getStanzaFactory().buildPresenceStanza()
                    .to(JidCreate.entityFullFrom(roomJid, Resourcepart.from("Juliet Capulet"))).build());
            awaitPresence(inRoom, "Juliet Capulet", Presence.Type.available, true);
            String renamed = awaitNotify(watcher, "<display-text>Juliet Capulet</display-text>");
            assertTrue(!renamed.contains("<display-text>Juliet</display-text>"), renamed);

            carol.nickname("nick0001", "Carol C");
            carol.readUntil(m -> m.startsWith("MSRP nick0001 200"), "the NICKNAME's 200");
            Presence carolNamed = awaitPresence(inRoom, "Carol C", Presence.Type.available, false);
            assertEquals("carol@127.0.0.1", MUCUser.from(carolNamed).getItem().getJid().toString(), "her real JID");
            awaitNotify(watcher, "<display-text>Carol C</display-text>");

            juliet.sendStanza(juliet.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.unavailable)
                    .to(JidCreate.entityFullFrom(roomJid, Resourcepart.from("Juliet Capulet"))).build());
            awaitPresence(inRoom, "Juliet Capulet", Presence.Type.unavailable, true);
        } finally {
            inRoom.cancel();
        }
    }

    /**
     * The next presence from {@code room/nick} of {@code type} (others are skipped), with status 110 when
     * {@code self} (XEP-0045 §7.2.3: the user's own).
     */
    private Presence awaitPresence(StanzaCollector collector, String nick, Presence.Type type, boolean self)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Presence presence = collector.nextResult(1000);
            if (presence != null && presence.getType() == type && presence.getFrom().hasResource()
                    && presence.getFrom().getResourceOrThrow().toString().equals(nick)) {
                MUCUser x = MUCUser.from(presence);
                boolean own = x != null && x.getStatus().contains(MUCUser.Status.PRESENCE_TO_SELF_110);
                if (own == self) {
                    return presence;
                }
            }
        }
        throw new AssertionError("no " + type + " presence from the room's " + nick + "; Prosody's log:\n"
                + prosody.log());
    }

    /** Answers the room's NOTIFYs (RFC 6665 §4.1.3) until one whose body contains {@code wanted}; returns it. */
    private static String awaitNotify(SipConnection watcher, String wanted) throws IOException {
        List<String> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String message = watcher.receive();
            assertNotNull(message, "the server closed the watcher's connection");
            if (message.startsWith("SIP/2.0 ")) {
                assertTrue(message.startsWith("SIP/2.0 200"), message);
                continue;
            }
            StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
            for (String line : message.split("\r\n")) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("to:")
                        || lower.startsWith("call-id:") || lower.startsWith("cseq:")) {
                    ok.append(line).append("\r\n");
                }
            }
            watcher.send(ok.append("Content-Length: 0\r\n\r\n").toString());
            if (message.startsWith("NOTIFY ") && message.contains(wanted)) {
                return message;
            }
            seen.add(message);
        }
        throw new AssertionError("no NOTIFY with " + wanted + "; got " + seen);
    }

    /**
     * Spec §5.6.2 with §3.9: only an occupant may invite (the conference takes REFERs only from its participants), so
     * juliet's mediated invitation into a room she is not in (nobody is: it does not exist) comes back at once as a
     * forbidden error from the room (XEP-0045 §7.8.2), and no REFER goes out.
     */
    @Test
    void anInvitationFromANonOccupantIsForbidden_spec_5_6_2() throws Exception {
        EntityBareJid roomJid = JidCreate.entityBareFrom("muc9@conference.localhost");
        StanzaCollector fromRoom = juliet.createStanzaCollector(new AndFilter(StanzaTypeFilter.MESSAGE,
                FromMatchesFilter.createBare(roomJid)));
        try {
            MUCUser x = new MUCUser();
            x.setInvite(new MUCUser.Invite("join us", JidCreate.entityBareFrom("romeo@localhost")));
            juliet.sendStanza(org.jivesoftware.smack.packet.StanzaBuilder.buildMessage("invite-muc9").to(roomJid)
                    .addExtension(x).build());
            Message error = fromRoom.nextResult(20_000);
            assertNotNull(error, () -> "no answer from the room; Prosody's log:\n" + prosody.log());
            assertEquals(Message.Type.error, error.getType(), error::toString);
            assertEquals("invite-muc9", error.getStanzaId());
            assertEquals(org.jivesoftware.smack.packet.StanzaError.Condition.forbidden, error.getError().getCondition());
        } finally {
            fromRoom.cancel();
        }
    }

    /**
     * Spec §5.6.3: a conference focus (sipp: From the room, Contact isfocus, Referred-By carol) calling juliet becomes a
     * MUC invitation from the room naming carol; juliet joins, and the INVITE is ended with 480 (quirk Q13: the
     * original left it pending).
     */
    @Test
    void aConferenceCallingTheXmppUserIsAnInvitation_spec_5_6_3() throws Exception {
        LinkedBlockingQueue<String> invited = new LinkedBlockingQueue<>();
        MultiUserChatManager.getInstanceFor(juliet).addInvitationListener(
                (connection, room, inviter, reason, password, message, invitation) ->
                        invited.add(room.getRoom() + " from " + inviter));
        Sipp.Running focus = Sipp.scenario(work, """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="focus">
                  <send retrans="500"><![CDATA[

                INVITE sip:juliet@xmpp.test SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Conference Call" <sip:muc2@conference.localhost>;tag=[call_number]
                To: <sip:juliet@xmpp.test>
                Call-ID: [call_id]
                CSeq: 1 INVITE
                Max-Forwards: 70
                Contact: <sip:muc2@[local_ip]:[local_port]>;isfocus
                Referred-By: <sip:carol@localhost>
                X-Sylk-App: xmppgateway
                Content-Length: 0

                  ]]></send>
                  <recv response="100" optional="true"/>
                  <recv response="180" optional="true"/>
                  <recv response="480"/>
                  <send><![CDATA[

                ACK sip:juliet@xmpp.test SIP/2.0
                [last_Via:]
                From: "Conference Call" <sip:muc2@conference.localhost>;tag=[call_number]
                [last_To:]
                Call-ID: [call_id]
                CSeq: 1 ACK
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                </scenario>
                """).start();
        String invitation = invited.poll(20, TimeUnit.SECONDS);
        assertEquals("muc2@conference.localhost from carol@localhost", invitation,
                () -> "no invitation; Prosody's log:\n" + prosody.log());
        MultiUserChat room = MultiUserChatManager.getInstanceFor(juliet)
                .getMultiUserChat(JidCreate.entityBareFrom("muc2@conference.localhost"));
        room.join(room.getEnterConfigurationBuilder(Resourcepart.from("Juliet")).timeoutAfter(20_000).build());
        Sipp.Result result = focus.await();
        assertEquals(0, result.exitCode(), result::toString);
        room.leave();
    }

    private Message nextInRoom(LinkedBlockingQueue<Message> inRoom, String body) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            Message message = inRoom.poll(1, TimeUnit.SECONDS);
            if (message != null && body.equals(message.getBody())) {
                return message;
            }
        }
        throw new AssertionError("no room message '" + body + "'; Prosody's log:\n" + prosody.log());
    }
}
