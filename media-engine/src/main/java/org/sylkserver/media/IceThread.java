package org.sylkserver.media;

/**
 * One of the threads the ICE-lite legs' pipelines run on ({@link MediaEngine#iceThread}): the shared WebRTC port's
 * event loops ({@code sylk-media-mux-N}, {@code [RTP] webrtc_threads} of them), or the engine's one I/O thread when
 * every leg has a socket of its own. A video room's publisher and all its feeds are opened on one such thread, so
 * that its fan-out, the feeds' rewriting and their RTCP never run concurrently.
 */
@FunctionalInterface
public interface IceThread {

    /** Runs {@code task} on this thread, after what it is doing, then sends what it wrote. */
    void execute(Runnable task);
}
