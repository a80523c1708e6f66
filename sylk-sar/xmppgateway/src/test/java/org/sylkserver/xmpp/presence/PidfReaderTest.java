package org.sylkserver.xmpp.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.Test;

/** Spec §5.5.2 step 2: PIDF (RFC 3863, RPID RFC 4480) as XMPP availability. */
class PidfReaderTest {

    private static List<PidfReader.Tuple> read(String xml) {
        return PidfReader.read(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static final String HEAD = "<presence xmlns='urn:ietf:params:xml:ns:pidf' "
            + "xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' "
            + "xmlns:agp='urn:ag-projects:xml:ns:pidf' entity='sip:romeo@sylk.example'>";

    @Test
    void aTupleWithDeviceInfoExtendedStatusAndNote() {
        List<PidfReader.Tuple> tuples = read(HEAD + "<tuple id='t1'><status><basic>open</basic>"
                + "<agp:extended>busy</agp:extended></status><agp:device-info id='urn:uuid:abc'/>"
                + "<note>in a call</note></tuple></presence>");
        assertEquals(List.of(new PidfReader.Tuple("urn:uuid:abc", true, Presence.Mode.dnd, "in a call")), tuples);
    }

    /** Without an extended status, basic decides; the person's activities give the show. */
    @Test
    void basicAndPersonActivities() {
        List<PidfReader.Tuple> tuples = read(HEAD + "<dm:person id='p'><rpid:activities><rpid:vacation/>"
                + "</rpid:activities></dm:person><tuple id='t1'><status><basic>open</basic></status></tuple>"
                + "<tuple id='t2'><status><basic>closed</basic></status></tuple></presence>");
        assertEquals("t1", tuples.get(0).resource());
        assertTrue(tuples.get(0).available());
        assertEquals(Presence.Mode.xa, tuples.get(0).show());
        assertFalse(tuples.get(1).available());
        assertNull(tuples.get(0).note());
    }

    @Test
    void offlineIsUnavailableWhateverBasicSays() {
        assertFalse(read(HEAD + "<tuple id='t'><status><basic>open</basic><agp:extended>offline</agp:extended>"
                + "</status></tuple></presence>").get(0).available());
    }

    @Test
    void refusesWhatIsNotPidf() {
        assertThrows(IllegalArgumentException.class, () -> read("<other/>"));
        assertThrows(IllegalArgumentException.class, () -> read("<!DOCTYPE x [<!ENTITY a 'b'>]>" + HEAD + "</presence>"));
    }

    /** The flow: active once, unavailable tuples forgotten, probes answered with what is available. */
    @Test
    void theSipPresenceFlow() {
        SipPresenceFlow flow = new SipPresenceFlow("juliet@xmpp.example", "romeo@sylk.example");
        assertTrue(flow.activated());
        assertFalse(flow.activated());
        flow.update(List.of(new PidfReader.Tuple("a", true, null, null), new PidfReader.Tuple("b", true, null, null)));
        flow.update(List.of(new PidfReader.Tuple("a", false, null, null)));
        assertEquals(List.of("b"), flow.current().stream().map(PidfReader.Tuple::resource).toList());
        assertTrue(flow.end());
        assertFalse(flow.end());
    }
}
