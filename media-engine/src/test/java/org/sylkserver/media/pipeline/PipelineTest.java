package org.sylkserver.media.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** A pipeline runs its stages top to bottom and stops where one drops or consumes the packet. */
class PipelineTest {

    /** Notes its name; drops, consumes or passes by the packet's first byte. */
    private static final class Step extends Stage {
        private final List<String> seen;
        private final int dropOn;
        private final int consumeOn;

        Step(String name, List<String> seen, int dropOn, int consumeOn) {
            super(name);
            this.seen = seen;
            this.dropOn = dropOn;
            this.consumeOn = consumeOn;
        }

        @Override
        protected Packet handle(Packet packet) {
            seen.add(name());
            int first = packet.buffer().get(0);
            return first == dropOn ? drop() : first == consumeOn ? consume() : packet;
        }
    }

    static Packet packet(int... bytes) {
        byte[] data = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            data[i] = (byte) bytes[i];
        }
        return new Packet(ByteBuffer.wrap(data), new InetSocketAddress("127.0.0.1", 4000), 0, false);
    }

    @Test
    void packetsGoTopToBottomUntilAStageDropsOrConsumesThem() {
        List<String> seen = new ArrayList<>();
        Step first = new Step("first", seen, 1, -1);
        Step second = new Step("second", seen, -1, 2);
        Step third = new Step("third", seen, -1, -1);
        Pipeline pipeline = Pipeline.named("test").then(first).then(second).then(third).build();

        assertTrue(pipeline.accept(packet(0)));
        assertEquals(List.of("first", "second", "third"), seen);
        seen.clear();
        assertFalse(pipeline.accept(packet(1)));
        assertEquals(List.of("first"), seen, "dropped by the first stage: no other sees it");
        seen.clear();
        assertFalse(pipeline.accept(packet(2)));
        assertEquals(List.of("first", "second"), seen, "consumed by the second");

        assertEquals(3, first.packets());
        assertEquals(1, first.dropped());
        assertEquals(2, second.packets());
        assertEquals(0, second.dropped(), "a consumed packet is no drop");
        assertEquals(1, third.packets());
        assertEquals(1, pipeline.dropped());
        assertEquals(List.of(first, second, third), pipeline.stages());
        assertEquals("test [first 3/1, second 2/0, third 1/0]", pipeline.toString());
    }

    @Test
    void theCounterCountsRtpBytesAsReceivedOrAsTheyAreNow() {
        PacketCounter received = new PacketCounter("received", true);
        PacketCounter now = new PacketCounter("now", false);
        Pipeline pipeline = Pipeline.of("count", List.of(received, new Stage("shrink") {
            @Override
            protected Packet handle(Packet packet) {
                packet.buffer(ByteBuffer.wrap(new byte[3]));
                return packet;
            }
        }, now));
        pipeline.accept(packet(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        Packet rtcp = packet(0x80, 200, 0, 0);
        rtcp.rtcp(true);
        pipeline.accept(rtcp);
        assertEquals(1, received.rtpPackets());
        assertEquals(10, received.rtpBytes());
        assertEquals(3, now.rtpBytes());
        assertEquals(1, now.rtcpPackets());
    }
}
