package org.sylkserver.protocols.msrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** MSRP URIs: RFC 4975 §6 (syntax in §9) and the §6.1 comparison. */
class MsrpUriTest {

    private static MsrpUri uri(String text) throws MalformedMsrpException {
        return MsrpUri.parse(text);
    }

    @Test
    void rfc4975Section4_uriOfTheExamplesParsedIntoItsParts() throws Exception {
        MsrpUri u = uri("msrp://atlanta.example.com:7654/jshA7weztas;tcp");
        assertEquals(new MsrpUri("msrp", null, "atlanta.example.com", 7654, "jshA7weztas", "tcp", List.of()), u);
        assertFalse(u.secure());
        assertEquals("msrp://atlanta.example.com:7654/jshA7weztas;tcp", u.toString());
        assertEquals(u, MsrpUri.of(false, "atlanta.example.com", 7654, "jshA7weztas", "tcp"));
    }

    @Test
    void ipv6HostInBrackets_ourExample() throws Exception {
        MsrpUri u = uri("msrps://[2001:db8::1]:7654/a1b2;tcp");
        assertTrue(u.secure());
        assertEquals("2001:db8::1", u.host());
        assertEquals(7654, u.port());
        assertEquals("a1b2", u.sessionId());
        assertEquals("msrps://[2001:db8::1]:7654/a1b2;tcp", u.toString());
        assertEquals("msrp://[::ffff:192.0.2.1]/x;tcp", uri("msrp://[::ffff:192.0.2.1]/x;tcp").toString());
    }

    @Test
    void ipv4UserinfoParametersAndNoSessionId_ourExamples() throws Exception {
        MsrpUri u = uri("msrp://alice@192.0.2.7:2855/s3ss+io=n/x;tcp;foo=bar;baz");
        assertEquals("alice", u.userinfo());
        assertEquals("192.0.2.7", u.host());
        assertEquals("s3ss+io=n/x", u.sessionId());
        assertEquals(List.of(new MsrpUri.Parameter("foo", "bar"), new MsrpUri.Parameter("baz", null)),
                u.parameters());
        assertEquals("msrp://alice@192.0.2.7:2855/s3ss+io=n/x;tcp;foo=bar;baz", u.toString());
        // a relay's URI has neither port nor session-id (RFC 4976 uses such URIs)
        MsrpUri relay = uri("msrps://relay.example.net;tcp");
        assertEquals(-1, relay.port());
        assertNull(relay.sessionId());
        assertEquals("msrps://relay.example.net;tcp", relay.toString());
    }

    @Test
    void rfc4975Section6_1_comparison() throws Exception {
        MsrpUri u = uri("msrp://atlanta.example.com:7654/jshA7weztas;tcp");
        // scheme, host and transport ignore case; userinfo and other parameters are not compared
        assertTrue(u.sameAs(uri("MSRP://Atlanta.Example.COM:7654/jshA7weztas;TCP")));
        assertTrue(u.sameAs(uri("msrp://alice@atlanta.example.com:7654/jshA7weztas;tcp;x=y")));
        // session-id is case-sensitive
        assertFalse(u.sameAs(uri("msrp://atlanta.example.com:7654/JSHA7WEZTAS;tcp")));
        // an explicit port never equals an absent one, nor a different one
        assertFalse(u.sameAs(uri("msrp://atlanta.example.com/jshA7weztas;tcp")));
        assertFalse(u.sameAs(uri("msrp://atlanta.example.com:7655/jshA7weztas;tcp")));
        // msrp and msrps differ, and so do transports
        assertFalse(u.sameAs(uri("msrps://atlanta.example.com:7654/jshA7weztas;tcp")));
        assertFalse(u.sameAs(uri("msrp://atlanta.example.com:7654/jshA7weztas;sctp")));
        // a session-id against none
        assertFalse(u.sameAs(uri("msrp://atlanta.example.com:7654;tcp")));
        assertTrue(uri("msrps://[2001:DB8::1]:7654/a1b2;tcp").sameAs(uri("msrps://[2001:db8::1]:7654/a1b2;tcp")));
        // equals is exact
        assertFalse(u.equals(uri("MSRP://atlanta.example.com:7654/jshA7weztas;tcp")));
    }

    @Test
    void malformedUrisNameTheProblem() {
        assertProblem("msrp://atlanta.example.com:7654/jshA7weztas", "no ';' transport parameter");
        assertProblem("sip://atlanta.example.com:7654/jshA7weztas;tcp", "scheme 'sip' is neither msrp nor msrps");
        assertProblem("msrp:atlanta.example.com;tcp", "no '://'");
        assertProblem("msrp://atlanta.example.com:76543/a;tcp", "bad port '76543'");
        assertProblem("msrp://atlanta.example.com:x/a;tcp", "bad port 'x'");
        assertProblem("msrp://[2001:db8::1:7654/a;tcp", "without its closing ']'");
        assertProblem("msrp://[2001:db8::g]:7654/a;tcp", "bad IPv6 address '2001:db8::g'");
        assertProblem("msrp://:7654/a;tcp", "no host");
        assertProblem("msrp://host:7654/a%20b;tcp", "bad session-id 'a%20b'");
        assertProblem("msrp://host:7654/a;", "bad transport ''");
        assertProblem("msrp://host:7654/a;tcp;=x", "bad URI parameter '=x'");
        assertProblem("msrp://ho st:7654/a;tcp", "bad host 'ho st'");
    }

    private static void assertProblem(String text, String expected) {
        MalformedMsrpException e = assertThrows(MalformedMsrpException.class, () -> MsrpUri.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' lacks '" + expected + "'");
        assertTrue(e.getMessage().contains(text), () -> "'" + e.getMessage() + "' does not name " + text);
    }
}
