package org.sylkserver.media.pipeline;

/**
 * Counts what passes: RTP packets and their bytes, RTCP compound packets. Placed where a count means something
 * (after latching: what the peer sent us; at the end of a relay: what was relayed).
 */
public final class PacketCounter extends Stage {

    private final boolean sizeAsReceived;
    private volatile long rtpPackets;
    private volatile long rtpBytes;
    private volatile long rtcpPackets;

    /**
     * @param name           what is counted ({@code received}, {@code relayed}...)
     * @param sizeAsReceived whether bytes are counted as the datagram arrived ({@link Packet#datagramLength()}),
     *                       else as the packet is now (decrypted, rewritten)
     */
    public PacketCounter(String name, boolean sizeAsReceived) {
        super(name);
        this.sizeAsReceived = sizeAsReceived;
    }

    @Override
    protected Packet handle(Packet packet) {
        if (packet.isRtcp()) {
            rtcpPackets++;
        } else {
            rtpPackets++;
            rtpBytes += sizeAsReceived ? packet.datagramLength() : packet.buffer().remaining();
        }
        return packet;
    }

    public long rtpPackets() {
        return rtpPackets;
    }

    public long rtpBytes() {
        return rtpBytes;
    }

    public long rtcpPackets() {
        return rtcpPackets;
    }
}
