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
