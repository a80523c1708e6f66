package org.sylkserver.xmpp.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.caps.packet.CapsExtension;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.iqversion.packet.Version;
import org.junit.jupiter.api.Test;
import org.sylkserver.xmpp.XmppGatewaySettings;
import org.sylkserver.xmpp.im.Stanzas;

/** Spec §5.2: disco (XEP-0030), version (XEP-0092), ping (XEP-0199). */
class ServicesTest {

    private final Services services = new Services(new XmppGatewaySettings(Set.of("sylk.example"), "conference",
            InetAddress.getLoopbackAddress(), 5269, "tcp", Path.of("ca"), Path.of("crt"), true, true,
            Duration.ofSeconds(600), 1000, false, false, false, false, 4096, Duration.ofSeconds(30), 100,
            Duration.ofSeconds(10), 500, 20, 100, 10_000, Duration.ofSeconds(2), Map.of()),
            "1.2.3");

    private IQ ask(String to, String child) throws Exception {
        return (IQ) Stanzas.parse("<iq xmlns='jabber:server' type='get' id='q1' from='juliet@xmpp.example/balcony' "
                + "to='" + to + "'>" + child + "</iq>");
    }

    private static final String INFO = "<query xmlns='http://jabber.org/protocol/disco#info'/>";

    @Test
    void theDomainIsAGatewayAndServer() throws Exception {
        DiscoverInfo info = (DiscoverInfo) services.answer(ask("sylk.example", INFO));
        assertEquals(IQ.Type.result, info.getType());
        assertEquals("q1", info.getStanzaId());
        assertEquals("juliet@xmpp.example/balcony", info.getTo().toString());
        assertTrue(info.hasIdentity("gateway", "simple") && info.hasIdentity("server", "im"));
        assertTrue(info.containsFeature("urn:xmpp:ping") && info.containsFeature("http://sylkserver.com"));
        assertTrue(info.containsFeature("http://jabber.org/protocol/disco#items"));
        assertTrue(info.containsFeature("jabber:iq:version"), "XEP-0092 §2");
    }

    @Test
    void aUserIsAClientWithChatStates() throws Exception {
        DiscoverInfo info = (DiscoverInfo) services.answer(ask("alice@sylk.example", INFO));
        assertTrue(info.hasIdentity("client", "pc"));
        assertTrue(info.containsFeature("http://jabber.org/protocol/chatstates"));
        assertTrue(info.containsFeature("urn:xmpp:jingle:apps:rtp:audio"));
    }

    /** XEP-0320 §2: an entity that takes DTLS-SRTP in Jingle says so with urn:xmpp:jingle:apps:dtls:0. */
    @Test
    void aUserAdvertisesDtlsSrtpInJingle_xep0320_s2() throws Exception {
        DiscoverInfo info = (DiscoverInfo) services.answer(ask("alice@sylk.example", INFO));
        assertTrue(info.containsFeature("urn:xmpp:jingle:apps:dtls:0"));
        assertTrue(info.containsFeature("urn:xmpp:jingle:transports:ice-udp:1"), "XEP-0320 rides on ICE-UDP");
    }

    /**
     * XEP-0298 §7: Coin support is the feature urn:xmpp:coin:1, the namespace of the conference-info element our
     * focus calls carry (§5, ConferenceInfo); not the original's urn:xmpp:coin, which matches no element. On users
     * and rooms alike.
     */
    @Test
    void coinIsAdvertisedUnderTheNamespaceOfItsElement_xep0298_7() throws Exception {
        for (String jid : List.of("alice@sylk.example", "conference.sylk.example", "room@conference.sylk.example")) {
            DiscoverInfo info = (DiscoverInfo) services.answer(ask(jid, INFO));
            assertTrue(info.containsFeature("urn:xmpp:coin:1"), jid);
            assertFalse(info.containsFeature("urn:xmpp:coin"), jid);
        }
    }

    @Test
    void theMucDomainAndItsRooms() throws Exception {
        DiscoverInfo domain = (DiscoverInfo) services.answer(ask("conference.sylk.example", INFO));
        assertTrue(domain.hasIdentity("conference", "text"));
        assertTrue(domain.containsFeature("http://jabber.org/protocol/muc"));
        assertFalse(domain.containsFeature("muc_temporary"));
        DiscoverInfo room = (DiscoverInfo) services.answer(ask("room@conference.sylk.example", INFO));
        assertTrue(room.containsFeature("muc_temporary") && room.containsFeature("muc_unmoderated"));
    }

    @Test
    void theDomainsItemsListTheMucComponent() throws Exception {
        DiscoverItems items = (DiscoverItems) services.answer(ask("sylk.example",
                "<query xmlns='http://jabber.org/protocol/disco#items'/>"));
        assertEquals(1, items.getItems().size());
        assertEquals("conference.sylk.example", items.getItems().get(0).getEntityID().toString());
        assertEquals("Multi-User Chat", items.getItems().get(0).getName());
    }

    @Test
    void versionAndPing() throws Exception {
        Version version = (Version) services.answer(ask("sylk.example", "<query xmlns='jabber:iq:version'/>"));
        assertEquals("SylkServer", version.getName());
        assertEquals("1.2.3", version.getVersion());
        assertEquals("sylk.example", version.getFrom().toString(), "RFC 6120 §8.1.2.2: S2S stanzas name their sender");
        IQ pong = services.answer(ask("alice@sylk.example", "<ping xmlns='urn:xmpp:ping'/>"));
        assertEquals(IQ.Type.result, pong.getType());
    }

    @Test
    void anythingElseIsServiceUnavailable_rfc6120_8_2_3() throws Exception {
        IQ unknown = services.answer(ask("sylk.example", "<query xmlns='jabber:iq:roster'/>"));
        assertEquals(IQ.Type.error, unknown.getType());
        assertEquals(StanzaError.Condition.service_unavailable, unknown.getError().getCondition());
        IQ foreign = services.answer(ask("other.example", INFO));
        assertEquals(IQ.Type.error, foreign.getType());
        assertTrue(Stanzas.serverXml(foreign).contains("service-unavailable"), Stanzas.serverXml(foreign));
    }

    /** XEP-0115 §5.2: the simple generation example (Exodus 0.9.1) gives QgayPKawpkPSDYmwT/WM94uAlu0=. */
    @Test
    void theVerificationStringOfTheXepExample_xep0115_5_2() {
        DiscoverInfo info = new DiscoverInfo();
        info.addIdentity(new DiscoverInfo.Identity("client", "Exodus 0.9.1", "pc"));
        info.addFeature("http://jabber.org/protocol/caps");
        info.addFeature("http://jabber.org/protocol/disco#info");
        info.addFeature("http://jabber.org/protocol/disco#items");
        info.addFeature("http://jabber.org/protocol/muc");
        assertEquals("QgayPKawpkPSDYmwT/WM94uAlu0=", Services.verification(info));
    }

    /** XEP-0115 §6.2: disco#info on our caps node answers what the hash was made of. */
    @Test
    void theCapsNodeIsAnsweredWithTheHashedInformation() throws Exception {
        CapsExtension caps = services.caps(false);
        assertEquals("https://sylkserver.com", caps.getNode());
        assertEquals("sha-1", caps.getHash());
        DiscoverInfo info = (DiscoverInfo) services.answer(ask("alice@sylk.example",
                "<query xmlns='http://jabber.org/protocol/disco#info' node='https://sylkserver.com#" + caps.getVer() + "'/>"));
        assertEquals(IQ.Type.result, info.getType());
        assertEquals("https://sylkserver.com#" + caps.getVer(), info.getNode());
        assertEquals(caps.getVer(), Services.verification(info));
    }
}
