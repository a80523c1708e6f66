package org.sylkserver.webrtc.messaging;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;

/**
 * The messaging options of {@code webrtcgateway.ini} (spec §8.3 and issue 14's additions).
 *
 * @param storageDir     {@code [FileStorage] storage_dir}: where the message store keeps its database
 * @param fsync          {@code [FileStorage] fsync}: every commit waits for the disk (survives power loss), not only
 *                       for the operating system (survives the server being killed)
 * @param maxBodyBytes   {@code [General] max_message_body_size}: the largest message content, in bytes, the gateway
 *                       takes from a client or over SIP (413 / an error beyond)
 * @param apiTokenLifetime {@code [General] api_token_lifetime}: how long a history API token is valid (one value for
 *                       every backend: the original's differed, quirk Q20)
 * @param pushUrl        {@code [General] sylk_push_url}: where push notifications are POSTed (spec §4.11), or null
 * @param adminAddress   {@code [General] http_management_interface} ({@code IP[:PORT]}, default 127.0.0.1:20888):
 *                       where the admin API listens, or null when it is set empty
 * @param adminSecret    {@code [General] http_management_auth_secret}: the admin API's {@code Authorization}, or null
 * @param cassandra      {@code [Cassandra]}: the Cassandra store's options, or null for the embedded store (spec §4.8.6)
 * @param storeThreads   {@code [General] message_store_threads}: how many incoming MESSAGEs (of different
 *                       conversations) the store works on at once, off the SIP threads
 * @param storeQueueSize {@code [General] message_store_queue_size}: how many incoming MESSAGEs may wait for the store
 *                       or be stored at once; beyond, they are answered 503 with {@code Retry-After}
 */
public record MessagingConfig(Path storageDir, boolean fsync, int maxBodyBytes, Duration apiTokenLifetime,
                              URI pushUrl, InetSocketAddress adminAddress, String adminSecret,
                              CassandraConfig cassandra, int storeThreads, int storeQueueSize) {

    /**
     * Enough for the embedded store's group commit to batch, and for a Cassandra cluster's round trips to overlap;
     * each thread of a slow store waits, it does not compute.
     */
    public static final int DEFAULT_STORE_THREADS = 32;
    /**
     * About a second of the embedded store's rate and a few of a one-node Cassandra's, well within the 32 s a SIP
     * sender waits for its answer (RFC 3261 Timer F); at most 64 MiB of bodies held at the largest message size.
     */
    public static final int DEFAULT_STORE_QUEUE_SIZE = 1000;

    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    /** 31 days, the original's Cassandra TTL. */
    public static final Duration DEFAULT_API_TOKEN_LIFETIME = Duration.ofDays(31);

    /** The options of {@code webrtcgateway.ini} in {@code configDir}; the store defaults to {@code <var>/webrtcgateway/storage}. */
    public static MessagingConfig load(Path configDir, Path varDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("webrtcgateway.ini"));
        SectionReader storage = new SectionReader(ini, "FileStorage");
        SectionReader general = new SectionReader(ini, "General");
        return new MessagingConfig(storage.path("storage_dir", varDir, varDir.resolve("webrtcgateway").resolve("storage")),
                storage.bool("fsync", false),
                general.integer("max_message_body_size", DEFAULT_MAX_BODY_BYTES, 1024, 16 * 1024 * 1024),
                general.seconds("api_token_lifetime", DEFAULT_API_TOKEN_LIFETIME), pushUrl(general),
                adminAddress(general), general.string("http_management_auth_secret", null),
                CassandraConfig.load(configDir),
                general.integer("message_store_threads", DEFAULT_STORE_THREADS, 1, 1024),
                general.integer("message_store_queue_size", DEFAULT_STORE_QUEUE_SIZE, 1, 1_000_000));
    }

    /** {@code IP[:PORT]}, port 20888 when absent (spec §8.3). */
    private static InetSocketAddress adminAddress(SectionReader general) throws ConfigException {
        String value = general.string("http_management_interface", "127.0.0.1:20888").strip();
        if (value.isEmpty()) {
            return null;
        }
        int colon = value.lastIndexOf(':');
        boolean hasPort = colon > 0 && value.indexOf(':') == colon;
        String host = hasPort ? value.substring(0, colon) : value;
        try {
            int port = hasPort ? Integer.parseInt(value.substring(colon + 1)) : 20888;
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(java.net.InetAddress.getByName(host), port);
        } catch (NumberFormatException | java.net.UnknownHostException e) {
            throw general.error("http_management_interface", value, "expected IP[:PORT]");
        }
    }

    private static URI pushUrl(SectionReader general) throws ConfigException {
        String value = general.string("sylk_push_url", "").strip();
        if (value.isEmpty()) {
            return null;
        }
        try {
            URI url = new URI(value);
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw general.error("sylk_push_url", value, "not an http or https URL");
            }
            return url;
        } catch (URISyntaxException e) {
            throw general.error("sylk_push_url", value, "not a URL (" + e.getReason() + ")");
        }
    }
}
