package org.sylkserver.core.stack.javax.sip.header;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.text.ParseException;

import javax.sip.header.ContentTypeHeader;
import javax.sip.header.Header;

import org.junit.jupiter.api.Test;

/** RFC 3261 §20.15 (Content-Type) and §20.41 (User-Agent) as JAIN-SIP parses them, each caller its own copy. */
class HeaderFactoryImplTest {

    /** Counts the texts JAIN-SIP's parser is given. */
    private static final class CountingFactory extends HeaderFactoryImpl {
        int parses;

        @Override
        public Header createHeader(String headerText) throws ParseException {
            parses++;
            return super.createHeader(headerText);
        }
    }

    private final CountingFactory factory = new CountingFactory();
    private final gov.nist.javax.sip.header.HeaderFactoryImpl jainSip = new gov.nist.javax.sip.header.HeaderFactoryImpl();

    @Test
    void rfc3261_s20_aHeaderIsTheOneJainSipParses() throws ParseException {
        String[][] headers = {
            {"User-Agent", "SylkServer-6.0.0"}, {"user-agent", "Sylk/1.0 (Linux) libjitsi"},
            {"Content-Type", "message/cpim"}, {"Content-Type", "text/plain;charset=utf-8"},
            {"content-type", "application/im-iscomposing+xml"}, {"Content-Type", "multipart/mixed;boundary=\"b 1\""},
            {"Subject", "hello"}, {"X-Sylk-App", "webrtcgateway"}};
        for (String[] header : headers) {
            for (int round = 0; round < 2; round++) {
                Header expected = jainSip.createHeader(header[0], header[1]);
                Header made = factory.createHeader(header[0], header[1]);
                assertEquals(expected.toString(), made.toString(), header[0]);
                assertEquals(expected, made, header[0]);
                assertEquals(expected.getClass(), made.getClass(), header[0]);
            }
        }
        assertThrows(ParseException.class, () -> jainSip.createHeader("Content-Type", "no slash"));
        assertThrows(ParseException.class, () -> factory.createHeader("Content-Type", "no slash"));
    }

    /** Each outgoing MESSAGE has the same User-Agent and Content-Type: parsed once (issue 14, session 22). */
    @Test
    void aRepeatedUserAgentOrContentTypeIsParsedOnce() throws ParseException {
        for (int i = 0; i < 3; i++) {
            factory.createHeader("User-Agent", "SylkServer-6.0.0");
            factory.createHeader("Content-Type", "message/cpim");
        }
        assertEquals(2, factory.parses);
        factory.createHeader("Subject", "hello");
        factory.createHeader("Subject", "hello");
        assertEquals(4, factory.parses);
    }

    /** Restcomm sets a charset on the Content-Type it gets: not on the next caller's. */
    @Test
    void eachCallerGetsItsOwnCopy() throws ParseException {
        ContentTypeHeader first = (ContentTypeHeader) factory.createHeader("Content-Type", "text/plain");
        first.setParameter("charset", "utf-8");
        ContentTypeHeader second = (ContentTypeHeader) factory.createHeader("Content-Type", "text/plain");
        assertNotSame(first, second);
        assertEquals("Content-Type: text/plain\r\n", second.toString());
        assertEquals("Content-Type: text/plain;charset=utf-8\r\n", first.toString());
    }

    @Test
    void atMostMaxHeadersAreKept() throws ParseException {
        for (int i = 0; i < HeaderFactoryImpl.MAX_HEADERS + 50; i++) {
            factory.createHeader("User-Agent", "agent-" + i);
        }
        assertEquals(HeaderFactoryImpl.MAX_HEADERS, factory.kept());
    }
}
