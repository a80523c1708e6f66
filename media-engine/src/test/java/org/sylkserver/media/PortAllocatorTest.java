package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** RTP port pairs from {@code [RTP] port_range} (spec §1.3; even RTP port, RTCP above it: RFC 3550 §11). */
class PortAllocatorTest {

    @Test
    void handsOutEvenPortsRoundRobinUntilExhausted() {
        PortAllocator ports = new PortAllocator(50000, 50006);
        assertEquals(3, ports.capacity());
        assertEquals(50000, ports.allocate());
        assertEquals(50002, ports.allocate());
        ports.release(50000);
        assertEquals(50004, ports.allocate(), "a released port is not reused at once");
        assertEquals(50000, ports.allocate());
        assertEquals(-1, ports.allocate(), "exhausted");
        assertEquals(3, ports.inUse());
        ports.release(50002);
        assertEquals(50002, ports.allocate());
    }

    @Test
    void rangeMustBeEvenAndOrdered() {
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(50001, 50500));
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(50000, 50501));
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(50000, 50000));
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(0, 2));
        assertEquals(1, new PortAllocator(65534, 65536).capacity());
    }

    @Test
    void releasingAPortNotHandedOutIsABug() {
        PortAllocator ports = new PortAllocator(50000, 50010);
        assertThrows(IllegalArgumentException.class, () -> ports.release(50001));
        assertThrows(IllegalArgumentException.class, () -> ports.release(50010));
    }
}
