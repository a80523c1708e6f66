package org.sylkserver.xmpp.jingle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;

import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.junit.jupiter.api.Test;
import org.sylkserver.xmpp.im.Addresses;

/** Spec §5.7 SIP → XMPP: which resource a SIP call rings, and the SIP answer to a Jingle refusal. */
class JingleCalleeTest {

    private static final Set<String> JINGLE_RTP = Set.of("urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1",
            "urn:xmpp:jingle:transports:raw-udp:1");

    @Test
    void aGruuDesignatesTheResourceToRing_Q14() {
        String gr = Addresses.gruuOf("Conversations.x1Y2");
        assertEquals("romeo@xmpp.example/Conversations.x1Y2",
                JingleCallee.direct("sip:romeo@xmpp.example;gr=" + gr).toString());
        assertNull(JingleCallee.direct("sip:romeo@xmpp.example"), "no gr: the resources are discovered");
        assertNull(JingleCallee.direct("sip:romeo@xmpp.example;gr=zz"), "a gr that is no hex of UTF-8");
    }

    @Test
    void theFirstItemAdvertisingJingleRtpIsCalled_XEP0167_10() {
        List<JingleCallee.Item> items = List.of(
                new JingleCallee.Item("romeo@xmpp.example/desktop", Set.of("urn:xmpp:jingle:1")),
                new JingleCallee.Item("romeo@xmpp.example/phone", JINGLE_RTP),
                new JingleCallee.Item("romeo@xmpp.example/tablet", JINGLE_RTP));
        assertEquals("romeo@xmpp.example/phone", JingleCallee.first("romeo@xmpp.example", items).toString());
    }

    @Test
    void noItemAdvertisingJingleRtpOrItemsOfSomeoneElseCallNobody() {
        assertNull(JingleCallee.first("romeo@xmpp.example", List.of(
                new JingleCallee.Item("romeo@xmpp.example/desktop", Set.of("urn:xmpp:jingle:1")))));
        assertNull(JingleCallee.first("romeo@xmpp.example", List.of(
                new JingleCallee.Item("mallory@evil.example/phone", JINGLE_RTP),
                new JingleCallee.Item("romeo@xmpp.example", JINGLE_RTP))));
        assertNull(JingleCallee.first("romeo@xmpp.example", List.of()));
    }

    @Test
    void jingleRefusalsBecomeSipFinalResponses_RFC3261_21() {
        assertEquals(486, JingleCallee.sipStatus(JingleReason.Reason.busy));
        assertEquals(603, JingleCallee.sipStatus(JingleReason.Reason.decline));
        assertEquals(408, JingleCallee.sipStatus(JingleReason.Reason.timeout));
        assertEquals(488, JingleCallee.sipStatus(JingleReason.Reason.unsupported_applications));
        assertEquals(480, JingleCallee.sipStatus(JingleReason.Reason.gone));
        assertEquals(500, JingleCallee.sipStatus(JingleReason.Reason.general_error));
    }
}
