package org.sylkserver.core.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * {@code [Server] verify_server} and {@code ca_file} (spec §8.1) for the connections the MSRP endpoint opens (the
 * room's active role, RFC 6135, and file push): with the check on, the peer's certificate must come from
 * {@code ca_file} and name the host of its {@code msrps:} URI (RFC 4975 §14.2).
 */
class PeerVerificationTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private MsrpServer near;
    private MsrpServer far;

    @AfterEach
    void stop() throws Exception {
        if (near != null) {
            near.close();
        }
        if (far != null) {
            far.close();
        }
    }

    private PeerVerification verifying(TestCertificates.Issued authority) throws Exception {
        Path caFile = authority.writePem(dir.resolve("ca.crt"));
        return PeerVerification.of(config(Map.of("Server.verify_server", "true", "Server.ca_file", caFile.toString())));
    }

    private ServerConfig config(Map<String, String> overrides) throws ConfigException {
        return ServerConfig.load(dir, dir.resolve("var"), overrides);
    }

    /** Connects the room's side ({@code verification}) to a participant presenting {@code participant}. */
    private void connect(PeerVerification verification, TestCertificates.Issued participant) throws Exception {
        SSLContext ours = TestCertificates.selfSigned("room").context(verification.trustManagers());
        near = new MsrpServer(LOOPBACK, 0, ours);
        far = new MsrpServer(LOOPBACK, 0, participant.context(PeerVerification.NONE.trustManagers()));
        MsrpUri participantSession = far.open((request, connection) -> 200);
        MsrpUri roomSession = near.open((request, connection) -> 200);
        assertNotNull(near.connect(roomSession, List.of(participantSession)));
    }

    @Test
    void aCertificateFromCaFileNamingTheHostIsAccepted() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        connect(verifying(authority), TestCertificates.issue(authority, "participant",
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    }

    @Test
    void aCertificateNotFromCaFileIsRefused() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        TestCertificates.Issued other = TestCertificates.authority("Other CA");
        IOException refused = assertThrows(IOException.class, () -> connect(verifying(authority),
                TestCertificates.issue(other, "participant", new GeneralName(GeneralName.iPAddress, "127.0.0.1"))));
        assertTrue(refused.getMessage().contains("msrps://127.0.0.1:"), refused.getMessage());
    }

    @Test
    void aSelfSignedCertificateIsRefused() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        assertThrows(IOException.class, () -> connect(verifying(authority),
                TestCertificates.selfSigned("participant", new GeneralName(GeneralName.iPAddress, "127.0.0.1"))));
    }

    /** RFC 4975 §14.2: a certificate from ca_file for another host does not do. */
    @Test
    void aCertificateFromCaFileForAnotherHostIsRefused() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        assertThrows(IOException.class, () -> connect(verifying(authority), TestCertificates.issue(authority,
                "127.0.0.1", new GeneralName(GeneralName.iPAddress, "127.0.0.2"),
                new GeneralName(GeneralName.dNSName, "other.example.com"))));
    }

    /** verify_server = false (the default, as the original): any certificate, for any host. */
    @Test
    void withoutVerifyServerAnyCertificateIsAccepted() throws Exception {
        PeerVerification verification = PeerVerification.of(config(Map.of()));
        assertFalse(verification.enabled());
        connect(verification, TestCertificates.selfSigned("somewhere.example.com"));
    }

    @Test
    void verifyServerWithoutCaFileStopsStartUpNamingOptionAndFile() {
        Path missing = dir.resolve("no-such-ca.crt");
        ConfigException e = assertThrows(ConfigException.class, () -> PeerVerification.of(config(
                Map.of("Server.verify_server", "true", "Server.ca_file", missing.toString()))));
        assertTrue(e.getMessage().contains("[Server] ca_file = '" + missing + "': no such file"), e.getMessage());
    }

    @Test
    void aCaFileWithoutCertificatesStopsStartUp() throws Exception {
        Path empty = Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
        ConfigException e = assertThrows(ConfigException.class, () -> PeerVerification.of(config(
                Map.of("Server.verify_server", "true", "Server.ca_file", empty.toString()))));
        assertTrue(e.getMessage().contains("[Server] ca_file = '" + empty + "': holds no PEM certificate"),
                e.getMessage());
    }
}
