package org.sylkserver.core.config;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The server configuration, {@code config.ini} (spec §8.1), with the original's sections, option names and
 * code defaults. Paths that default under {@code /var} in the original default under the server's var
 * directory instead, because this server runs from its checkout unless told otherwise.
 *
 * @param file      the file read (it may not exist: then every option has its default)
 * @param server    {@code [Server]}
 * @param sip       {@code [SIP]}
 * @param msrp      {@code [MSRP]}
 * @param rtp       {@code [RTP]}
 * @param webServer {@code [WebServer]}
 */
public record ServerConfig(Path file, Server server, Sip sip, Msrp msrp, Rtp rtp, WebServer webServer) {

    private static final Logger LOG = Logger.getLogger("sylk.core");

    /** Codec names allowed in {@code [RTP] audio_codecs} (spec §1.3). */
    public static final Set<String> AUDIO_CODECS = Set.of("opus", "G722", "speex", "PCMU", "PCMA", "iLBC", "GSM");

    /**
     * {@code [Server]}.
     *
     * @param applicationMap request-URI key ({@code user@host}, {@code host} or {@code user}) → application, in file order
     */
    public record Server(Path caFile, Path certificate, boolean verifyServer, boolean enableBonjour,
                         String defaultApplication, Map<String, String> applicationMap,
                         List<String> disabledApplications, Path extraApplicationsDir, Path traceDir,
                         boolean traceDns, boolean traceSip, boolean traceMsrp, boolean traceCore,
                         boolean traceNotifications, String logLevel, Path spoolDir) {
    }

    /**
     * {@code [SIP]}; a disabled transport has an empty port.
     *
     * @param localIp      address the SIP transports bind to (the default route's address when not configured)
     * @param advertisedIp address to put in SDP instead of {@code localIp}, or {@code null}
     */
    public record Sip(InetAddress localIp, InetAddress advertisedIp, OptionalInt udpPort, OptionalInt tcpPort,
                      OptionalInt tlsPort, OutboundProxy outboundProxy, TrustedPeers trustedPeers, boolean enableIce) {
    }

    /** {@code [SIP] outbound_proxy}: {@code host[:port][;transport=udp|tcp|tls]}; {@code port} 0 when not given. */
    public record OutboundProxy(String host, int port, String transport) {
    }

    /** {@code [MSRP]}. */
    public record Msrp(boolean useTls) {
    }

    /** {@code [RTP]}. */
    public record Rtp(List<String> audioCodecs, int portStart, int portEnd, String srtpEncryption, int timeout,
                      int sampleRate) {
    }

    /**
     * {@code [WebServer]}.
     *
     * @param localIp the address the web server binds to; {@code null} binds every interface
     */
    public record WebServer(InetAddress localIp, int localPort, OptionalInt publicPort, Path certificate,
                            Path certificateChain, String hostname) {
    }

    /**
     * Reads {@code <configDir>/config.ini} (absent: defaults) and applies {@code overrides}, keys written
     * {@code Section.option}, on top.
     */
    public static ServerConfig load(Path configDir, Path varDir, Map<String, String> overrides) throws ConfigException {
        Path path = configDir.resolve("config.ini");
        IniFile ini = IniFile.read(path);
        for (Map.Entry<String, String> override : overrides.entrySet()) {
            String key = override.getKey();
            int dot = key.indexOf('.');
            if (dot < 1) {
                throw new ConfigException("override '" + key + "': expected Section.option");
            }
            ini.put(key.substring(0, dot), key.substring(dot + 1), override.getValue());
        }
        Path spoolDefault = varDir.resolve("spool/sylkserver");
        Path traceDefault = varDir.resolve("log/sylkserver");

        SectionReader s = new SectionReader(ini, "Server");
        Server server = new Server(
                s.path("ca_file", configDir, configDir.resolve("tls/ca.crt")),
                s.path("certificate", configDir, null),
                s.bool("verify_server", false),
                s.bool("enable_bonjour", false),
                s.string("default_application", "conference"),
                applicationMap(s),
                s.list("disabled_applications", List.of()),
                s.path("extra_applications_dir", configDir, null),
                s.path("trace_dir", configDir, traceDefault),
                s.bool("trace_dns", false), s.bool("trace_sip", false), s.bool("trace_msrp", false),
                s.bool("trace_core", false), s.bool("trace_notifications", false),
                s.choice("log_level", "info", Set.of("debug", "info", "warning", "error", "critical")),
                s.path("spool_dir", configDir, spoolDefault));

        SectionReader p = new SectionReader(ini, "SIP");
        InetAddress localIp = p.ipAddress("local_ip");
        Sip sip = new Sip(localIp != null ? localIp : defaultRouteAddress(), p.ipAddress("advertised_ip"),
                p.optionalPort("local_udp_port", 5060), p.optionalPort("local_tcp_port", 5060),
                p.optionalPort("local_tls_port", 5061), outboundProxy(p),
                TrustedPeers.parse(p.string("trusted_peers", "any"), p::error),
                p.bool("enable_ice", false));
        if (sip.tcpPort().isPresent() && sip.tcpPort().equals(sip.tlsPort())) {
            throw p.error("local_tls_port", String.valueOf(sip.tlsPort().getAsInt()), "TCP and TLS ports must differ");
        }

        SectionReader m = new SectionReader(ini, "MSRP");
        Msrp msrp = new Msrp(m.bool("use_tls", true));

        SectionReader r = new SectionReader(ini, "RTP");
        List<String> codecs = r.list("audio_codecs", List.of("opus", "G722", "PCMA", "PCMU"));
        for (String codec : codecs) {
            if (!AUDIO_CODECS.contains(codec)) {
                throw r.error("audio_codecs", String.join(",", codecs), "unknown codec '" + codec
                        + "' (allowed: opus, G722, speex, PCMU, PCMA, iLBC, GSM)");
            }
        }
        int[] range = portRange(r);
        Rtp rtp = new Rtp(codecs, range[0], range[1],
                r.choice("srtp_encryption", "opportunistic", Set.of("disabled", "sdes", "zrtp", "opportunistic")),
                r.integer("timeout", 30, 0, 86400),
                r.integer("sample_rate", 48000, 8000, 48000));

        SectionReader w = new SectionReader(ini, "WebServer");
        String publicPort = w.raw("public_port");
        WebServer web = new WebServer(w.ipAddress("local_ip"), w.port("local_port", 10888),
                publicPort == null || publicPort.isBlank() ? OptionalInt.empty() : OptionalInt.of(w.port("public_port", 0)),
                w.path("certificate", configDir, null), w.path("certificate_chain", configDir, null),
                w.string("hostname", ""));

        for (SectionReader section : List.of(s, p, m, r, w)) {
            for (String option : section.unknownOptions()) {
                LOG.warning(path + ": unknown option '" + option + "' ignored");
            }
        }
        return new ServerConfig(path, server, sip, msrp, rtp, web);
    }

    private static Map<String, String> applicationMap(SectionReader s) throws ConfigException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : s.list("application_map", List.of("echo:echo"))) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw s.error("application_map", entry, "entries must be KEY:APPLICATION");
            }
            map.put(entry.substring(0, colon).strip(), entry.substring(colon + 1).strip());
        }
        return map;
    }

    private static OutboundProxy outboundProxy(SectionReader p) throws ConfigException {
        String value = p.raw("outbound_proxy");
        if (value == null || value.isBlank()) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?:sips?:)?([A-Za-z0-9.\\-]+|\\[[0-9a-fA-F:.]+\\])(?::(\\d{1,5}))?(?:;transport=(udp|tcp|tls))?",
                        java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(value.strip());
        if (!m.matches()) {
            throw p.error("outbound_proxy", value, "expected host[:port][;transport=udp|tcp|tls]");
        }
        int port = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        if (port > 65535) {
            throw p.error("outbound_proxy", value, "port out of range");
        }
        return new OutboundProxy(m.group(1), port, m.group(3) == null ? "udp" : m.group(3).toLowerCase(java.util.Locale.ROOT));
    }

    private static int[] portRange(SectionReader r) throws ConfigException {
        String value = r.string("port_range", "50000:50500");
        String[] parts = value.split(":");
        try {
            if (parts.length == 2) {
                int start = Integer.parseInt(parts[0].strip());
                int end = Integer.parseInt(parts[1].strip());
                if (start % 2 == 0 && end % 2 == 0 && start >= 1024 && end <= 65536 && start < end) {
                    return new int[] {start, end};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw r.error("port_range", value, "expected START:END, even numbers in [1024, 65536], START < END");
    }

    /** The address this host uses to reach the internet; loopback when there is no route (nothing is sent). */
    static InetAddress defaultRouteAddress() {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}), 9));
            InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) {
                return local;
            }
        } catch (IOException e) {
            // no route: fall through
        }
        return InetAddress.getLoopbackAddress();
    }
}
