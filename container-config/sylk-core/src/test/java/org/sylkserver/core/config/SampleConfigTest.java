package org.sylkserver.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped config.ini.sample lists real options with their real defaults. */
class SampleConfigTest {

    @TempDir
    Path dir;

    @Test
    void uncommentingEveryOptionOfTheSampleChangesNothing() throws Exception {
        String sample = Files.readString(Path.of("../conf/config.ini.sample"));
        String uncommented = sample.replaceAll("(?m)^;([a-z_]+ =)", "$1");
        assertTrue(uncommented.contains("\nlocal_udp_port = 5060"), "the sample's options were uncommented");
        Files.writeString(dir.resolve("config.ini"), uncommented);
        List<String> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("sylk.core");
        logger.addHandler(capture);
        try {
            Path empty = Files.createDirectories(dir.resolve("empty"));
            ServerConfig fromSample = ServerConfig.load(dir, dir.resolve("var"), Map.of());
            ServerConfig defaults = ServerConfig.load(empty, dir.resolve("var"), Map.of());
            assertEquals(List.of(), warnings, "no unknown option in the sample");
            assertEquals(defaults.server().applicationMap(), fromSample.server().applicationMap());
            assertEquals(defaults.server().defaultApplication(), fromSample.server().defaultApplication());
            assertEquals(defaults.server().spoolDir(), fromSample.server().spoolDir());
            assertEquals(defaults.sip().udpPort(), fromSample.sip().udpPort());
            assertEquals(defaults.sip().tlsPort(), fromSample.sip().tlsPort());
            assertEquals(defaults.sip().trustedPeers().toString(), fromSample.sip().trustedPeers().toString());
            assertEquals(defaults.rtp(), fromSample.rtp());
            assertEquals(defaults.msrp(), fromSample.msrp());
            assertEquals(defaults.webServer().localPort(), fromSample.webServer().localPort());
        } finally {
            logger.removeHandler(capture);
        }
    }
}
