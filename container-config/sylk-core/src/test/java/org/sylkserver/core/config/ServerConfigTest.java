package org.sylkserver.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.ini (spec §8.1): defaults, parsing, overrides, and errors that name file, option and value. */
class ServerConfigTest {

    @TempDir
    Path dir;

    private ServerConfig load(String text, Map<String, String> overrides) throws Exception {
        if (text != null) {
            Files.writeString(dir.resolve("config.ini"), text);
        }
        return ServerConfig.load(dir, dir.resolve("var"), overrides);
    }

    private ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> load(text, Map.of()));
    }

    @Test
    void withoutAFileEveryOptionHasTheOriginalsCodeDefault_spec8_1() throws Exception {
        ServerConfig config = load(null, Map.of());
        assertEquals("conference", config.server().defaultApplication());
        assertEquals(Map.of("echo", "echo"), config.server().applicationMap());
        assertEquals(List.of(), config.server().disabledApplications());
        assertEquals("info", config.server().logLevel());
        assertFalse(config.server().traceSip());
        assertEquals(dir.resolve("var/spool/sylkserver"), config.server().spoolDir());
        assertEquals(dir.resolve("var/log/sylkserver"), config.server().traceDir());
        assertEquals(OptionalInt.of(5060), config.sip().udpPort());
        assertEquals(OptionalInt.of(5060), config.sip().tcpPort());
        assertEquals(OptionalInt.of(5061), config.sip().tlsPort());
        assertNull(config.sip().outboundProxy());
        assertTrue(config.sip().trustedPeers().isTrusted(InetAddress.getByName("203.0.113.9")));
        assertTrue(config.msrp().useTls());
        assertEquals(List.of("opus", "G722", "PCMA", "PCMU"), config.rtp().audioCodecs());
        assertEquals(50000, config.rtp().portStart());
        assertEquals(50500, config.rtp().portEnd());
        assertEquals("opportunistic", config.rtp().srtpEncryption());
        assertEquals(30, config.rtp().timeout());
        assertEquals(10888, config.webServer().localPort());
        assertNull(config.webServer().localIp());
    }

    @Test
    void valuesFromTheFileAndOverridesOnTop() throws Exception {
        ServerConfig config = load("""
                ; a comment
                [Server]
                application_map = echo:echo, playback:playback
                disabled_applications = ircconference, xmppgateway
                trace_sip = yes
                log_level = debug

                [SIP]
                local_ip = 127.0.0.1
                local_udp_port = 5070
                outbound_proxy = proxy.example.com:5080;transport=tcp
                trusted_peers = 10.0.0.0/8, 127.0.0.1

                [RTP]
                port_range = 40000:40100
                """, Map.of("SIP.local_udp_port", "5090"));
        assertEquals(Map.of("echo", "echo", "playback", "playback"), config.server().applicationMap());
        assertEquals(List.of("ircconference", "xmppgateway"), config.server().disabledApplications());
        assertTrue(config.server().traceSip());
        assertEquals("debug", config.server().logLevel());
        assertEquals(InetAddress.getByName("127.0.0.1"), config.sip().localIp());
        assertEquals(OptionalInt.of(5090), config.sip().udpPort());
        assertEquals(new ServerConfig.OutboundProxy("proxy.example.com", 5080, "tcp"), config.sip().outboundProxy());
        assertTrue(config.sip().trustedPeers().isTrusted(InetAddress.getByName("10.20.30.40")));
        assertFalse(config.sip().trustedPeers().isTrusted(InetAddress.getByName("192.0.2.1")));
        assertEquals(40000, config.rtp().portStart());
    }

    @Test
    void anEmptyPortDisablesThatTransport_spec1_3() throws Exception {
        ServerConfig config = load("[SIP]\nlocal_udp_port =\nlocal_tls_port = \n", Map.of());
        assertEquals(OptionalInt.empty(), config.sip().udpPort());
        assertEquals(OptionalInt.empty(), config.sip().tlsPort());
        assertEquals(OptionalInt.of(5060), config.sip().tcpPort());
    }

    @Test
    void errorsNameTheFileSectionOptionAndValue() {
        ConfigException e = error("[SIP]\nlocal_udp_port = abc\n");
        assertEquals(dir.resolve("config.ini") + ": [SIP] local_udp_port = 'abc': not a port number (1-65535, empty to disable)",
                e.getMessage());
        assertTrue(error("[SIP]\nlocal_udp_port = 70000\n").getMessage().contains("local_udp_port = '70000'"));
        assertTrue(error("[Server]\ntrace_sip = maybe\n").getMessage().contains("[Server] trace_sip = 'maybe': not a boolean"));
        assertTrue(error("[Server]\nlog_level = loud\n").getMessage().contains("log_level = 'loud': must be one of"));
        assertTrue(error("[RTP]\nport_range = 50001:50500\n").getMessage().contains("[RTP] port_range = '50001:50500'"));
        assertTrue(error("[RTP]\nport_range = 50500:50000\n").getMessage().contains("START < END"));
        assertTrue(error("[RTP]\naudio_codecs = opus, mp3\n").getMessage().contains("unknown codec 'mp3'"));
        assertTrue(error("[RTP]\nsrtp_encryption = always\n").getMessage().contains("srtp_encryption = 'always'"));
        assertTrue(error("[SIP]\nlocal_ip = not-an-ip\n").getMessage().contains("local_ip = 'not-an-ip': not an IP address"));
        assertTrue(error("[SIP]\noutbound_proxy = proxy:5060;transport=sctp\n").getMessage().contains("outbound_proxy"));
        assertTrue(error("[SIP]\ntrusted_peers = 10.0.0.0/33\n").getMessage().contains("trusted_peers = '10.0.0.0/33'"));
        assertTrue(error("[Server]\napplication_map = echo\n").getMessage().contains("application_map = 'echo'"));
    }

    @Test
    void tcpAndTlsPortsMustDiffer_spec1_3() {
        assertTrue(error("[SIP]\nlocal_tcp_port = 5070\nlocal_tls_port = 5070\n").getMessage()
                .contains("TCP and TLS ports must differ"));
    }

    @Test
    void malformedLinesAreReportedWithTheLineNumber() {
        assertEquals(dir.resolve("config.ini") + ":2: expected 'option = value', got 'just words'",
                error("[Server]\njust words\n").getMessage());
        assertTrue(error("trace_sip = true\n").getMessage().contains(":1: option 'trace_sip' outside of any [Section]"));
        assertTrue(error("[Server\n").getMessage().contains(":1: malformed section header"));
    }
}
