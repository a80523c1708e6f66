package org.sylkserver.media;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * One loop's inbox on the shared WebRTC port ({@link UdpMux}): what other loops' sockets read for the legs this loop
 * owns, a list per read batch in the order read, handled on this loop in turns of about a read batch between reads
 * of its own socket. At most {@value UdpMux#HANDOVERS_WAITING} datagrams wait; more are dropped and counted. Added to
 * from the other loops' threads, drained on its own.
 */
final class HandoverInbox {

    /** A datagram read by one loop's socket for a leg of another loop: the read buffer, retained until handled. */
    record Handover(UdpMux.Leg leg, ByteBuf datagram, InetSocketAddress source) {
    }

    private final EventLoop eventLoop;
    /** Handles one datagram and releases it, on the loop. */
    private final Consumer<Handover> handler;
    /** Sends what a turn wrote, on the loop. */
    private final Runnable flush;
    /** The mux's count of datagrams dropped because too many waited. */
    private final AtomicLong dropped;
    private final Queue<List<Handover>> batches = new ConcurrentLinkedQueue<>();
    /** Datagrams in the inbox. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Whether a drain of the inbox is queued or running on the loop. */
    private final AtomicBoolean draining = new AtomicBoolean();

    HandoverInbox(EventLoop eventLoop, Consumer<Handover> handler, Runnable flush, AtomicLong dropped) {
        this.eventLoop = eventLoop;
        this.handler = handler;
        this.flush = flush;
        this.dropped = dropped;
    }

    /**
     * Datagrams another loop read for this loop's legs (from that loop's thread): queued for a drain on this loop,
     * or dropped when {@value UdpMux#HANDOVERS_WAITING} wait already.
     */
    void add(List<Handover> batch) {
        if (waiting.addAndGet(batch.size()) > UdpMux.HANDOVERS_WAITING) {
            waiting.addAndGet(-batch.size());
            dropped.addAndGet(batch.size());
            batch.forEach(handover -> handover.datagram().release());
            return;
        }
        batches.add(batch);
        if (draining.compareAndSet(false, true)) {
            runDrain(false);
        }
    }

    /**
     * Handles what the inbox holds, in order, about a read batch's worth ({@value UdpMux#BATCH} datagrams) at a time,
     * and sends what that produced in one batch. If more is waiting, the next turn comes after the loop's next read of
     * its own socket: Netty's loop reads each socket once (one {@code recvmmsg}) and then runs every queued task,
     * for up to a second, so a drain of everything, or one task per read batch of another loop, could keep this
     * loop off its own socket until the kernel dropped what arrived there (docs/benchmarks.md, issue 13,
     * session 26).
     */
    private void drain() {
        int handled = 0;
        List<Handover> batch;
        while (handled < UdpMux.BATCH && (batch = batches.poll()) != null) {
            waiting.addAndGet(-batch.size());
            for (Handover handover : batch) {
                handler.accept(handover);
            }
            handled += batch.size();
        }
        flush.run();
        if (batches.isEmpty()) {
            draining.set(false);
            // a batch added after the look above, whose loop saw the drain still on
            if (batches.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
        runDrain(true);
    }

    /** Queues a drain: as a task, or as a task due at once, which Netty runs only after the next read. */
    private void runDrain(boolean afterNextRead) {
        try {
            if (afterNextRead) {
                eventLoop.schedule(this::drain, 0, TimeUnit.NANOSECONDS);
            } else {
                eventLoop.execute(this::drain);
            }
        } catch (RejectedExecutionException closed) {
            release();
        }
    }

    /** Drops what waits in the inbox (the port is closed). */
    void release() {
        List<Handover> batch;
        while ((batch = batches.poll()) != null) {
            waiting.addAndGet(-batch.size());
            batch.forEach(handover -> handover.datagram().release());
        }
    }
}
