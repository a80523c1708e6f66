package org.sylkserver.protocols.msrp;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzing targets (docs/fuzzing.md): whatever a peer writes on an MSRP connection (RFC 4975 §7), the parser
 * yields messages or {@link MalformedMsrpException}, and after an error that lost the framing only the
 * documented {@link IllegalStateException}; URIs from SDP or headers parse or fail with
 * {@link MalformedMsrpException}.
 */
class MsrpFuzzTest {

    /** The connection's bytes arrive in reads of arbitrary sizes, as from TCP. */
    @FuzzTest(maxDuration = "10m")
    void connectionStreamYieldsMessagesOrErrors(FuzzedDataProvider data) {
        // small limits as well as the defaults, so that the limit paths (413, lost framing) are reached
        MsrpParser parser = data.consumeBoolean() ? new MsrpParser() : new MsrpParser(64 + data.consumeInt(0, 256),
                data.consumeInt(0, 1024));
        while (data.remainingBytes() > 0) {
            parser.feed(data.consumeBytes(data.consumeInt(1, 512)));
            try {
                while (parser.next() != null) {
                    // one message at a time, as MsrpServer reads them
                }
            } catch (MalformedMsrpException malformed) {
                if (malformed.framingLost()) {
                    return;
                }
            }
        }
        parser.isIdle();
    }

    @FuzzTest(maxDuration = "10m")
    void uriParsesOrFails(byte[] utf8) {
        try {
            MsrpUri.parse(new String(utf8, StandardCharsets.UTF_8)).toString();
        } catch (MalformedMsrpException malformed) {
            // refused
        }
    }
}
