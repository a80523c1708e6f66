package org.sylkserver.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.LogCapture;

/** The shipped conf/config.ini.sample lists the options of spec §8.1 this server reads, with their real defaults. */
class SampleConfigTest {

    private static final Pattern COMMENTED_OPTION = Pattern.compile("(?m)^; ([a-z_]+) =");

    @TempDir
    Path dir;

    @Test
    void uncommentingEveryOptionOfTheSampleChangesNothing_spec8_1() throws Exception {
        String sample = Files.readString(Path.of("../conf/config.ini.sample"));
        ServerConfig defaults = ServerConfig.load(dir, dir.resolve("var"), Map.of());
        Files.writeString(dir.resolve("config.ini"), COMMENTED_OPTION.matcher(sample).replaceAll("$1 ="));
        ServerConfig fromSample;
        try (LogCapture log = new LogCapture()) {
            fromSample = ServerConfig.load(dir, dir.resolve("var"), Map.of());
            assertEquals(List.of(), log.messages(), "every option of the sample is known");
        }
        assertEquals(defaults.server(), fromSample.server());
        assertEquals(withoutPeers(defaults.sip()), withoutPeers(fromSample.sip()));
        assertEquals(defaults.sip().trustedPeers().toString(), fromSample.sip().trustedPeers().toString());
        assertEquals(defaults.msrp(), fromSample.msrp());
        assertEquals(defaults.rtp(), fromSample.rtp());
        assertEquals(defaults.webServer(), fromSample.webServer());
    }

    @Test
    void theSampleListsEveryOptionOfSection8_1() throws Exception {
        Map<String, List<String>> spec = new LinkedHashMap<>();
        spec.put("Server", List.of("ca_file", "certificate", "verify_server", "enable_bonjour", "default_application",
                "application_map", "disabled_applications", "extra_applications_dir", "trace_dir", "trace_dns",
                "trace_sip", "trace_msrp", "trace_core", "trace_notifications", "log_level", "spool_dir"));
        spec.put("SIP", List.of("local_ip", "advertised_ip", "local_udp_port", "local_tcp_port", "local_tls_port",
                "outbound_proxy", "trusted_peers", "enable_ice", "tcp_max_connections", "tcp_max_connections_per_address",
                "tcp_idle_timeout", "tls_handshake_timeout"));
        spec.put("MSRP", List.of("use_tls",
                // ours (issue 11): the listener's limits
                "max_connections", "max_connections_per_address", "handshake_timeout", "bind_timeout",
                "idle_timeout", "send_queue_size", "write_timeout"));
        spec.put("RTP", List.of("audio_codecs", "port_range", "srtp_encryption", "timeout", "sample_rate",
                "latch_any_source", "max_streams_per_call", "max_streams_per_address", "webrtc_port",
                "webrtc_threads", "webrtc_io_uring"));
        spec.put("WebServer", List.of("local_ip", "local_port", "public_port", "certificate", "certificate_chain",
                "hostname"));
        Map<String, Set<String>> sample = new LinkedHashMap<>();
        String section = null;
        for (String line : Files.readAllLines(Path.of("../conf/config.ini.sample"))) {
            if (line.startsWith("[")) {
                section = line.substring(1, line.indexOf(']'));
                sample.put(section, new TreeSet<>());
            }
            Matcher option = COMMENTED_OPTION.matcher(line);
            if (option.find()) {
                sample.get(section).add(option.group(1));
            }
        }
        assertEquals(spec.keySet(), sample.keySet());
        spec.forEach((name, options) -> assertEquals(new TreeSet<>(options), sample.get(name), name));
    }

    private static ServerConfig.Sip withoutPeers(ServerConfig.Sip sip) {
        return new ServerConfig.Sip(sip.localIp(), sip.advertisedIp(), sip.udpPort(), sip.tcpPort(), sip.tlsPort(),
                sip.outboundProxy(), null, sip.enableIce(), sip.connections());
    }
}
