package org.sylkserver.media.zrtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpTransformer;

/**
 * RFC 6189: two agents negotiate over an in-memory network (asynchronous delivery, like UDP): both end with the
 * same SAS and with mirrored SRTP keys (what one sends the other can check), and a packet that is not ZRTP or has
 * a damaged CRC is not taken for ZRTP.
 */
class ZrtpAgentTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService network = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
        network.shutdownNow();
    }

    private record Outcome(SdesCrypto send, SdesCrypto receive, String sas) {
    }

    @Test
    void twoAgentsAgreeOnKeysAndSas_rfc6189() throws Exception {
        CompletableFuture<Outcome> a = new CompletableFuture<>();
        CompletableFuture<Outcome> b = new CompletableFuture<>();
        AtomicReference<ZrtpAgent> agentA = new AtomicReference<>();
        AtomicReference<ZrtpAgent> agentB = new AtomicReference<>();
        agentA.set(new ZrtpAgent(dir.resolve("zid.cache"), zid(1), 0x1111, timer,
                packet -> network.execute(() -> agentB.get().received(ByteBuffer.wrap(packet))), listener(a)));
        agentB.set(new ZrtpAgent(dir.resolve("zid.cache"), zid(2), 0x2222, timer,
                packet -> network.execute(() -> agentA.get().received(ByteBuffer.wrap(packet))), listener(b)));
        agentA.get().start();
        agentB.get().start();
        Outcome oa = a.get(20, TimeUnit.SECONDS);
        Outcome ob = b.get(20, TimeUnit.SECONDS);
        assertNotNull(oa.sas());
        assertEquals(oa.sas(), ob.sas(), "both ends show the same short authentication string");
        assertEquals(4, oa.sas().length(), "base-32 SAS of four characters (RFC 6189 §5.1.6)");
        assertArrayEquals(oa.send().masterKey(), ob.receive().masterKey(), "A's sending key is B's receiving key");
        assertArrayEquals(ob.send().masterKey(), oa.receive().masterKey());
        assertFalse(java.util.Arrays.equals(oa.send().masterKey(), ob.send().masterKey()), "one key per direction");
        // and the keys work: what A protects, B unprotects
        byte[] rtp = ByteBuffer.allocate(12 + 20).put((byte) 0x80).put((byte) 0).putShort((short) 7).putInt(160)
                .putInt(0x1111).put(new byte[20]).array();
        try (SrtpTransformer send = SrtpTransformer.forSending(oa.send());
             SrtpTransformer receive = SrtpTransformer.forReceiving(ob.receive())) {
            byte[] secured = send.protectRtp(rtp, rtp.length);
            assertEquals(rtp.length + oa.send().suite().srtpAuthTagLength(), secured.length);
            assertArrayEquals(rtp, receive.unprotectRtp(secured, secured.length));
        }
        agentA.get().close();
        agentB.get().close();
    }

    @Test
    void onlyZrtpPacketsAreRecognised_rfc6189_s5() {
        ByteBuffer zrtp = ByteBuffer.allocate(24).put((byte) 0x10).put((byte) 0).putShort((short) 1)
                .putInt(0x5A525450).putInt(1).putInt(0).putInt(0).flip();
        assertTrue(ZrtpAgent.isZrtp(zrtp));
        ByteBuffer rtp = ByteBuffer.allocate(24).put((byte) 0x80).put((byte) 0).putShort((short) 1)
                .putInt(0x5A525450).putInt(1).putInt(0).putInt(0).flip();
        assertFalse(ZrtpAgent.isZrtp(rtp), "version 2 RTP");
        assertFalse(ZrtpAgent.isZrtp(ByteBuffer.allocate(8)), "too short");
    }

    private static byte[] zid(int fill) {
        byte[] zid = new byte[12];
        java.util.Arrays.fill(zid, (byte) fill);
        return zid;
    }

    private static ZrtpAgent.Listener listener(CompletableFuture<Outcome> outcome) {
        AtomicReference<SdesCrypto[]> keys = new AtomicReference<>();
        AtomicReference<String> sasSeen = new AtomicReference<>();
        Runnable completeIfDone = () -> {
            SdesCrypto[] k = keys.get();
            if (k != null && sasSeen.get() != null) {
                outcome.complete(new Outcome(k[0], k[1], sasSeen.get()));
            }
        };
        return new ZrtpAgent.Listener() {
            @Override
            public void secure(SdesCrypto send, SdesCrypto receive) {
                keys.set(new SdesCrypto[] {send, receive});
                completeIfDone.run();
            }

            @Override
            public void sas(String sas, boolean verified) {
                sasSeen.set(sas);
                completeIfDone.run();
            }

            @Override
            public void failed(String why) {
                outcome.completeExceptionally(new AssertionError(why));
            }
        };
    }
}
