package org.sylkserver.core;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;
import java.util.Objects;

import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.config.TrustedPeers;
import org.sylkserver.media.MediaEngine;

/**
 * What every application of this JVM shares: the server configuration and the directories it runs with.
 *
 * <p>sylk-core sits on the container's system class path, so this one instance is seen by every deployed
 * archive. The launcher installs it before the container starts; it never changes afterwards.
 * The configuration directory is where the applications find their own {@code .ini} files.
 */
public final class SylkRuntime {

    private static final Logger LOG = Logger.getLogger("sylk.core");
    private static volatile SylkRuntime current;

    private final ServerConfig config;
    private final Path configDir;
    private final Path varDir;
    private MediaEngine media;
    /** {@code [SIP] trusted_peers}, and what applications added ({@link #trust}). */
    private volatile TrustedPeers trustedPeers;

    public SylkRuntime(ServerConfig config, Path configDir, Path varDir) {
        this.config = config;
        this.configDir = configDir;
        this.varDir = varDir;
        this.trustedPeers = config.sip().trustedPeers();
    }

    public ServerConfig config() {
        return config;
    }

    public Path configDir() {
        return configDir;
    }

    public Path varDir() {
        return varDir;
    }

    /**
     * The media engine of this JVM, started on first use with {@code [RTP] port_range}, {@code timeout},
     * {@code webrtc_port}, {@code webrtc_threads} and {@code webrtc_io_uring} on
     * {@code [SIP] local_ip}, advertising {@link #sdpAddress()} in the SDP and ICE candidates it writes itself (the
     * WebRTC legs, the video rooms).
     */
    public synchronized MediaEngine media() throws IOException {
        if (media == null) {
            media = new MediaEngine(config.sip().localIp(), config.rtp().portStart(), config.rtp().portEnd(),
                    Duration.ofSeconds(config.rtp().timeout()), config.rtp().policy(), config.rtp().webrtcPort(),
                    config.rtp().webrtcThreads(), config.rtp().webrtcIoUring());
            media.advertise(sdpAddress());
        }
        return media;
    }

    /** The address to put into SDP: {@code [SIP] advertised_ip}, else the media engine's address. */
    public InetAddress sdpAddress() {
        return config.sip().advertisedIp() != null ? config.sip().advertisedIp() : config.sip().localIp();
    }

    /** Stops what the runtime started (the media engine); called when the server stops. */
    public synchronized void shutdown() {
        if (media != null) {
            try {
                media.close();
            } catch (IOException e) {
                LOG.warning("media engine did not close cleanly: " + e.getMessage());
            }
            media = null;
        }
    }

    /** Installs the runtime of this JVM (called once by the launcher, or by tests). */
    public static void install(SylkRuntime runtime) {
        current = Objects.requireNonNull(runtime);
    }

    /** The runtime of this JVM; fails if the server was not started through the launcher. */
    public static SylkRuntime get() {
        SylkRuntime runtime = current;
        if (runtime == null) {
            throw new IllegalStateException("SylkServer runtime not initialised: start the server with sylk-server");
        }
        return runtime;
    }

    /** The source addresses allowed to send requests: {@code [SIP] trusted_peers} and those {@link #trust}ed since. */
    public TrustedPeers trustedPeers() {
        return trustedPeers;
    }

    /**
     * Trusts requests from {@code address} too, until the server stops: {@code webrtcgateway} with
     * {@code local_sip_messages} sends its MESSAGEs to this server's own SIP listener, and adds the local IP so that
     * they are not refused with 403 (spec §8.3, §1.5).
     */
    public synchronized void trust(InetAddress address) {
        trustedPeers = trustedPeers.with(address);
    }
}
