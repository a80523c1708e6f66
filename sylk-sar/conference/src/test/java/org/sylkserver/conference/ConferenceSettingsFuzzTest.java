package org.sylkserver.conference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.sylkserver.core.config.ConfigException;

/**
 * Fuzzing target (docs/fuzzing.md): whatever conference.ini holds, the application loads it or refuses it with
 * a {@link ConfigException} (spec §8.2), and the per-room settings a call reads (access list, PIN, music on hold,
 * join information) answer or refuse the same way, never with another exception.
 */
class ConferenceSettingsFuzzTest {

    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("conference-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void conferenceIniLoadsOrIsRefused(byte[] content) throws IOException {
        Files.write(DIR.resolve("conference.ini"), content);
        ConferenceSettings settings;
        try {
            settings = ConferenceSettings.load(DIR);
        } catch (ConfigException refused) {
            return;
        }
        settings.answerDelay();
        settings.maxSpeakers();
        settings.maxFileSize();
        settings.historySize();
        settings.screenSharingIdleTimeout();
        settings.fileTransferDir(DIR);
        settings.pushFileTransfer();
        settings.zrtpAutoVerify();
        for (String room : new String[] {"room@example.com", "sylkserver@example.com"}) {
            settings.joinInfo(room);
            settings.musicOnHold(room);
            settings.pin(room);
            try {
                settings.accessList(room).allows("sip:alice@example.com");
            } catch (ConfigException refused) {
                // the room's access list is refused at the call
            }
        }
    }
}
