package org.sylkserver.webrtc.filetransfer;

import java.nio.file.Path;
import java.time.Duration;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;

/**
 * The file-transfer options of {@code webrtcgateway.ini} (spec §8.3, §4.10).
 *
 * @param directory      {@code [General] file_transfer_dir}: where transferred files are kept (spec §4.10.1)
 * @param expiry         {@code [General] filetransfer_expire_days}: how long a file is offered (its {@code until}); big
 *                       files are removed after that, small ones after twice that (spec §4.10.4)
 * @param maxUploadBytes {@code [General] filetransfer_max_size} (MiB): the largest upload taken; a bigger one is
 *                       refused with 413 before its body is read (issue 15 "Bad input and limits")
 */
public record FileTransferConfig(Path directory, Duration expiry, long maxUploadBytes) {

    public static final int DEFAULT_EXPIRE_DAYS = 15;
    public static final int DEFAULT_MAX_SIZE_MIB = 2048;

    /** The options in {@code configDir}'s {@code webrtcgateway.ini}; the files default to {@code <var>/webrtcgateway/file_transfers}. */
    public static FileTransferConfig load(Path configDir, Path varDir) throws ConfigException {
        SectionReader general = new SectionReader(IniFile.read(configDir.resolve("webrtcgateway.ini")), "General");
        return new FileTransferConfig(general.path("file_transfer_dir", varDir,
                varDir.resolve("webrtcgateway").resolve("file_transfers")),
                Duration.ofDays(general.integer("filetransfer_expire_days", DEFAULT_EXPIRE_DAYS, 1, 3650)),
                general.integer("filetransfer_max_size", DEFAULT_MAX_SIZE_MIB, 1, 1024 * 1024) * 1024L * 1024L);
    }
}
