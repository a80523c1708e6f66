package org.sylkserver.xmpp.jingle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.sdp.SessionDescription;

/** XEP-0320: the DTLS fingerprint and setup role in a Jingle ICE-UDP transport, and its SDP mapping. */
class DtlsFingerprintTest {

    /** XEP-0320 §1's example fingerprint (a sha-256 hash, RFC 8122 §5). */
    private static final String HASH =
            "02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2";

    private static JingleTransport.IceUdp transport(String fingerprint) throws Exception {
        StandardExtensionElement jingle = JingleRequest.jingleElement("<iq type='set' id='i1'><jingle"
                + " xmlns='urn:xmpp:jingle:1' action='session-initiate' initiator='romeo@montague.lit/orchard'"
                + " sid='a73sjjvkla37jfea'><content creator='initiator' name='voice'>"
                + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                + "<payload-type id='96' name='speex' clockrate='16000'/></description>"
                + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' pwd='asd88fgpdd777uzjYhagZg' ufrag='8hhy'>"
                + fingerprint + "<candidate component='1' foundation='1' generation='0' id='el0747fg11'"
                + " ip='10.0.1.1' network='1' port='8998' priority='2130706431' protocol='udp' type='host'/>"
                + "</transport></content></jingle></iq>");
        return assertInstanceOf(JingleTransport.IceUdp.class,
                JingleRequest.read(jingle).contents().get(0).transport());
    }

    /**
     * XEP-0320 §1: the initiator's session-initiate carries {@code <fingerprint hash='sha-256' setup='actpass'>}
     * in its ICE-UDP transport, the hash as text with white space around it; it reads as the RFC 8122 §5 fingerprint.
     */
    @Test
    void theSessionInitiatesFingerprintIsRead_XEP0320_1() throws Exception {
        JingleTransport.IceUdp ice = transport("<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'"
                + " setup='actpass'>\n          " + HASH + "\n        </fingerprint>");
        assertEquals(new DtlsFingerprint("sha-256", "actpass", HASH), ice.fingerprint());
        assertEquals("sha-256 " + HASH, ice.fingerprint().fingerprint().toString());
        assertNull(ice.fingerprint().problem());
        assertEquals(1, ice.candidates().size());
    }

    /** XEP-0320 §1: without the element, the transport proposes no DTLS (its inclusion is optional). */
    @Test
    void noFingerprintMeansPlainRtp_XEP0320_1() throws Exception {
        assertNull(transport("").fingerprint());
    }

    /**
     * XEP-0320 §7: hash and setup are required and setup is one of the four roles, the text is the hash: otherwise
     * the request is malformed (answered bad-request). A hash function we cannot check (RFC 8122 §5) and holdconn
     * (XEP-0320 §1 maps no such role) read, but are a problem for a call.
     */
    @Test
    void missingPartsAreMalformedAndUncheckableOnesAProblem_XEP0320_7() throws Exception {
        String ns = "xmlns='urn:xmpp:jingle:apps:dtls:0'";
        assertThrows(MalformedJingleException.class, () -> transport("<fingerprint " + ns + " setup='actpass'>"
                + HASH + "</fingerprint>"));
        assertThrows(MalformedJingleException.class, () -> transport("<fingerprint " + ns + " hash='sha-256'>"
                + HASH + "</fingerprint>"));
        assertThrows(MalformedJingleException.class, () -> transport("<fingerprint " + ns + " hash='sha-256'"
                + " setup='sometimes'>" + HASH + "</fingerprint>"));
        assertThrows(MalformedJingleException.class, () -> transport("<fingerprint " + ns + " hash='sha-256'"
                + " setup='actpass'/>"));
        assertNotNull(transport("<fingerprint " + ns + " hash='md5' setup='actpass'>" + HASH.substring(0, 47)
                + "</fingerprint>").fingerprint().problem());
        assertNotNull(transport("<fingerprint " + ns + " hash='x-unknown' setup='actpass'>" + HASH
                + "</fingerprint>").fingerprint().problem());
        assertNotNull(transport("<fingerprint " + ns + " hash='sha-256' setup='holdconn'>" + HASH
                + "</fingerprint>").fingerprint().problem());
    }

    /** XEP-0320 §1: ours is written as the same element, in the transport, and reads back the same. */
    @Test
    void ourFingerprintIsWrittenInTheTransport_XEP0320_1() throws Exception {
        JingleTransport.IceUdp ours = new JingleTransport.IceUdp("8hhy", "asd88fgpdd777uzjYhagZg", List.of(),
                new DtlsFingerprint("sha-256", "passive", HASH));
        String xml = ours.toElement().toXML(XmlEnvironment.EMPTY).toString();
        assertTrue(xml.contains("<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='passive'>"
                + HASH + "</fingerprint>"), xml);
        assertEquals(ours.fingerprint(), transport(xml.substring(xml.indexOf("<fingerprint"),
                xml.indexOf("</transport>"))).fingerprint());
    }

    /**
     * XEP-0320 §1: the element maps to SDP's a=fingerprint (RFC 8122 §5) and a=setup (RFC 4145 §4) on a
     * UDP/TLS/RTP/SAVP stream (RFC 5764 §8), and back.
     */
    @Test
    void theFingerprintMapsToSdpAndBack_XEP0320_1() throws Exception {
        RtpDescription pcmu = new RtpDescription("audio", List.of(new RtpDescription.PayloadType(0, "PCMU", 8000, 1)),
                List.of(), false, true);
        JingleTransport.IceUdp ice = new JingleTransport.IceUdp("8hhy", "asd88fgpdd777uzjYhagZg", List.of(
                new JingleTransport.IceCandidate(1, "1", 0, "sdp1", "10.0.1.1", 0, 8998, 2130706431L, "udp", "host",
                        null, 0)), new DtlsFingerprint("sha-256", "actpass", HASH));
        SessionDescription sdp = JingleSdp.toSdp(new JingleSdp.Media(pcmu, ice, "sendrecv"), 1);
        String text = sdp.toString();
        assertTrue(text.contains("m=audio 8998 UDP/TLS/RTP/SAVP 0"), text);
        assertTrue(text.contains("a=fingerprint:sha-256 " + HASH), text);
        assertTrue(text.contains("a=setup:actpass"), text);
        JingleTransport.IceUdp back = assertInstanceOf(JingleTransport.IceUdp.class,
                JingleSdp.fromSdp(SessionDescription.parse(text)).transport());
        assertEquals(ice.fingerprint(), back.fingerprint());
        // RFC 5763 §5: an offer says actpass, an answer active or passive; without a=setup there is no role to map
        assertThrows(org.sylkserver.protocols.sdp.SdpException.class,
                () -> JingleSdp.fromSdp(SessionDescription.parse(text.replace("a=setup:actpass\r\n", ""))));
    }
}
