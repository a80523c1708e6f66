package org.sylkserver.webrtc.messaging;

import java.nio.file.Path;

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
 */
public record MessagingConfig(Path storageDir, boolean fsync, int maxBodyBytes) {

    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    /** The options of {@code webrtcgateway.ini} in {@code configDir}; the store defaults to {@code <var>/webrtcgateway/storage}. */
    public static MessagingConfig load(Path configDir, Path varDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("webrtcgateway.ini"));
        SectionReader storage = new SectionReader(ini, "FileStorage");
        SectionReader general = new SectionReader(ini, "General");
        return new MessagingConfig(storage.path("storage_dir", varDir, varDir.resolve("webrtcgateway").resolve("storage")),
                storage.bool("fsync", false),
                general.integer("max_message_body_size", DEFAULT_MAX_BODY_BYTES, 1024, 16 * 1024 * 1024));
    }
}
