package org.sylkserver.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;

/** The UDP listener's queue: datagrams keep their own bytes only, and the queue holds so many, and so many bytes. */
class BoundedDatagramQueueTest {

    /** As JAIN-SIP's listener receives: into a 64 KiB buffer. */
    private static DatagramQueuedMessageDispatch received(String text) {
        byte[] buffer = new byte[65536];
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, buffer, 0, bytes.length);
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        packet.setLength(bytes.length);
        packet.setSocketAddress(new InetSocketAddress("127.0.0.1", 5070));
        return new DatagramQueuedMessageDispatch(packet, System.currentTimeMillis());
    }

    @Test
    void aQueuedDatagramKeepsOnlyItsBytes() throws Exception {
        BoundedDatagramQueue queue = new BoundedDatagramQueue(10, 1 << 20);
        assertTrue(queue.offer(received("MESSAGE sip:a@b SIP/2.0")));
        DatagramQueuedMessageDispatch taken = queue.take();
        assertEquals(23, taken.packet.getData().length, "not the 64 KiB buffer");
        assertEquals("MESSAGE sip:a@b SIP/2.0", new String(taken.packet.getData(), taken.packet.getOffset(),
                taken.packet.getLength(), StandardCharsets.US_ASCII));
        assertEquals(new InetSocketAddress("127.0.0.1", 5070), taken.packet.getSocketAddress());
    }

    @Test
    void beyondItsCountTheNextIsDroppedUntilOneIsTaken() throws Exception {
        BoundedDatagramQueue queue = new BoundedDatagramQueue(2, 1 << 20);
        assertTrue(queue.offer(received("one")));
        assertTrue(queue.offer(received("two")));
        assertFalse(queue.offer(received("three")));
        assertEquals(1, queue.dropped());
        assertEquals("one", new String(queue.poll(1, TimeUnit.SECONDS).packet.getData(), StandardCharsets.US_ASCII));
        assertTrue(queue.offer(received("four")));
        assertEquals(2, queue.size());
    }

    @Test
    void beyondItsBytesTheNextIsDroppedAndTakingFreesThem() {
        BoundedDatagramQueue queue = new BoundedDatagramQueue(100, 10);
        assertTrue(queue.offer(received("123456")));
        assertFalse(queue.offer(received("12345")), "6 + 5 > 10");
        assertTrue(queue.offer(received("1234")));
        assertEquals(10, queue.bytes());
        queue.poll();
        queue.poll();
        assertEquals(0, queue.bytes());
        assertNull(queue.poll());
        assertEquals(0, queue.bytes());
    }
}
