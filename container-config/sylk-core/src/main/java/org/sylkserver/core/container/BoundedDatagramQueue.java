package org.sylkserver.core.container;

import java.net.DatagramPacket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import org.sylkserver.core.LogThrottle;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;

/**
 * The queue between JAIN-SIP's UDP listener and its SIP threads, bounded. The stack's own queue has no limit and each
 * datagram in it holds a 64 KiB buffer whatever its size, so a sender faster than the SIP threads (a flood, or
 * only a burst of retransmissions while the threads are busy) filled a 1 GiB heap in seconds: seen with 5,000
 * MESSAGEs/s on loopback (bench/messaging.sh SENDER=flood), the server died of {@link OutOfMemoryError} in its UDP
 * listener. Here a datagram keeps only its own bytes, and beyond {@code maxPackets} waiting datagrams or
 * {@code maxBytes} of them the next is dropped, as the kernel drops what overflows the socket's buffer: UDP senders
 * retransmit (RFC 3261 §17.1.1.2, §17.1.2.2), and the drops are logged, at most one line per 10 s with their count.
 *
 * <p>One thread offers (the listener); any number take.
 */
final class BoundedDatagramQueue extends LinkedBlockingQueue<DatagramQueuedMessageDispatch> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger("sylk.sip");

    private final int maxPackets;
    private final long maxBytes;
    private final transient AtomicLong bytes = new AtomicLong();
    private final transient AtomicLong dropped = new AtomicLong();
    private final transient LogThrottle drops = new LogThrottle(Duration.ofSeconds(10));

    BoundedDatagramQueue(int maxPackets, long maxBytes) {
        this.maxPackets = maxPackets;
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean offer(DatagramQueuedMessageDispatch dispatch) {
        DatagramPacket packet = dispatch.packet;
        int length = packet.getLength();
        if (size() >= maxPackets || bytes.get() + length > maxBytes) {
            drop(packet);
            return false;
        }
        packet.setData(Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + length));
        bytes.addAndGet(length);
        return super.offer(dispatch);
    }

    @Override
    public DatagramQueuedMessageDispatch take() throws InterruptedException {
        return taken(super.take());
    }

    @Override
    public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit) throws InterruptedException {
        return taken(super.poll(timeout, unit));
    }

    @Override
    public DatagramQueuedMessageDispatch poll() {
        return taken(super.poll());
    }

    /** Bytes of the datagrams waiting. */
    long bytes() {
        return bytes.get();
    }

    /** Datagrams dropped so far. */
    long dropped() {
        return dropped.get();
    }

    private DatagramQueuedMessageDispatch taken(DatagramQueuedMessageDispatch dispatch) {
        if (dispatch != null) {
            bytes.addAndGet(-dispatch.packet.getLength());
        }
        return dispatch;
    }

    private void drop(DatagramPacket packet) {
        long total = dropped.incrementAndGet();
        long count = drops.occurred();
        if (count > 0) {
            LOG.warning(() -> "SIP/UDP: " + size() + " datagrams (" + bytes.get() / 1024 + " KiB) wait for a SIP"
                    + " thread, the limit: datagram from " + packet.getSocketAddress() + " dropped, " + count
                    + " since the last warning, " + total + " in all (senders retransmit)");
        }
    }
}
