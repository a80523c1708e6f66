package org.sylkserver.core.stack.javax.sip.header;

import java.text.ParseException;

import javax.sip.header.Header;

import gov.nist.javax.sip.header.SIPHeader;

import org.sylkserver.core.sip.LastParsed;

/**
 * JAIN-SIP's own {@code HeaderFactoryImpl}, where our stack's path name has it ({@link
 * org.sylkserver.core.stack.javax.sip.SipStackImpl}), with the headers whose values repeat parsed once.
 *
 * <p>Restcomm makes a header from its name and value text for each {@code setHeader}, {@code addHeader} and
 * {@code setContent} of a servlet message, and JAIN-SIP parses the text every time: for each outgoing MESSAGE of the
 * gateway the same {@code User-Agent} and {@code Content-Type} (issue 14, session 22). The parsed header of a name and
 * value among these is kept and each caller gets a copy ({@code SIPHeader.clone} is deep), so what a caller
 * changes (a parameter) stays its own. Bounded: the {@link #MAX_HEADERS} used last.
 */
public class HeaderFactoryImpl extends gov.nist.javax.sip.header.HeaderFactoryImpl {

    /** User agents and content types: a handful each in practice. */
    static final int MAX_HEADERS = 1_000;

    /** What {@link #createHeader(String, String)} was given. */
    private record NameAndValue(String name, String value) {
    }

    /** Parsed headers of the names {@link #repeated}. */
    private final LastParsed<NameAndValue, SIPHeader> parsed = new LastParsed<>(MAX_HEADERS);

    @Override
    public Header createHeader(String headerName, String headerValue) throws ParseException {
        if (headerName == null || headerValue == null || !repeated(headerName)) {
            return super.createHeader(headerName, headerValue);
        }
        SIPHeader header = parsed.of(new NameAndValue(headerName, headerValue),
                key -> (SIPHeader) HeaderFactoryImpl.super.createHeader(key.name(), key.value()));
        return (Header) header.clone();
    }

    /** The headers whose few values are sent again and again. */
    private static boolean repeated(String name) {
        return name.equalsIgnoreCase("User-Agent") || name.equalsIgnoreCase("Content-Type");
    }

    /** How many headers are kept (for the tests). */
    int kept() {
        return parsed.size();
    }
}
