package org.sylkserver.protocols.msrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 3261 §25.1 {@code quoted-string}, as RFC 7701 §6.1's {@code Use-Nickname} carries the nickname. */
class QuotedStringTest {

    @Test
    void qdtextIsTakenAsItIsInnerSpacesKept_rfc3261_25_1() {
        assertEquals("Juliet Capulet", QuotedString.parse("\"Juliet Capulet\""));
        assertEquals("  two  spaces\tand a tab ", QuotedString.parse("\"  two  spaces\tand a tab \""));
        assertEquals("Jülïet ☂", QuotedString.parse("\"Jülïet ☂\""), "UTF8-NONASCII");
        assertEquals("", QuotedString.parse("\"\""), "an empty quoted-string");
    }

    @Test
    void quotedPairsAreUnescaped_rfc3261_25_1() {
        assertEquals("say \"hi\"", QuotedString.parse("\"say \\\"hi\\\"\""));
        assertEquals("back\\slash", QuotedString.parse("\"back\\\\slash\""));
        assertEquals("\\\"", QuotedString.parse("\"\\\\\\\"\""), "an escaped backslash, then an escaped quote");
        assertEquals("a", QuotedString.parse("\"\\a\""), "quoted-pair takes any %x00-7F but CR and LF");
    }

    @Test
    void leadingWhitespaceIsSws_rfc3261_25_1() {
        assertEquals("Romeo", QuotedString.parse("  \"Romeo\""));
    }

    @Test
    void aTokenWithoutQuotesIsAccepted_rfc3261_25_1() {
        assertEquals("romeo.m-1", QuotedString.parse("romeo.m-1"));
        assertEquals("!%*_+`'~", QuotedString.parse("!%*_+`'~"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"unterminated",
        "\"ends in a lone backslash\\\"",
        "\"inner \" quote\"",
        "\"text\" after",
        "two words",
        "semi;colon",
        "\"control \u0001 character\"",
        "\"escaped \\\u00e9 non-ASCII\"",
        ""
    })
    void anythingElseIsMalformed_rfc3261_25_1(String value) {
        assertThrows(IllegalArgumentException.class, () -> QuotedString.parse(value));
    }

    @Test
    void quotingEscapesBackslashAndQuoteOnly_rfc4975_9() {
        String text = "Juliet \"J\" \\ Capulet";
        assertEquals("\"Juliet \\\"J\\\" \\\\ Capulet\"", QuotedString.quote(text));
        assertEquals(text, QuotedString.parse(QuotedString.quote(text)), "read back");
    }
}
