package org.sylkserver.protocols.msrp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** What the serializer writes for responses (RFC 4975 §7.2, §9 {@code msrp-response}). */
class MsrpResponseTest {

    /**
     * RFC 4975 §7.3.1: a request whose framing held but whose content did not is answered on its connection; its
     * paths may be what was wrong, so the answer is the status line and the end-line only.
     */
    @Test
    void aMalformedRequestIsRefusedWithAStatusLineAndTheEndLine_rfc4975_s7_3_1() {
        assertEquals("MSRP a1b2 400 Bad Request\r\n-------a1b2$\r\n",
                new String(MsrpResponse.refusal("a1b2", 400), UTF_8));
        assertEquals("MSRP x9y8 413 Message Too Large\r\n-------x9y8$\r\n",
                new String(MsrpResponse.refusal("x9y8", 413), UTF_8));
    }

    /** RFC 4975 §7.2: a response carries the paths the other way round, then the end-line with {@code $}. */
    @Test
    void aResponseIsTheStatusLineThePathsAndTheEndLine_rfc4975_s7_2() throws MalformedMsrpException {
        MsrpUri us = MsrpUri.parse("msrp://192.0.2.1:2855/us;tcp");
        MsrpUri them = MsrpUri.parse("msrp://192.0.2.2:2855/them;tcp");
        assertEquals("MSRP t1b2c3 481 Session Does Not Exist\r\nTo-Path: msrp://192.0.2.2:2855/them;tcp\r\n"
                + "From-Path: msrp://192.0.2.1:2855/us;tcp\r\n-------t1b2c3$\r\n",
                new String(new MsrpResponse("t1b2c3", 481, MsrpResponse.reason(481), List.of(them),
                        List.of(us)).toBytes(), UTF_8));
    }
}
