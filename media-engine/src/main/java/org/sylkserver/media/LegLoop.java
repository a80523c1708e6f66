package org.sylkserver.media;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;

/**
 * An event loop that ICE-lite legs belong to: one of the shared WebRTC port's ({@link UdpMux}) or of the legs' own
 * io_uring sockets ({@link UringLegs}). It counts its open legs, so that a new group of legs (a video room's
 * publisher, a phone's voice in a room) goes to the loop with the fewest.
 */
abstract class LegLoop implements IceThread {

    /** The loop's place among its group's loops, from 0. */
    final int index;
    /** The Netty event loop whose thread this is. */
    final EventLoop eventLoop;
    /** Legs open on the loop: counted up when one is opened on it, down when it is closed. */
    final AtomicInteger legs = new AtomicInteger();

    LegLoop(int index, EventLoop eventLoop) {
        this.index = index;
        this.eventLoop = eventLoop;
    }

    /** Whether the calling thread is this loop's. */
    boolean inLoop() {
        return eventLoop.inEventLoop();
    }

    /** Legs open on this loop. */
    int legs() {
        return legs.get();
    }

    /** The loop of {@code loops} with the fewest open legs (the first of them). */
    static <L extends LegLoop> L leastBusy(List<L> loops) {
        L least = loops.get(0);
        for (L loop : loops) {
            if (loop.legs.get() < least.legs.get()) {
                least = loop;
            }
        }
        return least;
    }

    /**
     * A leg's datagram to send on {@code channel}: a copy of {@code datagram} (the caller may reuse it at once) in a
     * direct buffer of the channel's, to {@code target}.
     */
    static DatagramPacket outgoing(Channel channel, ByteBuffer datagram, SocketAddress target) {
        ByteBuf copy = channel.alloc().directBuffer(datagram.remaining());
        copy.writeBytes(datagram.duplicate());
        return new DatagramPacket(copy, (InetSocketAddress) target);
    }

    /**
     * {@code thread} as one of {@code loops}.
     *
     * @throws IllegalArgumentException {@code thread} is none of them ({@code owner}'s, as the message says)
     */
    static <L extends LegLoop> L of(List<L> loops, IceThread thread, Object owner) {
        int index = loops.indexOf(thread);
        if (index < 0) {
            throw new IllegalArgumentException(thread + " is no thread of " + owner);
        }
        return loops.get(index);
    }
}
