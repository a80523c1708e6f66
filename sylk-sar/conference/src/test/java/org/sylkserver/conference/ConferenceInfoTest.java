package org.sylkserver.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;

import org.sylkserver.conference.chat.JoinInfo;
import org.junit.jupiter.api.Test;
import org.sylkserver.conference.files.RoomFiles;
import org.w3c.dom.Document;

/** RFC 4575 §5: the full-state document of a room (spec §3.6), read back with a namespace-aware parser. */
class ConferenceInfoTest {

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static String eval(Document document, String path) throws Exception {
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setNamespaceContext(new javax.xml.namespace.NamespaceContext() {
            @Override
            public String getNamespaceURI(String prefix) {
                return ConferenceInfo.NAMESPACE;
            }

            @Override
            public String getPrefix(String uri) {
                return "c";
            }

            @Override
            public java.util.Iterator<String> getPrefixes(String uri) {
                return List.of("c").iterator();
            }
        });
        return xpath.evaluate(path, document);
    }

    @Test
    void usersEndpointsAndMediaOfTheRoom_rfc4575_s5() throws Exception {
        Participant alice = new Participant("c1", "alice@example.com", "Alice <&>", "sip:alice@192.0.2.1:5060",
                null, null, null);
        Participant alice2 = new Participant("c2", "alice@example.com", "Alice", "sip:alice@192.0.2.2:5060",
                null, null, null);
        Participant bob = new Participant("c3", "bob@example.com", null, "sip:bob@192.0.2.3",
                null, null, null);
        bob.hold(true);
        Document doc = parse(ConferenceInfo.document("room@conference.example", 7, List.of(alice, alice2, bob),
                ConferenceInfo.Nicknames.NONE, List.of(), Map.of(), JoinInfo.SIP_ONLY, "x"));
        assertEquals(ConferenceInfo.NAMESPACE, doc.getDocumentElement().getNamespaceURI());
        assertEquals("sip:room@conference.example", eval(doc, "/c:conference-info/@entity"));
        assertEquals("full", eval(doc, "/c:conference-info/@state"));
        assertEquals("7", eval(doc, "/c:conference-info/@version"));
        assertEquals("2", eval(doc, "//c:conference-state/c:user-count"), "distinct URIs");
        assertEquals("2", eval(doc, "count(//c:user[@entity='sip:alice@example.com']/c:endpoint)"));
        assertEquals("Alice <&>", eval(doc, "//c:endpoint[@entity='sip:alice@192.0.2.1:5060']/c:display-text"),
                "escaped and read back");
        assertEquals("on-hold", eval(doc, "//c:user[@entity='sip:bob@example.com']/c:endpoint/c:status"));
        assertEquals("connected", eval(doc, "//c:endpoint[@entity='sip:alice@192.0.2.2:5060']/c:status"));
        assertEquals("audio", eval(doc, "//c:endpoint[@entity='sip:bob@192.0.2.3']/c:media/c:type"));
        assertEquals("3", eval(doc, "count(//c:media[@id])"), "one media per session");
        assertEquals("participation", eval(doc, "//c:conf-uris/c:entry/c:purpose"));
    }

    /**
     * Spec §3.4 / §3.6 (RFC 7701 with RFC 4575 §5.6, §5.7): chat nicknames are the display text, the session's for
     * its endpoint and the user's last one for the user; without one, the From display name.
     */
    @Test
    void nicknamesAreTheDisplayText_spec3_6() throws Exception {
        Participant alice = new Participant("c1", "alice@example.com", "Alice", "sip:alice@192.0.2.1:5060",
                null, null, null);
        Participant alicePhone = new Participant("c2", "alice@example.com", "Alice", "sip:alice@192.0.2.2:5060",
                null, null, null);
        Participant juliet = new Participant("c3", "juliet@xmpp.example", null, "sip:juliet@192.0.2.3;gr=6a",
                null, null, null);
        ConferenceInfo.Nicknames nicknames = new ConferenceInfo.Nicknames() {
            @Override
            public String of(Participant participant) {
                return participant == alice ? "ally" : participant == juliet ? "Juliet \"J\" <C>" : null;
            }

            @Override
            public String lastOf(String uri) {
                return uri.equals("alice@example.com") ? "ally" : uri.equals("juliet@xmpp.example") ? "Juliet \"J\" <C>"
                        : null;
            }
        };
        Document doc = parse(ConferenceInfo.document("room@conference.example", 2, List.of(alice, alicePhone, juliet),
                nicknames, List.of(), Map.of(), JoinInfo.SIP_ONLY, "x"));
        assertEquals("ally", eval(doc, "//c:user[@entity='sip:alice@example.com']/c:display-text"));
        assertEquals("ally", eval(doc, "//c:endpoint[@entity='sip:alice@192.0.2.1:5060']/c:display-text"));
        assertEquals("Alice", eval(doc, "//c:endpoint[@entity='sip:alice@192.0.2.2:5060']/c:display-text"),
                "a session without a nickname keeps its From display name");
        assertEquals("Juliet \"J\" <C>", eval(doc, "//c:user[@entity='sip:juliet@xmpp.example']/c:display-text"));
        assertEquals("Juliet \"J\" <C>", eval(doc, "//c:user[@entity='sip:juliet@xmpp.example']/c:endpoint/c:display-text"));
    }

    /** Spec §3.6: a user sharing its screen carries AG Projects' {@code screen_image_url} extension. */
    @Test
    void aSharingUserHasItsScreenImageUrl_spec3_6() throws Exception {
        Participant alice = new Participant("c1", "alice@example.com", "Alice", "sip:alice@192.0.2.1:5060",
                null, null, null);
        Participant bob = new Participant("c2", "bob@example.com", null, "sip:bob@192.0.2.3",
                null, null, null);
        String url = "http://192.0.2.9:10888/conference/room@conference.example/screensharing"
                + "?image=alice@example.com_x.jpg";
        Document doc = parse(ConferenceInfo.document("room@conference.example", 4, List.of(alice, bob),
                ConferenceInfo.Nicknames.NONE, List.of(),
                Map.of("alice@example.com", url), JoinInfo.SIP_ONLY, "x"));
        org.w3c.dom.NodeList urls = doc.getElementsByTagNameNS(ConferenceInfo.AGP_NAMESPACE, "screen_image_url");
        assertEquals(1, urls.getLength());
        assertEquals(url, urls.item(0).getTextContent());
        org.w3c.dom.Element user = (org.w3c.dom.Element) urls.item(0).getParentNode();
        assertEquals("sip:alice@example.com", user.getAttribute("entity"), "on the sharing user only");
    }

    @Test
    void anEmptyRoom() throws Exception {
        Document doc = parse(ConferenceInfo.document("r@h", 1, List.of(), ConferenceInfo.Nicknames.NONE, List.of(), Map.of(),
                JoinInfo.SIP_ONLY, "x"));
        assertEquals("0", eval(doc, "//c:user-count"));
        assertEquals("0", eval(doc, "count(//c:user)"));
    }

    /**
     * The document validates against the structure of RFC 4575 §5 (element order, types, enumerations); the
     * schema in the test resources also rejects a document with elements out of order, so the check can fail.
     */
    @Test
    void theDocumentValidatesAgainstTheRfc4575Structure() throws Exception {
        javax.xml.validation.Schema schema = javax.xml.validation.SchemaFactory
                .newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(ConferenceInfoTest.class.getResource("/conference-info.xsd"));
        Participant alice = new Participant("c1", "alice@example.com", "Alice", "sip:alice@192.0.2.1:5060",
                null, null, null);
        Participant bob = new Participant("c2", "bob@example.com", null, "sip:bob@192.0.2.3",
                null, null, null);
        bob.hold(true);
        String document = ConferenceInfo.document("room@conference.example", 3, List.of(alice, bob),
                ConferenceInfo.Nicknames.NONE, List.of(),
                Map.of("alice@example.com", "http://192.0.2.9:10888/conference/r@h/screensharing?image=a.jpg"),
                JoinInfo.SIP_ONLY, "x");
        schema.newValidator().validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(document)));
        String outOfOrder = document.replace("<host-info>", "<host-info-moved/><host-info>");
        org.junit.jupiter.api.Assertions.assertThrows(org.xml.sax.SAXException.class, () -> schema.newValidator()
                .validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(outOfOrder))));
        String badStatus = document.replace("<status>connected</status>", "<status>listening</status>");
        org.junit.jupiter.api.Assertions.assertThrows(org.xml.sax.SAXException.class, () -> schema.newValidator()
                .validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(badStatus))));
    }

    /** Spec §3.6: the room's files are listed in AG Projects' extension, which RFC 4575 readers may skip. */
    @Test
    void theRoomsFilesAreListedInTheDescription() throws Exception {
        RoomFiles.RoomFile file = new RoomFiles.RoomFile("notes <1>.txt", "text/plain", 42, "sha-1:AB:CD",
                "alice@example.com", java.nio.file.Path.of("notes.txt"));
        String document = ConferenceInfo.document("r@h", 2, List.of(), ConferenceInfo.Nicknames.NONE, List.of(file),
                Map.of(), JoinInfo.SIP_ONLY, "x");
        javax.xml.validation.SchemaFactory.newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(ConferenceInfoTest.class.getResource("/conference-info.xsd")).newValidator()
                .validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(document)));
        Document doc = parse(document);
        assertEquals("notes <1>.txt", eval(doc, "//*[local-name()='file']/*[local-name()='name']"));
        assertEquals("sha-1:AB:CD", eval(doc, "//*[local-name()='file']/*[local-name()='hash']"));
        assertEquals("42", eval(doc, "//*[local-name()='file']/*[local-name()='size']"));
        assertEquals("sip:alice@example.com", eval(doc, "//*[local-name()='file']/*[local-name()='sender']"));
        assertEquals(ConferenceInfo.AGP_NAMESPACE, eval(doc, "namespace-uri(//*[local-name()='resources'])"));
    }

    /** Spec §3.6: conf-uris lists sip:, xmpp: (advertise_xmpp_support) and tel: (pstn_access_numbers). */
    @Test
    void everyWayInIsAConferenceUri() throws Exception {
        Document doc = parse(ConferenceInfo.document("r@h", 1, List.of(), ConferenceInfo.Nicknames.NONE, List.of(),
                Map.of(), new JoinInfo(true, List.of("+3120"), ""), "x"));
        assertEquals("3", eval(doc, "count(//c:conf-uris/c:entry)"));
        assertEquals("xmpp:r@h", eval(doc, "//c:conf-uris/c:entry[2]/c:uri"));
        assertEquals("tel:+3120", eval(doc, "//c:conf-uris/c:entry[3]/c:uri"));
    }
}
