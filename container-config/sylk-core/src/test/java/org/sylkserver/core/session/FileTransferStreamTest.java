package org.sylkserver.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** The file-transfer stream: its answers and offers (RFC 5547 §6, §8), within a session (RFC 3264 §6). */
class FileTransferStreamTest {

    private static final String SELECTOR = "name:\"a.txt\" type:text/plain size:3 hash:sha-1:"
            + "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D";
    private final FakeMsrpSessions msrp = new FakeMsrpSessions();
    private final MsrpServer.Handler handler = (request, connection) -> 200;

    private static SessionDescription offer(String media) throws SdpException {
        return SessionDescription.parse("v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + media);
    }

    private static String fileLine(String direction, String setup) {
        return "m=message 2855 TCP/TLS/MSRP *\r\na=path:msrps://192.0.2.10:2855/abc;tcp\r\na=accept-types:*\r\n"
                + "a=file-selector:" + SELECTOR + "\r\na=file-transfer-id:xyz \r\na=" + direction + "\r\n"
                + (setup == null ? "" : "a=setup:" + setup + "\r\n");
    }

    @Test
    void takesOnlyLinesWithAFileSelector_rfc5547_s6() throws SdpException {
        FileTransferStream file = new FileTransferStream(msrp, handler, SELECTOR);
        assertTrue(file.takes(offer(fileLine("sendonly", null)).media().get(0)));
        assertFalse(file.takes(offer("m=message 2855 TCP/TLS/MSRP *\r\na=accept-types:*\r\n").media().get(0)));
    }

    @Test
    void anUploadIsAnsweredRecvonlyWithOurSelectorAndTheTransferId_rfc5547_s8_2() throws SdpException {
        FileTransferStream file = new FileTransferStream(msrp, handler, SELECTOR);
        SessionDescription offer = offer("m=audio 5004 RTP/AVP 0\r\n" + fileLine("sendonly", "actpass"));
        SessionDescription answer = new MediaSession(InetAddress.getLoopbackAddress())
                .negotiate(offer, List.of(file), "none").answer();
        assertEquals(0, answer.media().get(0).port(), "the audio line declined, RFC 3264 §6");
        MediaDescription line = answer.media().get(1);
        assertEquals(2855, line.port());
        assertEquals("TCP/TLS/MSRP", line.proto());
        assertEquals(List.of(file.localUri().toString()), line.attributes("path"));
        assertTrue(line.has("recvonly"));
        assertEquals(List.of("active"), line.attributes("setup"));
        assertEquals(List.of(SELECTOR), line.attributes("file-selector"));
        assertEquals(List.of("xyz"), line.attributes("file-transfer-id"));
        assertEquals(handler, msrp.open.get(file.localUri()));
    }

    @Test
    void aRequestForAFileIsAnsweredSendonly_rfc5547_s8_3() throws SdpException {
        FileTransferStream file = new FileTransferStream(msrp, handler, SELECTOR);
        SessionDescription offer = offer(fileLine("recvonly", null));
        MediaDescription line = file.answer(offer, offer.media().get(0));
        assertTrue(line.has("sendonly"));
        assertEquals(List.of("passive"), line.attributes("setup"));
    }

    @Test
    void ourOfferOfAFileIsSendonlyAndLetsTheAnswerChooseWhoConnects_rfc5547_s8_2_rfc6135() {
        FileTransferStream file = new FileTransferStream(msrp, handler, SELECTOR);
        MediaDescription line = file.offer();
        assertTrue(line.has("sendonly"));
        assertEquals(List.of("actpass"), line.attributes("setup"));
        assertEquals(List.of(SELECTOR), line.attributes("file-selector"));
        file.close();
        assertEquals(List.of(file.localUri()), msrp.closed);
    }

    @Test
    void thePeersAnswerToOurOfferSaysWhoConnects_rfc6135_s4_2() throws SdpException {
        FileTransferStream file = new FileTransferStream(msrp, handler, SELECTOR);
        file.offer();
        String line = "m=message 2855 TCP/TLS/MSRP *\r\na=path:msrps://192.0.2.10:2855/abc;tcp\r\na=recvonly\r\n";
        MsrpPeer passive = file.answered(offer(line + "a=setup:passive\r\n"));
        assertTrue(passive.weConnect(), "the peer waits: we connect");
        assertEquals("msrps://192.0.2.10:2855/abc;tcp", passive.path().get(0).toString());
        assertFalse(file.answered(offer(line + "a=setup:active\r\n")).weConnect(), "the peer connects");
        assertEquals("the file stream was declined", org.junit.jupiter.api.Assertions.assertThrows(SdpException.class,
                () -> file.answered(offer("m=message 0 TCP/TLS/MSRP *\r\n"))).getMessage());
    }
}
