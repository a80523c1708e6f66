package org.sylkserver.xmpp.muc;

import java.nio.file.Path;
import java.util.logging.Logger;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;
import org.sylkserver.core.config.ServerConfig;

/**
 * Section {@code [muc]} of {@code xmppgateway.ini}: the multi-user chat bridge's limits and route, which the original
 * does not have (spec §5.6.1 routes the occupants' calls by {@code [SIP] outbound_proxy} or DNS).
 *
 * @param maxSessions   XMPP users in rooms at once, all rooms together ({@code max_sessions}, default 200)
 * @param queueSize     messages of a joining user that wait for the join ({@code queue_size}, default 100)
 * @param maxMessageSize bytes of a message's content taken from a conference ({@code max_message_size}, default
 *                      65536; a larger one is refused with MSRP 413)
 * @param outboundProxy where the occupants' calls and subscriptions go ({@code outbound_proxy}), or null: the
 *                      server's {@code [SIP] outbound_proxy}, else the room's domain by DNS (RFC 3263)
 */
public record MucSettings(int maxSessions, int queueSize, int maxMessageSize,
                          ServerConfig.OutboundProxy outboundProxy) {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.muc");

    public static final MucSettings DEFAULTS = new MucSettings(200, 100, 65536, null);

    /** Reads {@code <configDir>/xmppgateway.ini} {@code [muc]}; missing: the defaults. */
    public static MucSettings load(Path configDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("xmppgateway.ini"));
        SectionReader muc = new SectionReader(ini, "muc");
        MucSettings settings = new MucSettings(muc.integer("max_sessions", DEFAULTS.maxSessions, 0, 100_000),
                muc.integer("queue_size", DEFAULTS.queueSize, 1, 10_000),
                muc.integer("max_message_size", DEFAULTS.maxMessageSize, 1024, 16 * 1024 * 1024),
                ServerConfig.outboundProxy(muc, "outbound_proxy"));
        for (String unknown : muc.unknownOptions()) {
            LOG.warning(ini.source("muc", unknown) + ": [muc] " + unknown + ": unknown option, ignored");
        }
        return settings;
    }
}
