package org.sylkserver.webrtc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;
import org.sylkserver.core.config.ServerConfig;

/**
 * {@code webrtcgateway.ini} (spec §8.3), as far as the features built so far use it: {@code [General]} and the
 * {@code decline_code} of {@code [Janus]} (kept in its section although there is no Janus: operators' files have it there).
 *
 * @param file                  the file read (it may not exist: then every option has its default)
 * @param webOrigins            allowed WebSocket {@code Origin}s, {@code *} for any
 * @param sipDomains            allowed account domains (lower case), {@code *} for any
 * @param outboundSipProxy      where the gateway's SIP requests go, or {@code null} for RFC 3263 lookups
 * @param traceClient           whether every sylkRTC message is traced
 * @param websocketPingInterval how often the server pings each WebSocket
 * @param declineCode           the final response to an incoming call the client declines or nobody answers (486;
 *                              603 stops parallel forking, spec §4.5.4)
 * @param limits                what one client may take of the gateway (sizes, queues, connections)
 * @param localSipMessages      whether the accounts' MESSAGEs go to this server's own SIP TCP listener instead of the
 *                              outbound proxy or RFC 3263, for a server without a proxy ({@code local_sip_messages},
 *                              spec §4.8.1 step 3, §8.3)
 */
public record GatewayConfig(Path file, List<String> webOrigins, Set<String> sipDomains,
                            ServerConfig.OutboundProxy outboundSipProxy, boolean traceClient,
                            Duration websocketPingInterval, int declineCode, ClientLimits limits,
                            boolean localSipMessages) {

    /** Every option at its default (no file). */
    public static final GatewayConfig DEFAULTS = new GatewayConfig(null, List.of("*"), Set.of("*"), null, false,
            Duration.ofSeconds(120), 486, ClientLimits.DEFAULTS, false);

    /** Reads {@code webrtcgateway.ini} from the configuration directory. */
    public static GatewayConfig load(Path configDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("webrtcgateway.ini"));
        SectionReader general = new SectionReader(ini, "General");
        Duration ping = general.seconds("websocket_ping_interval", Duration.ofSeconds(120));
        if (ping.toSeconds() < 2) {
            throw general.error("websocket_ping_interval", String.valueOf(ping.toSeconds()), "must be at least 2 seconds");
        }
        Set<String> domains = general.list("sip_domains", List.of("*")).stream()
                .map(domain -> domain.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        return new GatewayConfig(ini.path(), general.list("web_origins", List.of("*")), domains,
                ServerConfig.outboundProxy(general, "outbound_sip_proxy"), general.bool("trace_client", false), ping,
                new SectionReader(ini, "Janus").integer("decline_code", 486, 400, 699), ClientLimits.read(general),
                general.bool("local_sip_messages", false));
    }

    /** Whether accounts of {@code domain} may be added ({@code sip_domains}, spec §4.5.2). */
    public boolean allowsDomain(String domain) {
        return sipDomains.contains("*") || sipDomains.contains(domain.toLowerCase(Locale.ROOT));
    }
}
