package org.sylkserver.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;

import javax.sip.SipFactory;
import javax.sip.message.Request;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

/** The name check of SIP/TLS servers we connect to with verify_server = true (RFC 5922 §4, §7). */
class SipServerIdentityTest {

    private static X509Certificate certificate(String commonName, GeneralName... names) throws Exception {
        return TestCertificates.selfSigned(commonName, names).certificate();
    }

    /** §7.1: a sip: URI or a DNS name in subjectAltName, compared whole and without regard to case. */
    @Test
    void subjectAltNameSipUriOrDnsNameNamesTheDomain() throws Exception {
        X509Certificate uri = certificate("whatever", new GeneralName(GeneralName.uniformResourceIdentifier,
                "sip:example.com"));
        assertTrue(SipServerIdentity.names(uri, "example.com"));
        assertTrue(SipServerIdentity.names(uri, "EXAMPLE.com"));
        assertFalse(SipServerIdentity.names(uri, "sip.example.com"));
        X509Certificate dns = certificate("whatever", new GeneralName(GeneralName.dNSName, "proxy.example.com"));
        assertTrue(SipServerIdentity.names(dns, "proxy.example.com"));
        assertFalse(SipServerIdentity.names(dns, "example.com"));
    }

    /** §7.2: a wildcard does not stand for a SIP domain. */
    @Test
    void wildcardsDoNotMatch() throws Exception {
        X509Certificate wildcard = certificate("*.example.com", new GeneralName(GeneralName.dNSName, "*.example.com"));
        assertFalse(SipServerIdentity.names(wildcard, "proxy.example.com"));
    }

    /** §7.1: the common name counts only when subjectAltName has no URI or DNS name. */
    @Test
    void commonNameOnlyWithoutSubjectAltNames() throws Exception {
        assertTrue(SipServerIdentity.names(certificate("proxy.example.com"), "proxy.example.com"));
        assertFalse(SipServerIdentity.names(certificate("proxy.example.com",
                new GeneralName(GeneralName.dNSName, "other.example.com")), "proxy.example.com"));
    }

    @Test
    void anAddressMustBeAnIpAddressOfTheCertificate() throws Exception {
        X509Certificate ip = certificate("192.0.2.7", new GeneralName(GeneralName.iPAddress, "192.0.2.7"),
                new GeneralName(GeneralName.iPAddress, "2001:db8::7"));
        assertTrue(SipServerIdentity.names(ip, "192.0.2.7"));
        assertTrue(SipServerIdentity.names(ip, "[2001:db8:0::7]"));
        assertFalse(SipServerIdentity.names(ip, "192.0.2.8"));
        assertFalse(SipServerIdentity.names(certificate("192.0.2.7"), "192.0.2.7"), "a common name is no address");
    }

    /** The domain checked is the one the request is routed to: its first Route, else its Request-URI. */
    @Test
    void theTargetIsTheFirstRouteElseTheRequestUri() throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        String request = "INVITE sip:bob@example.com;transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK776asdhds\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.org>;tag=1928301774\r\n"
                + "Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@192.0.2.1:5061;transport=tls>\r\n"
                + "%sContent-Length: 0\r\n\r\n";
        Request direct = factory.createMessageFactory().createRequest(String.format(request, ""));
        assertEquals("example.com", SipServerIdentity.targetHost(direct));
        Request routed = factory.createMessageFactory().createRequest(String.format(request,
                "Route: <sip:proxy.example.net;transport=tls;lr>, <sip:other.example.net;lr>\r\n"));
        assertEquals("proxy.example.net", SipServerIdentity.targetHost(routed));
    }
}
