package org.sylkserver.xmpp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;

/**
 * {@code xmppgateway.ini}, section {@code [general]} (spec §5.8): the original's options with its defaults, plus the
 * limits this implementation adds ({@code max_stanza_size}, {@code dialback_timeout}, {@code send_queue_limit},
 * {@code send_timeout},
 * {@code max_inbound_streams}, {@code max_inbound_streams_per_address}, {@code pair_queue_limit},
 * {@code max_queued_stanzas}, {@code pair_queue_wait}) and
 * {@code remote_servers}, fixed addresses of remote XMPP servers used instead of DNS (an operator's private peers,
 * and the tests, which run everything on loopback).
 *
 * @param domains          local domains whose users are SIP users, presented to the federation as an XMPP server
 * @param mucPrefix        the MUC component of a domain is {@code <muc_prefix>.<domain>}
 * @param localIp          the S2S listener's address ({@code null}: the SIP address)
 * @param localPort        the S2S listener's port (5269)
 * @param transport        {@code tls}: TLS from the first byte; {@code tcp}: plain TCP, STARTTLS offered
 * @param caFile           the certificate chain file of the original (read for the log only; see {@code certificate})
 * @param certificate      PEM certificate and unencrypted key of the S2S TLS
 * @param useMsrpForChat   XMPP chat ↔ MSRP sessions (true) or SIP MESSAGE (false)
 * @param useCpim          SIP MESSAGEs made from XMPP are CPIM-wrapped
 * @param sipSessionTimeout inactivity timeout of chat sessions
 * @param maxChatSessions  MSRP chat sessions bridged to XMPP at once (spec §5.4.3)
 * @param traceXmpp        raw XML of every stream to {@code xmpp_trace.log}
 * @param logPresence      verbose presence log
 * @param logMessages      verbose message log
 * @param logIscomposing   verbose chat-state log
 * @param maxStanzaSize    bytes one top-level element (stanza, stream header) of an incoming stream may have
 * @param dialbackTimeout  time a stream has to complete dialback (XEP-0220) before it is closed
 * @param sendQueueLimit   stanzas waiting for one remote server; more are refused while it reads
 * @param sendTimeout      how long a remote server may leave one of our writes untaken while {@code sendQueueLimit}
 *                         stanzas wait before its link is given up
 * @param maxInboundStreams streams remote servers may have open to the listener at once
 * @param maxInboundStreamsPerAddress of those, streams from one IP address
 * @param pairQueueLimit   received stanzas of one (local user, remote JID) pair waiting to be handled
 * @param maxQueuedStanzas received stanzas waiting to be handled, all pairs together
 * @param pairQueueWait    how long the S2S reader waits for room in a full queue of those that does not move before
 *                         it refuses the stanza (while it waits, TCP slows the remote server down)
 * @param remoteServers    remote domain → fixed address, instead of the SRV lookup
 */
public record XmppGatewaySettings(Set<String> domains, String mucPrefix, InetAddress localIp, int localPort,
                                  String transport, Path caFile, Path certificate, boolean useMsrpForChat,
                                  boolean useCpim, Duration sipSessionTimeout, int maxChatSessions, boolean traceXmpp, boolean logPresence,
                                  boolean logMessages, boolean logIscomposing, int maxStanzaSize,
                                  Duration dialbackTimeout, int sendQueueLimit, Duration sendTimeout,
                                  int maxInboundStreams,
                                  int maxInboundStreamsPerAddress, int pairQueueLimit, int maxQueuedStanzas,
                                  Duration pairQueueWait, Map<String, InetSocketAddress> remoteServers) {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    /** Reads {@code <configDir>/xmppgateway.ini}; a missing file gives the defaults (no domains). */
    public static XmppGatewaySettings load(Path configDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("xmppgateway.ini"));
        SectionReader general = new SectionReader(ini, "general");
        Set<String> domains = new LinkedHashSet<>();
        for (String domain : general.list("domains", List.of())) {
            domains.add(domain.toLowerCase(Locale.ROOT));
        }
        XmppGatewaySettings settings = new XmppGatewaySettings(domains,
                general.string("muc_prefix", "conference"),
                general.ipAddress("local_ip"),
                general.port("local_port", 5269),
                general.choice("transport", "tls", Set.of("tls", "tcp")),
                general.path("ca_file", configDir, Path.of("/etc/sylkserver/tls/ca.crt")),
                general.path("certificate", configDir, Path.of("/etc/sylkserver/tls/default.crt")),
                general.bool("use_msrp_for_chat", true),
                general.bool("use_cpim", true),
                general.seconds("sip_session_timeout", Duration.ofSeconds(86400)),
                general.integer("max_chat_sessions", 1000, 1, 1_000_000),
                general.bool("trace_xmpp", false),
                general.bool("log_presence", false),
                general.bool("log_messages", false),
                general.bool("log_iscomposing", false),
                general.integer("max_stanza_size", 524288, 1024, 64 * 1024 * 1024),
                general.seconds("dialback_timeout", Duration.ofSeconds(30)),
                general.integer("send_queue_limit", 1000, 1, 1_000_000),
                general.seconds("send_timeout", Duration.ofSeconds(10)),
                general.integer("max_inbound_streams", 500, 1, 100_000),
                general.integer("max_inbound_streams_per_address", 20, 1, 100_000),
                general.integer("pair_queue_limit", 100, 1, 100_000),
                general.integer("max_queued_stanzas", 10_000, 1, 1_000_000),
                general.seconds("pair_queue_wait", Duration.ofSeconds(2)),
                remoteServers(general));
        for (String unknown : general.unknownOptions()) {
            LOG.warning(ini.source("general", unknown) + ": [general] " + unknown + ": unknown option, ignored");
        }
        return settings;
    }

    /** The MUC component domains, {@code <muc_prefix>.<domain>} for each local domain (spec §5.1). */
    public Set<String> mucDomains() {
        Set<String> muc = new LinkedHashSet<>();
        for (String domain : domains) {
            muc.add(mucPrefix + "." + domain);
        }
        return muc;
    }

    /** Whether {@code domain} is one this gateway serves: a local or a MUC domain. */
    public boolean serves(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        return domains.contains(lower) || mucDomains().contains(lower);
    }

    /** {@code remote_servers = example.org:192.0.2.1:5269, other.net:[2001:db8::1]:5270}. */
    private static Map<String, InetSocketAddress> remoteServers(SectionReader general) throws ConfigException {
        Map<String, InetSocketAddress> servers = new LinkedHashMap<>();
        for (String entry : general.list("remote_servers", List.of())) {
            int first = entry.indexOf(':');
            int last = entry.lastIndexOf(':');
            if (first <= 0 || last == first) {
                throw general.error("remote_servers", entry, "not domain:address:port");
            }
            String host = entry.substring(first + 1, last).replace("[", "").replace("]", "");
            int port;
            try {
                port = Integer.parseInt(entry.substring(last + 1).strip());
            } catch (NumberFormatException e) {
                throw general.error("remote_servers", entry, "not domain:address:port (the port is not a number)");
            }
            if (port < 1 || port > 65535) {
                throw general.error("remote_servers", entry, "port out of range 1-65535");
            }
            servers.put(entry.substring(0, first).strip().toLowerCase(Locale.ROOT),
                    InetSocketAddress.createUnresolved(host.strip(), port));
        }
        return servers;
    }
}
