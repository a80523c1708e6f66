package org.sylkserver.xmpp.s2s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The stream reader of RFC 6120 §4 with the restrictions of §11. */
class StreamParserTest {

    private final List<StreamElement> headers = new ArrayList<>();
    private final List<StreamElement> elements = new ArrayList<>();
    private boolean closed;

    private final StreamParser.Listener listener = new StreamParser.Listener() {
        @Override
        public void streamOpened(StreamElement header) {
            headers.add(header);
        }

        @Override
        public void element(StreamElement element) {
            elements.add(element);
        }

        @Override
        public void streamClosed() {
            closed = true;
        }
    };

    private static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
            + "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
            + "from='remote.example' to='sylk.example' version='1.0'>";

    private void feed(StreamParser parser, String text) throws StreamError {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        parser.feed(bytes, 0, bytes.length);
    }

    /** Elements split across reads at every byte come out whole, with their namespaces declared on them. */
    @Test
    void elementsSplitAnywhereComeOutWhole_rfc6120_4() throws StreamError {
        StreamParser parser = new StreamParser(listener, 10_000);
        String stream = HEADER + "<db:result from='remote.example' to='sylk.example'>abc123</db:result>\n"
                + "<message from='a@remote.example/r' to='b@sylk.example' type='chat'><body>h&amp;llo é</body>"
                + "<active xmlns='http://jabber.org/protocol/chatstates'/></message></stream:stream>";
        for (byte b : stream.getBytes(StandardCharsets.UTF_8)) {
            parser.feed(new byte[] {b}, 0, 1);
        }
        assertEquals(1, headers.size());
        assertEquals("sylk.example", headers.get(0).attribute("to"));
        assertEquals(2, elements.size());
        StreamElement result = elements.get(0);
        assertTrue(result.is(StreamElement.DIALBACK, "result"));
        assertEquals("abc123", result.text());
        StreamElement message = elements.get(1);
        assertTrue(message.is(StreamElement.SERVER, "message"));
        assertTrue(message.xml().startsWith("<message xmlns=\"jabber:server\""), message.xml());
        assertTrue(message.xml().contains("h&amp;llo é"), message.xml());
        assertTrue(message.hasChild("http://jabber.org/protocol/chatstates", "active"));
        assertTrue(closed);
    }

    @Test
    void aDoctypeIsRestrictedXml_rfc6120_11_1() {
        StreamError error = assertThrows(StreamError.class, () -> feed(new StreamParser(listener, 10_000),
                "<?xml version='1.0'?><!DOCTYPE stream>"
                        + "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"));
        assertEquals("restricted-xml", error.condition());
    }

    /** An entity bomb ("billion laughs") ends the stream before any entity is declared, let alone expanded. */
    @Test
    void anEntityBombEndsTheStream_rfc6120_11_1() {
        StreamError error = assertThrows(StreamError.class, () -> feed(new StreamParser(listener, 10_000),
                "<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
                        + "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"
                        + "<message><body>&b;</body></message>"));
        assertTrue(error.condition().equals("restricted-xml") || error.condition().equals("not-well-formed"),
                error.condition());
        assertTrue(headers.isEmpty() && elements.isEmpty());
    }

    @Test
    void commentsAndProcessingInstructionsAreRestrictedXml_rfc6120_11_1() {
        StreamError comment = assertThrows(StreamError.class,
                () -> feed(new StreamParser(listener, 10_000), HEADER + "<!-- hi -->"));
        assertEquals("restricted-xml", comment.condition());
        StreamError instruction = assertThrows(StreamError.class,
                () -> feed(new StreamParser(listener, 10_000), HEADER + "<?php x ?>"));
        assertEquals("restricted-xml", instruction.condition());
    }

    @Test
    void anUndeclaredEntityIsRefused() {
        StreamError error = assertThrows(StreamError.class,
                () -> feed(new StreamParser(listener, 10_000), HEADER + "<message><body>&bomb;</body></message>"));
        assertTrue(error.condition().equals("restricted-xml") || error.condition().equals("not-well-formed"),
                error.condition());
    }

    @Test
    void brokenXmlIsNotWellFormed_rfc6120_4_9_3_13() {
        StreamError error = assertThrows(StreamError.class,
                () -> feed(new StreamParser(listener, 10_000), HEADER + "<message></iq> "));
        assertEquals("not-well-formed", error.condition());
    }

    /** An element larger than the limit is refused before it is complete, even when it never ends. */
    @Test
    void anOversizedStanzaIsAPolicyViolation_rfc6120_4_9_3_12() throws StreamError {
        StreamParser parser = new StreamParser(listener, 2048);
        feed(parser, HEADER + "<message><body>" + "x".repeat(1000) + "</body></message>");
        assertEquals(1, elements.size());
        feed(parser, "<message><body>");
        StreamError error = assertThrows(StreamError.class, () -> {
            for (int i = 0; i < 10; i++) {
                feed(parser, "y".repeat(500));
            }
        });
        assertEquals("policy-violation", error.condition());
    }

    /** A header that never ends is bounded as well: one long attribute. */
    @Test
    void anEndlessHeaderIsAPolicyViolation() {
        StreamParser parser = new StreamParser(listener, 2048);
        StreamError error = assertThrows(StreamError.class, () -> {
            feed(parser, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' from='");
            for (int i = 0; i < 10; i++) {
                feed(parser, "a".repeat(500));
            }
        });
        assertEquals("policy-violation", error.condition());
    }

    /** Whitespace keep-alives between stanzas (RFC 6120 §4.6.1) never add up to the limit. */
    @Test
    void whitespaceKeepAlivesAreNotCounted() throws StreamError {
        StreamParser parser = new StreamParser(listener, 1024);
        feed(parser, HEADER);
        for (int i = 0; i < 100; i++) {
            feed(parser, " ".repeat(100));
        }
        feed(parser, "<presence/>");
        assertEquals(1, elements.size());
    }

    /**
     * Every element of an S2S link is re-serialized for the stanza parser: that leaves little garbage (the XML
     * writer's buffers are reused, which aalto does for a closed writer; one left open took about 6.2 KB per
     * stanza instead of 2.2; the element's XML buffer, text and child set are the parser's, and each attribute value
     * is read once: 2.3 KB -> 1.6 KB).
     */
    @Test
    void anElementReusesTheWritersBuffers() throws StreamError {
        StreamParser parser = new StreamParser(listener, 10_000);
        feed(parser, HEADER);
        byte[] message = ("<message from='romeo@remote.example/orchard' to='bob@sylk.example' id='m1' type='chat'>"
                + "<body>Art thou not Romeo?</body></message>").getBytes(StandardCharsets.UTF_8);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 2_000; i++) {
            parser.feed(message, 0, message.length);
        }
        elements.clear();
        int count = 2_000;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < count; i++) {
            parser.feed(message, 0, message.length);
        }
        long perElement = (threads.getThreadAllocatedBytes(thread) - before) / count;
        assertEquals(count, elements.size());
        assertTrue(perElement < 1_900, perElement + " bytes allocated per element");
        assertEquals("<message xmlns=\"jabber:server\" from=\"romeo@remote.example/orchard\" to=\"bob@sylk.example\" "
                + "id=\"m1\" type=\"chat\"><body>Art thou not Romeo?</body></message>", elements.get(0).xml());
    }
}
