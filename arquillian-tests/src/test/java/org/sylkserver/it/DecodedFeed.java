package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.Callable;

import javax.json.JsonObject;

/**
 * One video room feed as a page in headless Chromium receives it (issue 13, spec §4.6.4), read from Chrome's own
 * statistics of the feed's receive-only RTCPeerConnection: frames decoded and their width, audio packets and bytes
 * received and the energy of the sound decoded. Whatever client the page runs (the tests' {@code room-client.js} or
 * the gateway's page) names the connection and whether the server said the feed is established.
 */
final class DecodedFeed {

    private static final Duration SETUP = Duration.ofSeconds(20);
    /** A function of the feed's RTCPeerConnection (or undefined) and its established flag, resolving to its figures. */
    private static final String STATS = """
            (async (peer, established) => {
                const stats = {established: !!established, framesDecoded: 0, frameWidth: 0, audioPackets: 0,
                    audioBytes: 0, audioEnergy: 0};
                if (!peer) {
                    return stats;
                }
                (await peer.getStats()).forEach(entry => {
                    if (entry.type === 'inbound-rtp' && entry.kind === 'video') {
                        stats.framesDecoded = entry.framesDecoded || 0;
                        stats.frameWidth = entry.frameWidth || 0;
                    } else if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
                        stats.audioPackets = entry.packetsReceived || 0;
                        stats.audioBytes = entry.bytesReceived || 0;
                        stats.audioEnergy = entry.totalAudioEnergy || 0;
                    }
                });
                return stats;
            })""";

    private final Chromium.Page page;
    private final String peer;
    private final String established;

    /**
     * @param peer        JavaScript: the feed's RTCPeerConnection, undefined while there is none
     * @param established JavaScript: true once the server sent its feed-established
     */
    DecodedFeed(Chromium.Page page, String peer, String established) {
        this.page = page;
        this.peer = peer;
        this.established = established;
    }

    /** {established, framesDecoded, frameWidth, audioPackets, audioBytes, audioEnergy} now. */
    JsonObject stats() throws Exception {
        return page.evaluate(STATS + "(" + peer + ", " + established + ")").asJsonObject();
    }

    /**
     * Waits until the feed is established and Chrome has decoded more than 30 frames of it with a frame size, and
     * received more than 50 audio packets with sound in them.
     *
     * @param context what the page knows, for the failure message
     * @return the statistics then
     */
    JsonObject awaitDecoded(Callable<String> context) throws Exception {
        long deadline = System.nanoTime() + SETUP.toNanos();
        JsonObject now = stats();
        while (!now.getBoolean("established") || now.getInt("framesDecoded") <= 30 || now.getInt("frameWidth") == 0
                || now.getInt("audioPackets") <= 50 || now.getJsonNumber("audioEnergy").doubleValue() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("feed " + peer + " not decoded: " + now + ", " + context.call());
            }
            Thread.sleep(200);
            now = stats();
        }
        return now;
    }

    /** Waits until Chrome has decoded more than {@code frames} frames of the feed. */
    void awaitFramesBeyond(int frames) throws Exception {
        long deadline = System.nanoTime() + SETUP.toNanos();
        JsonObject now = stats();
        while (now.getInt("framesDecoded") <= frames) {
            assertTrue(System.nanoTime() < deadline, "feed " + peer + " stopped at " + now);
            Thread.sleep(100);
            now = stats();
        }
    }
}
