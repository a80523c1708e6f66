package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;

/** {@link GatewayConfig}: the {@code [General]} section of webrtcgateway.ini (spec §8.3). */
class GatewayConfigTest {

    @TempDir
    Path dir;

    /** spec §8.3: {@code local_sip_messages} is off by default, with a file or without. */
    @Test
    void localSipMessagesIsOffByDefault_spec_8_3() throws Exception {
        assertFalse(GatewayConfig.load(dir).localSipMessages());
        assertEquals(GatewayConfig.DEFAULTS.localSipMessages(), GatewayConfig.load(dir).localSipMessages());
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[General]\ntrace_client = true\n");
        assertFalse(GatewayConfig.load(dir).localSipMessages());
    }

    /** spec §8.3: {@code local_sip_messages = true} sends the accounts' MESSAGEs to the local SIP TCP port. */
    @Test
    void localSipMessagesIsRead_spec_8_3() throws Exception {
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[General]\nlocal_sip_messages = true\n");
        assertTrue(GatewayConfig.load(dir).localSipMessages());
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[General]\nlocal_sip_messages = maybe\n");
        assertThrows(ConfigException.class, () -> GatewayConfig.load(dir));
    }

    /** The shipped sample shows {@code local_sip_messages} with its real default. */
    @Test
    void theSampleShowsTheDefault() throws Exception {
        String sample = Files.readString(Path.of("../container-config/conf/webrtcgateway.ini.sample"));
        assertTrue(sample.contains("\n;local_sip_messages = false\n"), "the sample names the option");
        Files.writeString(dir.resolve("webrtcgateway.ini"),
                sample.replace(";local_sip_messages =", "local_sip_messages ="));
        assertFalse(GatewayConfig.load(dir).localSipMessages());
    }
}
