package org.sylkserver.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/** {@code [SIP] trusted_peers} (spec §1.5): CIDR networks, addresses, host names, any, none. */
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
    void ipv6AddressesAndNoneNextToOtherEntries() throws Exception {
        assertTrue(trusted("::1", "::1"));
        assertFalse(trusted("::1", "::2"));
        assertTrue(trusted("none, 192.0.2.0/24", "192.0.2.77"));
        assertFalse(trusted("", "192.0.2.77"));
    }

    /**
     * spec §8.3 {@code local_sip_messages}: the gateway adds the local IP to the trusted peers, so that the MESSAGEs
     * it sends to its own SIP listener pass the check of §1.5; the others stay as they were.
     */
    @Test
    void anAddedAddressIsTrustedBesidesTheConfiguredOnes() throws Exception {
        TrustedPeers configured = TrustedPeers.parse("10.0.0.0/8", ERRORS);
        TrustedPeers withLocal = configured.with(InetAddress.getByName("192.0.2.1"));
        assertTrue(withLocal.isTrusted(InetAddress.getByName("192.0.2.1")));
        assertTrue(withLocal.isTrusted(InetAddress.getByName("10.1.2.3")));
        assertFalse(withLocal.isTrusted(InetAddress.getByName("192.0.2.2")));
        assertFalse(configured.isTrusted(InetAddress.getByName("192.0.2.1")), "the configured peers do not change");
        assertEquals("10.0.0.0/8, 192.0.2.1", withLocal.toString());
        TrustedPeers none = TrustedPeers.parse("none", ERRORS).with(InetAddress.getByName("2001:db8::5"));
        assertTrue(none.isTrusted(InetAddress.getByName("2001:db8::5")));
        assertFalse(none.isTrusted(InetAddress.getByName("2001:db8::6")));
        assertEquals("2001:db8:0:0:0:0:0:5", none.toString());
        TrustedPeers any = TrustedPeers.any();
        assertTrue(any.with(InetAddress.getByName("192.0.2.1")) == any, "already trusted: nothing added");
    }

    @Test
    void badEntriesAreConfigurationErrorsNamingTheEntry() {
        assertEquals("10.0.0.0/40: prefix length must be 0-32",
                assertThrows(ConfigException.class, () -> TrustedPeers.parse("10.0.0.0/40", ERRORS)).getMessage());
        assertThrows(ConfigException.class, () -> TrustedPeers.parse("10.0.0.0/x", ERRORS));
        assertThrows(ConfigException.class, () -> TrustedPeers.parse("2001:db8::/129", ERRORS));
        assertThrows(ConfigException.class, () -> TrustedPeers.parse("example/8", ERRORS));
        assertThrows(ConfigException.class, () -> TrustedPeers.parse("10.1", ERRORS));
        assertThrows(ConfigException.class, () -> TrustedPeers.parse("127.0.0.1, no-such-host.invalid", ERRORS));
    }
}
