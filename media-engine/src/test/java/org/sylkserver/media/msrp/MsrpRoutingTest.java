package org.sylkserver.media.msrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MalformedMsrpException;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpParser;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpResponse;
import org.sylkserver.protocols.msrp.MsrpUri;

/** Which session a request goes to and what is answered (MsrpRouting), and the answer to a malformed message. */
class MsrpRoutingTest {

    private static final MsrpUri PEER = MsrpUri.of(false, "192.0.2.5", 2855, "peer", "tcp");
    private static final MsrpUri NOBODY = MsrpUri.of(false, "127.0.0.1", 2855, "nosuchsession", "tcp");

    private static MsrpRequest request(String method, List<MsrpHeader> headers) {
        List<MsrpHeader> all = new ArrayList<>(List.of(new MsrpHeader("Message-ID", "msg1")));
        all.addAll(headers);
        return new MsrpRequest("trans1", method, List.of(NOBODY), List.of(PEER), all, null, Continuation.COMPLETE);
    }

    /** RFC 4975 §7.3: a request for a session-id we do not know is answered 481 on its way back. */
    @Test
    void rfc4975_s7_3_aRequestForNoKnownSessionGets481() {
        MsrpResponse response = new MsrpRouting().deliver(request(MsrpRequest.SEND, List.of()), null);
        assertEquals(481, response.code());
        assertEquals(List.of(PEER), response.toPath());
        assertEquals(List.of(NOBODY), response.fromPath());
    }

    /** RFC 4975 §7.1.2 and §7.2: REPORTs are never answered, nor a failure with Failure-Report no. */
    @Test
    void rfc4975_s7_1_2_reportsAndFailureReportNoAreNotAnswered() {
        MsrpRouting routing = new MsrpRouting();
        assertNull(routing.deliver(request(MsrpRequest.REPORT, List.of(new MsrpHeader("Status", "000 200 OK"))), null));
        assertNull(routing.deliver(request(MsrpRequest.SEND, List.of(new MsrpHeader("Failure-Report", "no"))), null));
    }

    /** RFC 4975 §7.3.1: a framed message with a transaction id is refused with its code, no paths; lost framing is not. */
    @Test
    void rfc4975_s7_3_1_aMalformedFramedRequestIsRefusedByTheCodec() {
        MalformedMsrpException noPaths = malformed("MSRP trans7 SEND\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------trans7$\r\n");
        assertArrayEquals(MsrpResponse.refusal("trans7", noPaths.responseCode()), MsrpRefusals.answerTo(noPaths));
        assertNull(MsrpRefusals.answerTo(malformed("not msrp at all\r\n")), "framing lost: the connection closes");
    }

    private static MalformedMsrpException malformed(String wire) {
        MsrpParser parser = new MsrpParser();
        parser.feed(wire.getBytes(StandardCharsets.UTF_8));
        try {
            parser.next();
        } catch (MalformedMsrpException e) {
            return e;
        }
        throw new AssertionError("parsed: " + wire);
    }
}
