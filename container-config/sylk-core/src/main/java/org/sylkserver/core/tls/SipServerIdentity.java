package org.sylkserver.core.tls;

import java.net.InetAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;

import gov.nist.javax.sip.ClientTransactionExt;
import gov.nist.javax.sip.TlsSecurityPolicy;

import org.sylkserver.core.config.IpLiteral;

/**
 * With {@code [Server] verify_server = true}, the SIP server we open a TLS connection to must present a certificate
 * for the domain we meant to reach (RFC 5922 §4, §7.2), besides one from {@code ca_file} ({@link SipTlsTrust}): the
 * host of the request's first Route, else of its Request-URI, must be a {@code sip:} URI or DNS name in the
 * certificate's subjectAltName (compared whole, wildcards not honoured, RFC 5922 §7.2), or its common name when the
 * certificate has neither kind (§7.1); a host given as an IP address must be one of its IP addresses. JAIN-SIP
 * calls it ({@code gov.nist.javax.sip.TLS_SECURITY_POLICY}) once the handshake of a connection opened for a request
 * is done (also for connections accepted, then without a transaction); a refusal closes the connection and fails the
 * request's transaction.
 */
public final class SipServerIdentity implements TlsSecurityPolicy {

    private static final int DNS_NAME = 2;
    private static final int URI_NAME = 6;
    private static final int IP_ADDRESS = 7;

    @Override
    public void enforceTlsPolicy(ClientTransactionExt transaction) throws SecurityException {
        if (transaction == null) {
            // a connection a client opened to us, or one we opened for a response or an ACK: no domain we meant to
            // reach (the chain of one we opened was checked all the same)
            return;
        }
        String host = targetHost(transaction.getRequest());
        Certificate[] chain;
        try {
            chain = transaction.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new SecurityException("SIP/TLS peer " + transaction.getPeerAddress() + " presented no certificate");
        }
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
            throw new SecurityException("SIP/TLS peer " + transaction.getPeerAddress() + " presented no certificate");
        }
        if (!names(certificate, host)) {
            throw new SecurityException("SIP/TLS peer " + transaction.getPeerAddress() + ": certificate "
                    + certificate.getSubjectX500Principal().getName() + " is not for " + host + " (RFC 5922)");
        }
    }

    /** The host the request is sent towards: its first Route's, else its Request-URI's. */
    static String targetHost(Request request) {
        RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
        URI target = route != null ? route.getAddress().getURI() : request.getRequestURI();
        if (!(target instanceof SipURI sip)) {
            throw new SecurityException("SIP/TLS to a non-SIP URI: " + target);
        }
        return sip.getHost();
    }

    /** Whether {@code certificate} is for {@code host} (a domain name or an IP literal, brackets allowed). */
    static boolean names(X509Certificate certificate, String host) {
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        InetAddress address = ipLiteral(host);
        if (address != null) {
            return alternatives != null && alternatives.stream().anyMatch(name -> (Integer) name.get(0) == IP_ADDRESS
                    && address.equals(ipLiteral((String) name.get(1))));
        }
        String domain = host.toLowerCase(Locale.ROOT);
        boolean hasDomainNames = false;
        if (alternatives != null) {
            for (List<?> name : alternatives) {
                int type = (Integer) name.get(0);
                String value = String.valueOf(name.get(1)).toLowerCase(Locale.ROOT);
                if (type == URI_NAME && value.startsWith("sip:")) {
                    hasDomainNames = true;
                    if (value.substring(4).equals(domain)) {
                        return true;
                    }
                } else if (type == DNS_NAME) {
                    hasDomainNames = true;
                    if (value.equals(domain)) {
                        return true;
                    }
                }
            }
        }
        return !hasDomainNames && domain.equals(commonName(certificate));
    }

    private static String commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT);
                }
            }
        } catch (InvalidNameException e) {
            // no usable name
        }
        return null;
    }

    /** The address {@code host} spells as an IP literal (IPv6 bracketed or bare), else null. */
    private static InetAddress ipLiteral(String host) {
        return IpLiteral.parse(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
    }
}
