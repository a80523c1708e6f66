package org.sylkserver.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.sylkserver.core.config.SipConnections;
import org.sylkserver.core.tls.PeerVerification;
import org.sylkserver.core.tls.SipServerIdentity;
import org.sylkserver.core.tls.SipTlsTrust;

/** The generated Tomcat and JAIN-SIP configuration (issue 11: deployment and TLS peer checks). */
class ContainerBaseTest {

    private final ContainerBase base = new ContainerBase(Path.of("/var/sylk/container"));

    private static ContainerSettings settings(Path peerTrustStore) {
        return new ContainerSettings("127.0.0.1", 5060, 5060, 5061, "127.0.0.1", 10888, Path.of("/var/sylk/sip-tls.p12"),
                "key-password", null, "", List.of(), SipConnections.DEFAULTS, null, null, peerTrustStore);
    }

    /** Nothing new is deployed while the server runs; error pages name no Tomcat version. */
    @Test
    void theHostDeploysOnlyAtStartAndHidesTheServerVersion() {
        String xml = base.serverXml(settings(null));
        assertTrue(xml.contains("autoDeploy=\"false\""), xml);
        assertTrue(xml.contains("showReport=\"false\" showServerInfo=\"false\""), xml);
    }

    /**
     * Restcomm's own lifetime of application sessions unless the tests lower it; every context keeps the session
     * manager and leaves the server's class path unscanned (it held 2 s of each deployment) either way.
     */
    @Test
    void theContextsSessionLifetimeIsTheContainersUnlessLowered() {
        String plain = ContainerBase.contextXml(null);
        assertTrue(plain.contains("<Context>") && plain.contains(SipSessionManager.class.getName()), plain);
        String lowered = ContainerBase.contextXml(1);
        assertTrue(lowered.contains("<Context sipApplicationSessionTimeout=\"1\">"), lowered);
        assertTrue(lowered.contains(SipSessionManager.class.getName()), lowered);
        assertTrue(plain.contains("<JarScanner scanClassPath=\"false\"/>"), plain);
        assertTrue(lowered.contains("<JarScanner scanClassPath=\"false\"/>"), lowered);
    }

    /** JAIN-SIP's UDP listener threads: 64 unless the system property sets another number (the benchmarks). */
    @Test
    void theSipThreadsAreSixtyFourUnlessThePropertySetsThem() {
        assertEquals("64", base.sipStackProperties(settings(null)).getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE"));
        try {
            System.setProperty(ContainerBase.SIP_THREADS, "8");
            assertEquals("8", base.sipStackProperties(settings(null)).getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE"));
            System.setProperty(ContainerBase.SIP_THREADS, "0");
            assertThrows(IllegalArgumentException.class, () -> base.sipStackProperties(settings(null)));
        } finally {
            System.clearProperty(ContainerBase.SIP_THREADS);
        }
    }

    /** verify_server = false (spec §8.1): any server's certificate; clients are not asked for theirs. */
    @Test
    void withoutVerifyServerSipTlsTrustsAnyPeer() {
        Properties p = base.sipStackProperties(settings(null));
        assertEquals(SipTlsTrust.class.getName(), p.getProperty("gov.nist.javax.sip.SECURITY_MANAGER_PROVIDER"));
        assertEquals("Disabled", p.getProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE"));
        assertNull(p.getProperty("javax.net.ssl.trustStore"));
        assertNull(p.getProperty("gov.nist.javax.sip.TLS_SECURITY_POLICY"));
    }

    /** The JDK's cipher suites, TLS 1.3 and ECDHE included, not JAIN-SIP's RSA-only list (LauncherIT: an EC key). */
    @Test
    void sipTlsOffersTheJdksCipherSuites() {
        String suites = base.sipStackProperties(settings(null)).getProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES");
        assertTrue(suites.contains("TLS_AES_128_GCM_SHA256") && suites.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                suites);
    }

    /** verify_server = true: ca_file's store for the servers we connect to, and their name checked (RFC 5922). */
    @Test
    void withVerifyServerSipTlsChecksServersAgainstCaFile() {
        Properties p = base.sipStackProperties(settings(Path.of("/var/sylk/sip-ca.p12")));
        assertEquals("/var/sylk/sip-ca.p12", p.getProperty("javax.net.ssl.trustStore"));
        assertEquals(PeerVerification.TRUST_STORE_PASSWORD, p.getProperty("javax.net.ssl.trustStorePassword"));
        assertEquals(SipServerIdentity.class.getName(), p.getProperty("gov.nist.javax.sip.TLS_SECURITY_POLICY"));
        assertEquals("Want", p.getProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE"));
        assertEquals("/var/sylk/sip-tls.p12", p.getProperty("javax.net.ssl.keyStore"));
    }
}
