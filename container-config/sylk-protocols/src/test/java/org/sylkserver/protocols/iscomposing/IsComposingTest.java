package org.sylkserver.protocols.iscomposing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;

class IsComposingTest {

    /** RFC 3994 §4 example document. */
    @Test
    void parsesTheRfcExample_rfc3994_4() {
        IsComposing parsed = IsComposing.parse(("""
                <?xml version="1.0" encoding="UTF-8"?>
                <isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                  <state>active</state>
                  <contenttype>text/plain</contenttype>
                  <refresh>90</refresh>
                </isComposing>
                """).getBytes(StandardCharsets.UTF_8));
        assertTrue(parsed.active());
        assertEquals(90, parsed.refresh());
        assertEquals("text/plain", parsed.contentType());
    }

    @Test
    void writesWhatItReads() {
        IsComposing idle = new IsComposing(false, 0, OffsetDateTime.parse("2026-12-05T07:00:00Z"), "text/plain");
        assertEquals(idle, IsComposing.parse(idle.toXml()));
        IsComposing active = new IsComposing(true, 60, null, null);
        assertEquals(active, IsComposing.parse(active.toXml()));
    }

    /** RFC 3994 §3: a state other than active counts as idle. */
    @Test
    void anUnknownStateIsIdle_rfc3994_3() {
        assertFalse(IsComposing.parse("<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>x</state></isComposing>"
                .getBytes(StandardCharsets.UTF_8)).active());
    }

    @Test
    void refusesDoctypesAndOtherDocuments() {
        assertThrows(IllegalArgumentException.class, () -> IsComposing.parse(("<!DOCTYPE a [<!ENTITY b 'c'>]>"
                + "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>&b;</state></isComposing>")
                .getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> IsComposing.parse("<other/>".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> IsComposing.parse(
                "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'/>".getBytes(StandardCharsets.UTF_8)));
    }
}
