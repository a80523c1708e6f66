package org.sylkserver.webrtc.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;

/** {@code auth.ini} (spec §4.12, §8.4): what each domain's accounts do on {@code account-register}. */
class ExternalAuthTest {

    @TempDir
    Path dir;

    private ExternalAuth load(String text) throws Exception {
        Files.writeString(dir.resolve("auth.ini"), text);
        return ExternalAuth.load(dir);
    }

    @Test
    void withoutTheFileOrEnableTheClientsPasswordIsItsHa1_spec_8_4() throws Exception {
        ExternalAuth none = ExternalAuth.load(dir);
        assertFalse(none.enabled());
        assertEquals("0123456789abcdef0123456789abcdef",
                none.ha1("alice", "example.com", "0123456789abcdef0123456789abcdef"));
        ExternalAuth off = load("[ExternalAuth]\nenable = false\n[example.com]\nauth_type = IMAP\n");
        assertFalse(off.enabled());
        assertEquals(ExternalAuth.Type.SIP, off.type("example.com"));
    }

    /** Q17: the original fails to hash; the HA1 is MD5(user:domain:password) in lower-case hex (RFC 2617 §3.2.2.2). */
    @Test
    void sipTypeComputesTheHa1FromThePlaintextPassword_quirkQ17() throws Exception {
        ExternalAuth auth = load("[ExternalAuth]\nenable = true\n\n[example.com]\nauth_type = SIP\n");
        assertTrue(auth.enabled());
        assertEquals(ExternalAuth.Type.SIP, auth.type("example.com"));
        assertEquals(ExternalAuth.Type.SIP, auth.type("other.example"), "SIP is the default");
        // printf 'alice:example.com:secret' | md5sum
        assertEquals("b1726872c344b6dc8365b774f8fd6412", auth.ha1("alice", "example.com", "secret"));
    }

    @Test
    void imapDomainsNeedAServerAndATrustedCa_spec_8_4() throws Exception {
        ConfigException noServer = assertThrows(ConfigException.class,
                () -> load("[ExternalAuth]\nenable = true\n[mail.example]\nauth_type = IMAP\n"));
        assertTrue(noServer.getMessage().contains("auth.ini") && noServer.getMessage().contains("[mail.example] imap_server"),
                noServer.getMessage());
        ConfigException badType = assertThrows(ConfigException.class,
                () -> load("[ExternalAuth]\nenable = true\n[mail.example]\nauth_type = LDAP\n"));
        assertTrue(badType.getMessage().contains("[mail.example] auth_type = 'LDAP'"), badType.getMessage());
        ConfigException badPort = assertThrows(ConfigException.class, () -> load("[ExternalAuth]\nenable = true\n"
                + "[mail.example]\nauth_type = IMAP\nimap_server = imap.example:99999\n"));
        assertTrue(badPort.getMessage().contains("imap_server = 'imap.example:99999'"), badPort.getMessage());
        Path missing = dir.resolve("no-such-ca.pem");
        ConfigException noCa = assertThrows(ConfigException.class, () -> load("[ExternalAuth]\nenable = true\n"
                + "imap_ca_cert_file = " + missing + "\n[mail.example]\nauth_type = IMAP\nimap_server = imap.example\n"));
        assertTrue(noCa.getMessage().contains("[ExternalAuth] imap_ca_cert_file = '" + missing + "'"),
                noCa.getMessage());
        Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        ConfigException notPem = assertThrows(ConfigException.class, () -> load("[ExternalAuth]\nenable = true\n"
                + "imap_ca_cert_file = " + dir.resolve("empty.pem") + "\n[mail.example]\nauth_type = IMAP\n"
                + "imap_server = imap.example\n"));
        assertTrue(notPem.getMessage().contains("imap_ca_cert_file"), notPem.getMessage());
        ConfigException badTimeout = assertThrows(ConfigException.class,
                () -> load("[ExternalAuth]\nenable = true\nimap_timeout = 0\n"));
        assertTrue(badTimeout.getMessage().contains("imap_timeout = '0'"), badTimeout.getMessage());
    }

    @Test
    void imapDomainsCompareCaseInsensitively_spec_8_4() throws Exception {
        Path ca = dir.resolve("ca.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                dir.resolve("key.pem").toString(), "-out", ca.toString(), "-days", "1", "-subj", "/CN=localhost")
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertEquals(0, openssl.waitFor());
        ExternalAuth auth = load("[ExternalAuth]\nenable = true\nimap_ca_cert_file = " + ca + "\n"
                + "[Mail.Example]\nauth_type = imap\nimap_server = imap.example\n");
        assertEquals(ExternalAuth.Type.IMAP, auth.type("mail.example"), "domains compare case-insensitively");
        auth.close();
    }
}
