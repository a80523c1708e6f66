package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Issue 11 part 3: {@code max_connections} and {@code max_connections_per_address}. */
class ConnectionCounterTest {

    private final ConnectionCounter counter = new ConnectionCounter();
    private final ClientLimits limits = new ClientLimits(65536, 32, 100, 3, 2, 20, 20, 1000);

    @Test
    void oneAddressGetsAtMostItsShareAndAllTogetherAtMostTheTotal() {
        assertTrue(counter.admit("192.0.2.1", limits));
        assertTrue(counter.admit("192.0.2.1", limits));
        assertFalse(counter.admit("192.0.2.1", limits), "per address");
        assertTrue(counter.admit("192.0.2.2", limits));
        assertFalse(counter.admit("192.0.2.3", limits), "in all");
        counter.release("192.0.2.1");
        assertTrue(counter.admit("192.0.2.1", limits), "a closed connection makes room");
    }

    @Test
    void zeroMeansNoLimit() {
        ClientLimits none = new ClientLimits(65536, 32, 100, 0, 0, 0, 0, 0);
        for (int i = 0; i < 1000; i++) {
            assertTrue(counter.admit("192.0.2.1", none));
        }
    }

    @Test
    void theAddressIsThePeerWithoutItsPort() {
        assertEquals("192.0.2.1", ConnectionCounter.address("192.0.2.1:40000"));
        assertEquals("0:0:0:0:0:0:0:1", ConnectionCounter.address("0:0:0:0:0:0:0:1:40000"));
    }
}
