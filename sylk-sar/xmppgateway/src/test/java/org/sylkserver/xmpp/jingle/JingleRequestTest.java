package org.sylkserver.xmpp.jingle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.jivesoftware.smackx.jingle.element.JingleAction;
import org.jivesoftware.smackx.jingle.element.JingleContent;
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.junit.jupiter.api.Test;

/** Reading received Jingle elements (XEP-0166 §7, XEP-0167 §4 and §8, XEP-0177 §4.2, XEP-0176 §5.3). */
class JingleRequestTest {

    private static final String IQ = "<iq xmlns='jabber:client' type='set' id='j1'"
            + " from='romeo@montague.example/orchard' to='juliet@capulet.example/balcony'>";

    private static JingleRequest read(String jingle) throws MalformedJingleException {
        return JingleRequest.read(JingleRequest.jingleElement(IQ + jingle + "</iq>"));
    }

    private static final String INITIATE = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'"
            + " initiator='romeo@montague.example/orchard' sid='a73sjjvkla37jfea'>"
            + "<content creator='initiator' name='voice'>"
            + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
            + "<payload-type id='96' name='speex' clockrate='16000'/>"
            + "<payload-type id='111' name='opus' clockrate='48000' channels='2' ptime='20' maxptime='40'>"
            + "<parameter name='useinbandfec' value='1'/></payload-type>"
            + "<payload-type id='0' name='PCMU'/>"
            + "<encryption required='1'><crypto crypto-suite='AES_CM_128_HMAC_SHA1_80'"
            + " key-params='inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32' tag='1'/></encryption>"
            + "<rtcp-mux/></description>"
            + "<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>"
            + "<candidate component='1' generation='0' id='a9j3mnbtu1' ip='10.1.1.104' port='13540'/>"
            + "</transport></content></jingle>";

    @Test
    void aSessionInitiateWithRtpOverRawUdp() throws Exception {
        JingleRequest request = read(INITIATE);

        assertEquals(JingleAction.session_initiate, request.action());
        assertEquals("a73sjjvkla37jfea", request.sid());
        assertEquals("romeo@montague.example/orchard", request.initiator().toString());
        JingleRequest.Content content = request.contents().get(0);
        assertEquals("voice", content.name());
        assertEquals(JingleContent.Creator.initiator, content.creator());
        assertEquals(JingleContent.Senders.both, content.senders(), "XEP-0166 §7.3: both by default");
        RtpDescription d = content.description();
        assertEquals(List.of(new RtpDescription.PayloadType(96, "speex", 16000, 1),
                new RtpDescription.PayloadType(111, "opus", 48000, 2, 20, 40, Map.of("useinbandfec", "1")),
                new RtpDescription.PayloadType(0, "PCMU", 0, 1)), d.payloadTypes());
        assertTrue(d.encryptionRequired());
        assertEquals("AES_CM_128_HMAC_SHA1_80", d.crypto().get(0).suite());
        assertTrue(d.rtcpMux());
        assertEquals(new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(1, 0, "a9j3mnbtu1", "10.1.1.104", 13540))), content.transport());
    }

    @Test
    void ourDescriptionAndTransportReadBackAsWritten() throws Exception {
        JingleRequest.Content content = read(INITIATE).contents().get(0);
        JingleTransport ice = new JingleTransport.IceUdp("8hhy", "asd88fgpdd777uzjYhagZg", List.of(
                new JingleTransport.IceCandidate(1, "2", 0, "y3s2b30v3r", "192.0.2.3", 1, 45664, 1694498815L, "udp",
                        "srflx", "10.0.1.1", 8998)));
        String xml = "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='s1'>"
                + "<content creator='initiator' name='voice' senders='initiator'>"
                + content.description().toElement().toXML() + ice.toElement().toXML() + "</content></jingle>";

        JingleRequest.Content back = read(xml).contents().get(0);

        assertEquals(content.description(), back.description());
        assertEquals(ice, back.transport());
        assertEquals(JingleContent.Senders.initiator, back.senders());
    }

    /**
     * XEP-0176 §5.3: the ICE-UDP transport carries the party's ufrag and pwd as attributes and one element per
     * candidate with component, foundation, generation, id, ip, network, port, priority, protocol and type (rel-addr
     * and rel-port for derived candidates), as in the XEP's session-initiate example shape.
     */
    @Test
    void anIceUdpTransportHasCredentialsAndCandidates_XEP0176_5_3() throws Exception {
        JingleRequest request = read("<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'"
                + " initiator='romeo@montague.example/orchard' sid='s1'><content creator='initiator' name='voice'>"
                + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='0' name='PCMU'/>"
                + "</description><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' pwd='asd88fgpdd777uzjYhagZg'"
                + " ufrag='8hhy'><candidate component='1' foundation='1' generation='0' id='el0747fg11'"
                + " ip='10.0.1.1' network='1' port='8998' priority='2130706431' protocol='udp' type='host'/>"
                + "<candidate component='1' foundation='2' generation='0' id='y3s2b30v3r' ip='192.0.2.3'"
                + " network='1' port='45664' priority='1694498815' protocol='udp' rel-addr='10.0.1.1'"
                + " rel-port='8998' type='srflx'/></transport></content></jingle>");

        JingleTransport.IceUdp ice = assertInstanceOf(JingleTransport.IceUdp.class,
                request.contents().get(0).transport());
        assertEquals("8hhy", ice.ufrag());
        assertEquals("asd88fgpdd777uzjYhagZg", ice.pwd());
        assertEquals(List.of(new JingleTransport.IceCandidate(1, "1", 0, "el0747fg11", "10.0.1.1", 1, 8998,
                2130706431L, "udp", "host", null, 0), new JingleTransport.IceCandidate(1, "2", 0, "y3s2b30v3r",
                "192.0.2.3", 1, 45664, 1694498815L, "udp", "srflx", "10.0.1.1", 8998)), ice.candidates());
    }

    /**
     * XEP-0176 §5.5: candidates found after the offer come in transport-info, one or more per transport, with the
     * content they belong to (trickle); the credentials may be repeated.
     */
    @Test
    void aTransportInfoCarriesFurtherCandidates_XEP0176_5_5() throws Exception {
        JingleRequest request = read("<jingle xmlns='urn:xmpp:jingle:1' action='transport-info'"
                + " initiator='romeo@montague.example/orchard' sid='s1'><content creator='initiator' name='voice'>"
                + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' pwd='asd88fgpdd777uzjYhagZg'"
                + " ufrag='8hhy'><candidate component='1' foundation='3' generation='0' id='m1'"
                + " ip='198.51.100.7' network='0' port='50000' priority='16777215' protocol='udp' rel-addr='10.0.1.1'"
                + " rel-port='8998' type='relay'/></transport></content></jingle>");

        assertEquals(JingleAction.transport_info, request.action());
        JingleRequest.Content content = request.contents().get(0);
        assertNull(content.description());
        JingleTransport.IceUdp ice = assertInstanceOf(JingleTransport.IceUdp.class, content.transport());
        assertEquals("relay", ice.candidates().get(0).type());
        assertEquals(50000, ice.candidates().get(0).port());
    }

    /** XEP-0176 §5.3: foundation, priority and the other candidate attributes are required: bad-request. */
    @Test
    void anIceCandidateWithoutFoundationOrWithABadPriorityIsMalformed_XEP0176_5_3() {
        String start = "<jingle xmlns='urn:xmpp:jingle:1' action='transport-info' sid='s1'>"
                + "<content creator='initiator' name='voice'><transport"
                + " xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'>";
        String end = "</transport></content></jingle>";
        assertThrows(MalformedJingleException.class, () -> read(start + "<candidate component='1' generation='0'"
                + " id='m1' ip='198.51.100.7' port='50000' priority='16777215' protocol='udp' type='host'/>" + end));
        assertThrows(MalformedJingleException.class, () -> read(start + "<candidate component='1' foundation='1'"
                + " id='m1' ip='198.51.100.7' port='50000' priority='0x10' protocol='udp' type='host'/>" + end));
        assertThrows(MalformedJingleException.class, () -> read(start + "<candidate component='1' foundation='1'"
                + " id='m1' ip='198.51.100.7' port='70000' priority='1' protocol='udp' type='host'/>" + end));
    }

    @Test
    void anotherApplicationOrTransportIsNoneOfOurs() throws Exception {
        JingleRequest request = read("<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s1'>"
                + "<content creator='initiator' name='file'>"
                + "<description xmlns='urn:xmpp:jingle:apps:file-transfer:5'/>"
                + "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='x'/></content></jingle>");
        assertNull(request.contents().get(0).description());
        assertNull(request.contents().get(0).transport());
    }

    @Test
    void malformedElementsAreBadRequests_XEP0166_8() {
        // no sid, unknown action, no creator, payload type without id, dynamic one without name, bad port
        for (String jingle : List.of(
                "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'/>",
                "<jingle xmlns='urn:xmpp:jingle:1' action='session-dance' sid='s'/>",
                "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'><content name='v'/></jingle>",
                INITIATE.replace("<payload-type id='0' name='PCMU'/>", "<payload-type name='PCMU'/>"),
                INITIATE.replace("name='speex' ", ""),
                INITIATE.replace("port='13540'", "port='70000'"),
                INITIATE.replace("channels='2'", "channels='two'"),
                "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s' initiator='@@'/>")) {
            assertThrows(MalformedJingleException.class, () -> read(jingle), jingle);
        }
        assertThrows(MalformedJingleException.class, () -> JingleRequest.jingleElement("<iq><jingle"));
    }

    @Test
    void anIqWithoutJingleHasNoJingleElement() throws Exception {
        assertNull(JingleRequest.jingleElement(IQ + "<ping xmlns='urn:xmpp:ping'/></iq>"));
    }

    @Test
    void terminateReasons_XEP0166_7_4() throws Exception {
        assertEquals(JingleReason.Reason.busy, read("<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate'"
                + " sid='s'><reason><busy/><text>in a call</text></reason></jingle>").reason());
        assertEquals(JingleReason.Reason.general_error, read("<jingle xmlns='urn:xmpp:jingle:1'"
                + " action='session-terminate' sid='s'><reason><bored/></reason></jingle>").reason());
        assertNull(read("<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='s'/>").reason());
    }

    @Test
    void informationalPayloads_XEP0167_8() throws Exception {
        String info = "<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='s'>%s</jingle>";
        assertEquals(JingleRequest.Info.RINGING,
                read(String.format(info, "<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>")).info());
        assertEquals(JingleRequest.Info.HOLD,
                read(String.format(info, "<hold xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>")).info());
        assertEquals(JingleRequest.Info.UNHOLD,
                read(String.format(info, "<unhold xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>")).info());
        assertEquals(JingleRequest.Info.UNKNOWN,
                read(String.format(info, "<dance xmlns='urn:example:dance'/>")).info());
        assertNull(read(String.format(info, "")).info(), "XEP-0166 §6.8: an empty session-info is a ping");
    }
}
