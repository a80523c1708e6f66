package org.sylkserver.core.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/** {@code [SIP] trusted_peers} (spec §1.5). */
class TrustedPeersTest {

    private static final TrustedPeers.Errors ERRORS = (option, value, problem) -> new ConfigException(value + ": " + problem);

    private static boolean trusted(String peers, String address) throws Exception {
        return TrustedPeers.parse(peers, ERRORS).isTrusted(InetAddress.getByName(address));
    }

    @Test
    void anyTrustsEveryAddressAndNoneNothing() throws Exception {
        assertTrue(trusted("any", "198.51.100.7"));
        assertTrue(trusted("any", "2001:db8::1"));
        assertFalse(trusted("none", "127.0.0.1"));
    }

    @Test
    void cidrNetworksMatchOnTheirPrefixOnly() throws Exception {
        assertTrue(trusted("10.0.0.0/8", "10.255.1.2"));
        assertFalse(trusted("10.0.0.0/8", "11.0.0.1"));
        assertTrue(trusted("192.168.4.0/22", "192.168.7.255"));
        assertFalse(trusted("192.168.4.0/22", "192.168.8.0"));
        assertTrue(trusted("2001:db8::/32", "2001:db8:ffff::1"));
        assertFalse(trusted("2001:db8::/32", "10.0.0.1"));
    }

    @Test
    void singleAddressesAndHostNames() throws Exception {
        assertTrue(trusted("127.0.0.1, 192.0.2.5", "192.0.2.5"));
        assertFalse(trusted("127.0.0.1, 192.0.2.5", "192.0.2.6"));
        assertTrue(trusted("localhost", "127.0.0.1"));
    }

    @Test
    void badEntriesAreConfigurationErrors() {
        assertThrows(ConfigException.class, () -> TrustedPeers.parse("10.0.0.0/40", ERRORS));
        assertThrows(ConfigException.class, () -> TrustedPeers.parse("10.0.0.0/x", ERRORS));
        assertThrows(ConfigException.class, () -> TrustedPeers.parse("no-such-host.invalid", ERRORS));
    }
}
