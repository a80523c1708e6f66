package org.sylkserver.protocols.cpim;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.sylkserver.protocols.imdn.ImdnDocument;
import org.sylkserver.protocols.imdn.ImdnException;

/**
 * Fuzzing targets (docs/fuzzing.md): a message/cpim body (RFC 3862) from a SIP MESSAGE or an MSRP chunk is read
 * or refused with {@link CpimException} (the 400 "Invalid CPIM" of the echo and the room); an IMDN document
 * (RFC 5438 §7) is read or refused with {@link ImdnException}. The accessors the applications call on a parsed
 * message must not throw either.
 */
class CpimFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void cpimIsReadOrRefused(byte[] body) {
        CpimMessage message;
        try {
            message = CpimMessage.parse(body);
        } catch (CpimException refused) {
            return;
        }
        // parse checked every address and the DateTime: reading them cannot fail
        message.from();
        message.to();
        message.cc();
        message.dateTime();
        message.contentType();
        message.imdnMessageId();
        message.dispositionNotification();
        message.toBytes();
        try {
            ImdnDocument.fromCpim(message);
        } catch (ImdnException refused) {
            // not a notification
        }
    }

    @FuzzTest(maxDuration = "10m")
    void imdnIsReadOrRefused(byte[] xml) {
        try {
            ImdnDocument.parse(xml).toXml();
        } catch (ImdnException refused) {
            // not an IMDN document
        }
    }
}
