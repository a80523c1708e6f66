package org.sylkserver.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzing target (docs/fuzzing.md): whatever config.ini holds, the server starts with it or stops with a
 * {@link ConfigException} naming file, section, option and value (spec §8.1); never with another exception.
 */
class ConfigFuzzTest {

    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("config-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void configIniLoadsOrIsRefused(byte[] content) throws IOException {
        Files.write(DIR.resolve("config.ini"), content);
        try {
            ServerConfig.load(DIR, DIR.resolve("var"), Map.of()).webBaseUrl();
        } catch (ConfigException refused) {
            // start-up stops with the message
        }
    }
}
