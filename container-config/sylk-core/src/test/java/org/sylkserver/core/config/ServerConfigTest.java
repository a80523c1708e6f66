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
import org.sylkserver.core.LogCapture;

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
        assertEquals(dir.resolve("tls/ca.crt"), config.server().caFile());
        assertNull(config.server().certificate());
        assertFalse(config.server().verifyServer());
        assertFalse(config.server().enableBonjour());
        assertNull(config.server().extraApplicationsDir());
        assertFalse(config.server().traceDns() || config.server().traceMsrp() || config.server().traceCore()
                || config.server().traceNotifications());
        assertNull(config.sip().advertisedIp());
        assertEquals(ServerConfig.defaultRouteAddress(), config.sip().localIp());
        assertFalse(config.sip().enableIce());
        assertEquals(48000, config.rtp().sampleRate());
        assertEquals(OptionalInt.empty(), config.webServer().publicPort());
        assertNull(config.webServer().certificate());
        assertNull(config.webServer().certificateChain());
        assertEquals("", config.webServer().hostname());
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
        assertEquals(List.of("opus", "G722", "speex", "PCMU", "PCMA"), config.rtp().audioCodecs());
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
        assertEquals(dir.resolve("config.ini") + ": [SIP] local_udp_port = 'abc': not a port number (0-65535)",
                e.getMessage());
        assertTrue(error("[SIP]\nlocal_udp_port = 70000\n").getMessage().contains("local_udp_port = '70000'"));
        assertTrue(error("[Server]\ntrace_sip = maybe\n").getMessage().contains("[Server] trace_sip = 'maybe': not a boolean"));
        assertTrue(error("[Server]\nlog_level = loud\n").getMessage().contains("log_level = 'loud': must be one of"));
        assertTrue(error("[RTP]\nport_range = 50001:50500\n").getMessage().contains("[RTP] port_range = '50001:50500'"));
        assertTrue(error("[RTP]\nport_range = 50500:50000\n").getMessage().contains("START < END"));
        assertTrue(error("[RTP]\naudio_codecs = opus, mp3\n").getMessage().contains("unknown codec 'mp3'"));
        assertTrue(error("[RTP]\nsrtp_encryption = always\n").getMessage().contains("srtp_encryption = 'always'"));
        assertTrue(error("[SIP]\nlocal_ip = not-an-ip\n").getMessage().contains("local_ip = 'not-an-ip': not an IP address"));
        assertTrue(error("[SIP]\nlocal_ip = 10.1\n").getMessage().contains("local_ip = '10.1': not an IP address"));
        assertTrue(error("[SIP]\nadvertised_ip = 256.1.1.1\n").getMessage().contains("advertised_ip = '256.1.1.1'"));
        assertTrue(error("[WebServer]\nlocal_port = -1\n").getMessage().contains("[WebServer] local_port = '-1'"));
        assertTrue(error("[RTP]\nsample_rate = 22050\n").getMessage().contains("[RTP] sample_rate = '22050'"));
        assertTrue(error("[RTP]\ntimeout = soon\n").getMessage().contains("[RTP] timeout = 'soon'"));
        assertTrue(error("[RTP]\nport_range = 1000:2000\n").getMessage().contains("port_range = '1000:2000'"));
        assertTrue(error("[RTP]\nport_range = 50000:70000\n").getMessage().contains("port_range = '50000:70000'"));
        assertTrue(error("[SIP]\noutbound_proxy = proxy:99999\n").getMessage().contains("port must be 1-65535"));
        assertTrue(error("[SIP]\noutbound_proxy = proxy:5060;transport=sctp\n").getMessage().contains("outbound_proxy"));
        assertTrue(error("[SIP]\ntrusted_peers = 10.0.0.0/33\n").getMessage().contains("trusted_peers = '10.0.0.0/33'"));
        assertTrue(error("[Server]\napplication_map = echo\n").getMessage().contains("application_map = 'echo'"));
    }

    @Test
    void theWebRtcPortIsOffByDefaultAndOutsideThePortRange() throws Exception {
        assertEquals(0, load(null, Map.of()).rtp().webrtcPort(), "a port pair per leg unless asked");
        assertEquals(49000, load("[RTP]\nwebrtc_port = 49000\n", Map.of()).rtp().webrtcPort());
        assertEquals(dir.resolve("config.ini") + ": [RTP] webrtc_port = '50100': must be outside port_range 50000:50500",
                error("[RTP]\nwebrtc_port = 50100\n").getMessage());
        assertTrue(error("[RTP]\nwebrtc_port = 80\n").getMessage().contains("[RTP] webrtc_port = '80': expected 0"));
        assertTrue(error("[RTP]\nwebrtc_port = 70000\n").getMessage().contains("[RTP] webrtc_port = '70000'"));
    }

    /** Ours (issue 13): the shared port's threads, one per core unless set. */
    @Test
    void theWebRtcPortHasAThreadPerCoreByDefault() throws Exception {
        assertEquals(Runtime.getRuntime().availableProcessors(), load(null, Map.of()).rtp().webrtcThreads());
        assertEquals(Runtime.getRuntime().availableProcessors(),
                load("[RTP]\nwebrtc_threads = 0\n", Map.of()).rtp().webrtcThreads());
        assertEquals(3, load("[RTP]\nwebrtc_threads = 3\n", Map.of()).rtp().webrtcThreads());
        assertTrue(error("[RTP]\nwebrtc_threads = -1\n").getMessage().contains("[RTP] webrtc_threads = '-1'"));
    }

    /** Ours (issue 13): the legs' own sockets on io_uring only when asked for. */
    @Test
    void theWebRtcLegsUseIoUringOnlyWhenAskedFor() throws Exception {
        assertFalse(load(null, Map.of()).rtp().webrtcIoUring());
        assertTrue(load("[RTP]\nwebrtc_io_uring = true\n", Map.of()).rtp().webrtcIoUring());
        assertTrue(error("[RTP]\nwebrtc_io_uring = maybe\n").getMessage().contains("[RTP] webrtc_io_uring = 'maybe'"));
    }

    @Test
    void tcpAndTlsPortsMustDiffer_spec1_3() throws Exception {
        assertTrue(error("[SIP]\nlocal_tcp_port = 5070\nlocal_tls_port = 5070\n").getMessage()
                .contains("[SIP] local_tls_port = '5070': TCP and TLS ports must differ"));
        ServerConfig anyFree = load("[SIP]\nlocal_tcp_port = 0\nlocal_tls_port = 0\n", Map.of());
        assertEquals(OptionalInt.of(0), anyFree.sip().tlsPort());
    }

    @Test
    void booleansAcceptTheUsualSpellings_spec8() throws Exception {
        for (String yes : List.of("true", "True", "yes", "on", "1")) {
            assertTrue(load("[Server]\ntrace_msrp = " + yes + "\n", Map.of()).server().traceMsrp(), yes);
        }
        for (String no : List.of("false", "FALSE", "no", "off", "0")) {
            assertFalse(load("[MSRP]\nuse_tls = " + no + "\n", Map.of()).msrp().useTls(), no);
        }
    }

    /** Issue 11: the MSRP listener's limits, their defaults, and values that would disable a timeout refused. */
    @Test
    void msrpLimits() throws Exception {
        ServerConfig.Msrp defaults = load("", Map.of()).msrp();
        assertEquals(new ServerConfig.Msrp(true, new org.sylkserver.media.msrp.MsrpServer.Limits(1000, 50,
                java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(30), java.time.Duration.ZERO,
                16 * 1024 * 1024, java.time.Duration.ofSeconds(30))), defaults);
        ServerConfig.Msrp set = load("[MSRP]\nmax_connections = 20\nmax_connections_per_address = 2\n"
                + "handshake_timeout = 2.5\nbind_timeout = 5\nidle_timeout = 600\nsend_queue_size = 1024\n"
                + "write_timeout = 7\n", Map.of()).msrp();
        assertEquals(new ServerConfig.Msrp(true, new org.sylkserver.media.msrp.MsrpServer.Limits(20, 2,
                java.time.Duration.ofMillis(2500), java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(600),
                1024 * 1024, java.time.Duration.ofSeconds(7))), set);
        assertTrue(error("[MSRP]\nbind_timeout = 0\n").getMessage().contains("bind_timeout"));
        assertTrue(error("[MSRP]\nmax_connections = 0\n").getMessage().contains("max_connections"));
    }

    @Test
    void everyOptionOfSection8_1IsRead() throws Exception {
        ServerConfig config = load("""
                [Server]
                ca_file = /etc/sylkserver/tls/ca.crt
                certificate = tls/mine.crt
                verify_server = true
                enable_bonjour = yes
                default_application = echo
                extra_applications_dir = /opt/apps
                trace_dir = /tmp/traces
                trace_dns = 1
                trace_msrp = on
                trace_core = true
                trace_notifications = yes
                spool_dir = /srv/sylk
                log_level = WARNING

                [SIP]
                local_ip = ::1
                advertised_ip = 203.0.113.5
                local_tcp_port =
                local_tls_port = 5071
                outbound_proxy = 192.0.2.1
                enable_ice = true

                [RTP]
                audio_codecs = PCMU , speex,GSM
                srtp_encryption = sdes
                timeout = 0
                sample_rate = 16000

                [WebServer]
                local_ip = 127.0.0.1
                local_port = 0
                public_port = 443
                certificate = /etc/ssl/web.pem
                certificate_chain = /etc/ssl/chain.pem
                hostname = webrtc.example.com
                """, Map.of());
        ServerConfig.Server server = config.server();
        assertEquals(Path.of("/etc/sylkserver/tls/ca.crt"), server.caFile());
        assertEquals(dir.resolve("tls/mine.crt"), server.certificate());
        assertTrue(server.verifyServer() && server.enableBonjour());
        assertEquals("echo", server.defaultApplication());
        assertEquals(Path.of("/opt/apps"), server.extraApplicationsDir());
        assertEquals(Path.of("/tmp/traces"), server.traceDir());
        assertTrue(server.traceDns() && server.traceMsrp() && server.traceCore() && server.traceNotifications());
        assertFalse(server.traceSip());
        assertEquals(Path.of("/srv/sylk"), server.spoolDir());
        assertEquals("warning", server.logLevel());
        assertEquals(InetAddress.getByName("::1"), config.sip().localIp());
        assertEquals(InetAddress.getByName("203.0.113.5"), config.sip().advertisedIp());
        assertEquals(OptionalInt.empty(), config.sip().tcpPort());
        assertEquals(OptionalInt.of(5071), config.sip().tlsPort());
        assertEquals(new ServerConfig.OutboundProxy("192.0.2.1", 0, "udp"), config.sip().outboundProxy());
        assertTrue(config.sip().enableIce());
        assertEquals(List.of("PCMU", "speex", "GSM"), config.rtp().audioCodecs());
        assertEquals("sdes", config.rtp().srtpEncryption());
        assertEquals(0, config.rtp().timeout());
        assertEquals(16000, config.rtp().sampleRate());
        ServerConfig.WebServer web = config.webServer();
        assertEquals(InetAddress.getByName("127.0.0.1"), web.localIp());
        assertEquals(0, web.localPort());
        assertEquals(OptionalInt.of(443), web.publicPort());
        assertEquals(Path.of("/etc/ssl/web.pem"), web.certificate());
        assertEquals(Path.of("/etc/ssl/chain.pem"), web.certificateChain());
        assertEquals("webrtc.example.com", web.hostname());
    }

    /** Spec §8.1: links use {@code <http|https>://<hostname or ip>:<public_port or actual port>}. */
    @Test
    void theWebBaseUrlComesFromHostnameAddressAndPorts_spec8_1() throws Exception {
        assertEquals("http://192.0.2.7:10888", load("[SIP]\nlocal_ip = 192.0.2.7\n", Map.of()).webBaseUrl(),
                "the SIP address when the web server binds every interface, the connector's port");
        assertEquals("http://127.0.0.1:18088", load("[SIP]\nlocal_ip = 192.0.2.7\n[WebServer]\nlocal_ip = 127.0.0.1\n"
                + "local_port = 18088\n", Map.of()).webBaseUrl());
        assertEquals("http://[0:0:0:0:0:0:0:1]:10888", load("[WebServer]\nlocal_ip = ::1\n", Map.of()).webBaseUrl());
        assertEquals("http://sylk.example.com:443", load("[WebServer]\nlocal_ip = 127.0.0.1\nhostname = sylk.example.com\n"
                + "public_port = 443\n", Map.of()).webBaseUrl(), "hostname and public port win");
        assertEquals("https://sylk.example.com:443", load("[WebServer]\nhostname = sylk.example.com\npublic_port = 443\n"
                + "certificate = /etc/sylkserver/web.pem\n", Map.of()).webBaseUrl(), "a certificate makes the links https");
    }

    @Test
    void localIpAnyOrEmptyMeansTheDefaultRoutesAddress_spec8_1() throws Exception {
        InetAddress route = ServerConfig.defaultRouteAddress();
        assertEquals(route, load("[SIP]\nlocal_ip = any\n", Map.of()).sip().localIp());
        assertEquals(route, load("[SIP]\nlocal_ip =\n", Map.of()).sip().localIp());
    }

    @Test
    void applicationMapKeepsFileOrderAndCannotBeChanged() throws Exception {
        Map<String, String> map = load("[Server]\napplication_map = b:echo, a:playback, c@d:conference\n", Map.of())
                .server().applicationMap();
        assertEquals(List.of("b", "a", "c@d"), List.copyOf(map.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> map.put("x", "echo"));
        assertTrue(error("[Server]\napplication_map = echo:\n").getMessage().contains("application_map = 'echo:'"));
        assertTrue(error("[Server]\napplication_map = :echo\n").getMessage().contains("application_map = ':echo'"));
        assertTrue(error("[Server]\napplication_map = a b:echo\n").getMessage().contains("application_map = 'a b:echo'"));
    }

    @Test
    void overridesReplaceFileValuesAndTheirErrorsSayTheyAreOverrides() throws Exception {
        ServerConfig config = load("[SIP]\nlocal_udp_port = 5070\n",
                Map.of("SIP.local_udp_port", "", "RTP.timeout", "5", "Server.application_map", "x:echo"));
        assertEquals(OptionalInt.empty(), config.sip().udpPort());
        assertEquals(5, config.rtp().timeout());
        assertEquals(Map.of("x", "echo"), config.server().applicationMap());
        ConfigException e = assertThrows(ConfigException.class,
                () -> load(null, Map.of("SIP.local_tls_port", "tls")));
        assertEquals(dir.resolve("config.ini") + " (override): [SIP] local_tls_port = 'tls': not a port number (0-65535)",
                e.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> load(null, Map.of("local_tls_port", "1")))
                .getMessage().contains("expected Section.option"));
    }

    @Test
    void unknownSectionsAndOptionsAreLoggedNotFatal() throws Exception {
        try (LogCapture log = new LogCapture()) {
            load("[Server]\nlog_levl = debug\n[Thor]\nnodes = a\n", Map.of());
            assertTrue(log.contains("unknown section [Thor]"), log.messages().toString());
            assertTrue(log.contains("unknown option 'log_levl' in [Server]"), log.messages().toString());
        }
    }

    @Test
    void iniSyntaxFollowsConfigparser() throws Exception {
        ServerConfig config = load("""
                # hash comment
                [Server]
                Default_Application: playback
                application_map = echo:echo,
                    playback:playback
                  ; indented comment
                disabled_applications = a, b

                [SIP]
                outbound_proxy = proxy.example.com;transport=tls
                """, Map.of());
        assertEquals("playback", config.server().defaultApplication());
        assertEquals(Map.of("echo", "echo", "playback", "playback"), config.server().applicationMap());
        assertEquals(List.of("a", "b"), config.server().disabledApplications());
        assertEquals(new ServerConfig.OutboundProxy("proxy.example.com", 0, "tls"), config.sip().outboundProxy());
    }

    @Test
    void malformedLinesAreReportedWithTheLineNumber() {
        assertEquals(dir.resolve("config.ini") + ":2: expected 'option = value', got 'just words'",
                error("[Server]\njust words\n").getMessage());
        assertTrue(error("trace_sip = true\n").getMessage().contains(":1: option 'trace_sip' outside of any [Section]"));
        assertTrue(error("[Server\n").getMessage().contains(":1: malformed section header"));
    }

    /**
     * Spec §8.1: a bad value stops start-up with a message naming file, section, option and value. A path with a
     * NUL byte (found by ConfigFuzzTest) escaped as InvalidPathException instead.
     */
    @Test
    void pathThatNoFileSystemCanNameIsAConfigError_spec8_1() {
        ConfigException e = error("[Server]\nspool_dir = spool\u0000dir\n");
        assertTrue(e.getMessage().contains("[Server] spool_dir") && e.getMessage().contains("not a valid path"),
                e.getMessage());
    }
}
