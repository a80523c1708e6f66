package org.sylkserver.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The media engine's I/O thread ({@code sylk-media-io}): one selector over the sockets of every port pair (endpoints
 * and bare {@link MediaSocket}s), and the tasks queued for the thread, run between selections. Whatever one socket's
 * owner or one task throws is logged and its packet or task dropped: this thread carries every call's media.
 */
final class MediaIoLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media");
    /** Larger than any UDP payload, so that a datagram is never silently truncated by receive(). */
    private static final int MAX_DATAGRAM = 65536;

    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Opens the selector and starts the thread. */
    MediaIoLoop() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, "sylk-media-io");
        thread.setDaemon(true);
        // the engine outlives the application that happened to start it: do not pin that application's class loader
        thread.setContextClassLoader(MediaIoLoop.class.getClassLoader());
        thread.start();
    }

    /** Whether the loop still runs (false once {@link #close} began). */
    boolean running() {
        return running;
    }

    /**
     * Watches {@code channel} for datagrams, handed to {@code owner}: an {@link RtpEndpoint} or a {@link MediaSocket}.
     * On the I/O thread.
     */
    void register(DatagramChannel channel, Object owner) throws ClosedChannelException {
        channel.register(selector, SelectionKey.OP_READ, owner);
    }

    /** Runs {@code task} on the I/O thread, after what it is doing. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void loop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        try {
            while (running) {
                selector.select();
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    runTask(task);
                }
                for (var iterator = selector.selectedKeys().iterator(); iterator.hasNext(); ) {
                    SelectionKey key = iterator.next();
                    iterator.remove();
                    read(key, buffer);
                }
            }
        } catch (ClosedSelectorException closed) {
            // the engine is closing
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "media selector failed: no more RTP is handled", e);
        }
    }

    /**
     * Runs a task queued for the I/O thread. Whatever it throws, Errors included, is logged and the task dropped:
     * the loop that carries every call's media must survive one caller's fault.
     */
    private static void runTask(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            LOG.log(Level.SEVERE, "media I/O task " + task + " failed", e);
        }
    }

    private static void read(SelectionKey key, ByteBuffer buffer) {
        Object owner = key.attachment();
        try {
            if (key.isValid() && key.isReadable()) {
                if (owner instanceof RtpEndpoint endpoint) {
                    endpoint.readable((DatagramChannel) key.channel(), buffer);
                } else {
                    ((MediaSocket) owner).readable((DatagramChannel) key.channel(), buffer);
                }
            }
        } catch (ClosedChannelException closedMeanwhile) {
            // the endpoint was closed by another thread while its packets were being read
        } catch (IOException | RuntimeException e) {
            // one owner's failure must not stop the others' media; the packet being handled is dropped
            LOG.log(Level.WARNING, "media I/O error on " + owner, e);
        } catch (Throwable e) {
            // an Error (a codec's or a listener's StackOverflowError, an AssertionError...) would end the I/O thread,
            // and with it every call's media: log it loudly and drop the packet
            LOG.log(Level.SEVERE, "media I/O failure on " + owner + ", packet dropped", e);
        }
    }

    /** Stops the thread; closing the selector frees every socket registered with it. */
    @Override
    public void close() throws IOException {
        running = false;
        selector.close();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
