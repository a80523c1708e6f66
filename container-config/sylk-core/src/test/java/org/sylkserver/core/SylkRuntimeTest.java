package org.sylkserver.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ServerConfig;

/** What the applications of one JVM share: here, the trusted peers an application may add to. */
class SylkRuntimeTest {

    @TempDir
    Path dir;

    /**
     * spec §8.3 {@code local_sip_messages}: the gateway adds the local IP to {@code trusted_peers}, and the check
     * every application makes (§1.5) sees it from then on.
     */
    @Test
    void anAddressAnApplicationTrustsIsTrustedByEveryApplication() throws Exception {
        Files.writeString(dir.resolve("config.ini"), "[SIP]\nlocal_ip = 127.0.0.1\ntrusted_peers = 10.0.0.0/8\n");
        SylkRuntime runtime = new SylkRuntime(ServerConfig.load(dir, dir.resolve("var"), Map.of()), dir,
                dir.resolve("var"));
        InetAddress local = InetAddress.getByName("127.0.0.1");
        assertFalse(runtime.trustedPeers().isTrusted(local));
        runtime.trust(local);
        assertTrue(runtime.trustedPeers().isTrusted(local));
        assertTrue(runtime.trustedPeers().isTrusted(InetAddress.getByName("10.9.8.7")));
        assertFalse(runtime.trustedPeers().isTrusted(InetAddress.getByName("127.0.0.2")));
    }
}
