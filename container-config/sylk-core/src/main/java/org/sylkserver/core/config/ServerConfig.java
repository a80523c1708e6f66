package org.sylkserver.core.config;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.media.srtp.SrtpPolicy;

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

    /** The sample rates the original's audio engine accepts. */
    private static final Set<Integer> SAMPLE_RATES = Set.of(16000, 32000, 44100, 48000);

    /** Sections of config.ini this server reads, in the order of the readers in {@link #load}. */
    private static final List<String> KNOWN_SECTIONS = List.of("Server", "SIP", "MSRP", "RTP", "WebServer");

    private static final Pattern OUTBOUND_PROXY = Pattern.compile(
            "(?:sips?:)?([A-Za-z0-9.\\-]+|\\[[0-9a-fA-F:.]+\\])(?::(\\d{1,5}))?(?:;transport=(udp|tcp|tls))?",
            Pattern.CASE_INSENSITIVE);

    /**
     * {@code [Server]}.
     *
     * @param certificate          PEM file with certificate and key for TLS, or {@code null}: a self-signed one
     *                             in {@code <spool_dir>/tls} is used
     * @param defaultApplication   application for requests nothing else routes (spec §2.1)
     * @param applicationMap       Request-URI key ({@code user@host}, {@code host} or {@code user}) → application,
     *                             in file order, unmodifiable
     * @param disabledApplications applications not started
     * @param extraApplicationsDir {@code null} when not set
     * @param logLevel             one of debug, info, warning, error, critical
     * @param spoolDir             the server's data ({@code <varDir>/spool/sylkserver} by default)
     */
    public record Server(Path caFile, Path certificate, boolean verifyServer, boolean enableBonjour,
                         String defaultApplication, Map<String, String> applicationMap,
                         List<String> disabledApplications, Path extraApplicationsDir, Path traceDir,
                         boolean traceDns, boolean traceSip, boolean traceMsrp, boolean traceCore,
                         boolean traceNotifications, String logLevel, Path spoolDir) {
    }

    /**
     * {@code [SIP]}; a disabled transport (option set to nothing) has an empty port, port 0 asks for any free port.
     *
     * @param localIp      address the SIP transports bind to (the default route's address when not configured)
     * @param advertisedIp address to put in SDP instead of {@code localIp}, or {@code null}
     * @param connections  limits on SIP over TCP and TLS (ours)
     */
    public record Sip(InetAddress localIp, InetAddress advertisedIp, OptionalInt udpPort, OptionalInt tcpPort,
                      OptionalInt tlsPort, OutboundProxy outboundProxy, TrustedPeers trustedPeers, boolean enableIce,
                      SipConnections connections) {
    }

    /**
     * {@code [SIP] outbound_proxy}: {@code host[:port][;transport=udp|tcp|tls]}.
     *
     * @param port      0 when not given (then 5060, or RFC 3263 lookups of a bare host name)
     * @param transport {@code udp}, {@code tcp} or {@code tls}; {@code udp} when not given
     */
    public record OutboundProxy(String host, int port, String transport) {

        /** Sends {@code request} through this proxy: a loose-route Route header (RFC 3261 §16.12). */
        public void route(javax.servlet.sip.SipFactory factory, javax.servlet.sip.SipServletRequest request) {
            javax.servlet.sip.SipURI route = factory.createSipURI(null, host);
            if (port > 0) {
                route.setPort(port);
            }
            route.setTransportParam(transport);
            route.setLrParam(true);
            request.pushRoute(route);
        }
    }

    /**
     * {@code [MSRP]}: the transport, and what one peer may cost the MSRP listener (issue 11: {@code max_connections},
     * {@code max_connections_per_address}, {@code handshake_timeout}, {@code bind_timeout}, {@code idle_timeout},
     * {@code send_queue_size} in KiB, {@code write_timeout}).
     */
    public record Msrp(boolean useTls, MsrpServer.Limits limits) {
    }
    /**
     * {@code [RTP]}.
     *
     * @param portStart      first RTP port (even)
     * @param portEnd        end of the RTP port range (even, greater than {@code portStart})
     * @param srtpEncryption one of disabled, sdes, zrtp, opportunistic
     * @param timeout        seconds without RTP after which a call is ended
     * @param policy         latching and stream limits (ours: {@code latch_any_source}, {@code max_streams_per_call},
     *                       {@code max_streams_per_address})
     * @param webrtcPort     the one UDP port of every video room leg ({@code webrtc_port}, ours), 0 for a port pair of
     *                       the range per leg
     * @param webrtcThreads  threads (and {@code SO_REUSEPORT} sockets) reading and writing {@code webrtc_port}, or
     *                       with {@code webrtcIoUring} the legs' own sockets ({@code webrtc_threads}, ours; 0 there
     *                       gives one per core; Linux only)
     * @param webrtcIoUring  whether the legs' own sockets (no {@code webrtc_port}) go through Linux's io_uring where
     *                       the kernel allows it ({@code webrtc_io_uring}, ours, off by default: it did not pay in
     *                       the video rooms' benchmark, docs/benchmarks.md, issue 13, session 24)
     */
    public record Rtp(List<String> audioCodecs, int portStart, int portEnd, String srtpEncryption, int timeout,
                      int sampleRate, RtpPolicy policy, int webrtcPort, int webrtcThreads, boolean webrtcIoUring) {

        /** {@code srtp_encryption} as the media engine's policy. */
        public SrtpPolicy srtpPolicy() {
            return SrtpPolicy.of(srtpEncryption);
        }
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
     * The base of every link the server publishes (spec §8.1): {@code http://<hostname or address>:<public_port or
     * local_port>}, the address being {@code [WebServer] local_ip} or, when the web server binds every interface,
     * {@code [SIP] local_ip}; {@code https} when {@code [WebServer] certificate} is set, as the connector then speaks
     * only TLS. With {@code local_port = 0} and no {@code public_port} the port is unknown here and links carry 0.
     */
    public String webBaseUrl() {
        InetAddress address = webServer.localIp() != null && !webServer.localIp().isAnyLocalAddress()
                ? webServer.localIp() : sip.localIp();
        String host = !webServer.hostname().isEmpty() ? webServer.hostname()
                : address instanceof java.net.Inet6Address ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        return (webServer.certificate() != null ? "https://" : "http://") + host + ":"
                + webServer.publicPort().orElse(webServer.localPort());
    }

    /**
     * Reads {@code <configDir>/config.ini} (absent: every option has its default) and applies {@code overrides},
     * keys written {@code Section.option} (e.g. {@code SIP.local_udp_port}), on top. Default paths that the
     * original puts under {@code /var} go under {@code varDir}; relative paths in the file are relative to
     * {@code configDir}. Unknown sections and options are logged and ignored.
     *
     * @throws ConfigException naming file, section, option and value of the first bad setting
     */
    public static ServerConfig load(Path configDir, Path varDir, Map<String, String> overrides) throws ConfigException {
        Path path = configDir.resolve("config.ini");
        IniFile ini = IniFile.read(path);
        for (Map.Entry<String, String> override : overrides.entrySet()) {
            String key = override.getKey();
            int dot = key.indexOf('.');
            if (dot < 1 || dot == key.length() - 1) {
                throw new ConfigException(path + ": override '" + key + "': expected Section.option");
            }
            ini.put(key.substring(0, dot), key.substring(dot + 1), override.getValue());
        }

        SectionReader s = new SectionReader(ini, "Server");
        Server server = new Server(
                s.path("ca_file", configDir, configDir.resolve("tls/ca.crt")),
                s.path("certificate", configDir, null),
                s.bool("verify_server", false),
                s.bool("enable_bonjour", false),
                s.string("default_application", "conference").strip(),
                applicationMap(s),
                s.list("disabled_applications", List.of()),
                s.path("extra_applications_dir", configDir, null),
                s.path("trace_dir", configDir, varDir.resolve("log/sylkserver")),
                s.bool("trace_dns", false), s.bool("trace_sip", false), s.bool("trace_msrp", false),
                s.bool("trace_core", false), s.bool("trace_notifications", false),
                s.choice("log_level", "info", Set.of("debug", "info", "warning", "error", "critical")),
                s.path("spool_dir", configDir, varDir.resolve("spool/sylkserver")));

        SectionReader p = new SectionReader(ini, "SIP");
        InetAddress localIp = p.ipAddress("local_ip");
        Sip sip = new Sip(localIp != null ? localIp : defaultRouteAddress(), p.ipAddress("advertised_ip"),
                p.optionalPort("local_udp_port", 5060), p.optionalPort("local_tcp_port", 5060),
                p.optionalPort("local_tls_port", 5061), outboundProxy(p, "outbound_proxy"),
                TrustedPeers.parse(p.string("trusted_peers", "any"), p::error),
                p.bool("enable_ice", false), SipConnections.read(p));
        // port 0 means "any free port", so two zeros do not collide
        if (sip.tcpPort().isPresent() && sip.tcpPort().getAsInt() != 0 && sip.tcpPort().equals(sip.tlsPort())) {
            throw p.error("local_tls_port", String.valueOf(sip.tlsPort().getAsInt()),
                    "TCP and TLS ports must differ (local_tcp_port is the same)");
        }

        SectionReader m = new SectionReader(ini, "MSRP");
        MsrpServer.Limits limits = MsrpServer.Limits.DEFAULTS;
        Msrp msrp = new Msrp(m.bool("use_tls", true), new MsrpServer.Limits(
                m.integer("max_connections", limits.maxConnections(), 1, 1_000_000),
                m.integer("max_connections_per_address", limits.maxConnectionsPerAddress(), 1, 1_000_000),
                positive(m, "handshake_timeout", limits.handshakeTimeout()),
                positive(m, "bind_timeout", limits.bindTimeout()),
                m.seconds("idle_timeout", limits.idleTimeout()),
                m.integer("send_queue_size", limits.sendQueueBytes() / 1024, 64, 4 * 1024 * 1024) * 1024,
                positive(m, "write_timeout", limits.writeTimeout())));

        SectionReader r = new SectionReader(ini, "RTP");
        List<String> codecs = r.list("audio_codecs", List.of("opus", "G722", "speex", "PCMU", "PCMA"));
        for (String codec : codecs) {
            if (!AUDIO_CODECS.contains(codec)) {
                throw r.error("audio_codecs", String.join(",", codecs), "unknown codec '" + codec
                        + "' (allowed: opus, G722, speex, PCMU, PCMA, iLBC, GSM)");
            }
        }
        if (codecs.isEmpty()) {
            throw r.error("audio_codecs", "", "at least one codec is needed");
        }
        int[] range = portRange(r);
        int sampleRate = r.integer("sample_rate", 48000, 0, Integer.MAX_VALUE);
        if (!SAMPLE_RATES.contains(sampleRate)) {
            throw r.error("sample_rate", String.valueOf(sampleRate), "must be one of 16000, 32000, 44100, 48000");
        }
        Rtp rtp = new Rtp(codecs, range[0], range[1],
                r.choice("srtp_encryption", "opportunistic", Set.of("disabled", "sdes", "zrtp", "opportunistic")),
                r.integer("timeout", 30, 0, 86400), sampleRate,
                new RtpPolicy(r.bool("latch_any_source", RtpPolicy.DEFAULTS.latchAnySource()),
                        r.integer("max_streams_per_call", RtpPolicy.DEFAULTS.maxStreamsPerCall(), 0, 10000),
                        r.integer("max_streams_per_address", RtpPolicy.DEFAULTS.maxStreamsPerAddress(), 0, 100000)),
                webrtcPort(r, range),
                webrtcThreads(r),
                r.bool("webrtc_io_uring", false));

        SectionReader w = new SectionReader(ini, "WebServer");
        WebServer web = new WebServer(w.ipAddress("local_ip"), w.port("local_port", 10888), w.optionalPort("public_port"),
                w.path("certificate", configDir, null), w.path("certificate_chain", configDir, null),
                w.string("hostname", "").strip());

        List<SectionReader> known = List.of(s, p, m, r, w);
        for (String section : ini.sectionNames()) {
            if (!KNOWN_SECTIONS.contains(section)) {
                LOG.warning(path + ": unknown section [" + section + "] ignored");
            }
        }
        for (int i = 0; i < known.size(); i++) {
            for (String option : known.get(i).unknownOptions()) {
                LOG.warning(path + ": unknown option '" + option + "' in [" + KNOWN_SECTIONS.get(i) + "] ignored");
            }
        }
        return new ServerConfig(path, server, sip, msrp, rtp, web);
    }

    /** {@code KEY:APP} pairs in file order; a later pair for the same key wins, as in the original's dict. */
    private static Map<String, String> applicationMap(SectionReader s) throws ConfigException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : s.list("application_map", List.of("echo:echo"))) {
            int colon = entry.lastIndexOf(':');
            String key = colon < 0 ? "" : entry.substring(0, colon).strip();
            String application = colon < 0 ? "" : entry.substring(colon + 1).strip();
            if (key.isEmpty() || application.isEmpty() || key.chars().anyMatch(Character::isWhitespace)
                    || application.chars().anyMatch(Character::isWhitespace)) {
                throw s.error("application_map", entry, "entries must be KEY:APPLICATION (KEY is user@host, host or user)");
            }
            map.put(key, application);
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * An outbound proxy option ({@code [SIP] outbound_proxy}, {@code webrtcgateway.ini [General]
     * outbound_sip_proxy}): {@code [sip:]host[:port][;transport=udp|tcp|tls]}, or {@code null} when unset.
     */
    public static OutboundProxy outboundProxy(SectionReader p, String option) throws ConfigException {
        String value = p.raw(option);
        if (value == null || value.isBlank()) {
            return null;
        }
        Matcher m = OUTBOUND_PROXY.matcher(value.strip());
        if (!m.matches()) {
            throw p.error(option, value, "expected host[:port][;transport=udp|tcp|tls]");
        }
        int port = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        if (m.group(2) != null && (port < 1 || port > 65535)) {
            throw p.error(option, value, "port must be 1-65535");
        }
        return new OutboundProxy(m.group(1), port, m.group(3) == null ? "udp" : m.group(3).toLowerCase(Locale.ROOT));
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

    /** {@code [RTP] webrtc_port}: 0 (off) or a port outside {@code port_range}, which the per-leg sockets use. */
    private static int webrtcPort(SectionReader r, int[] range) throws ConfigException {
        int port = r.port("webrtc_port", 0);
        if (port != 0 && port < 1024) {
            throw r.error("webrtc_port", r.raw("webrtc_port"), "expected 0 (off) or a port in [1024, 65535]");
        }
        if (port >= range[0] && port < range[1]) {
            throw r.error("webrtc_port", r.raw("webrtc_port"), "must be outside port_range " + range[0] + ":" + range[1]);
        }
        return port;
    }

    /** {@code [RTP] webrtc_threads}: 1 to 256, or 0 (the default) for one per core. */
    private static int webrtcThreads(SectionReader r) throws ConfigException {
        int threads = r.integer("webrtc_threads", 0, 0, 256);
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
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

    /** A timeout that must be more than zero. */
    private static Duration positive(SectionReader section, String option, Duration defaultValue)
            throws ConfigException {
        Duration value = section.seconds(option, defaultValue);
        if (value.isZero()) {
            throw section.error(option, section.raw(option), "must be more than 0 seconds");
        }
        return value;
    }
}
