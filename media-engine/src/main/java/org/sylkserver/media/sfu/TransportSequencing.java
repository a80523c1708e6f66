package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

import org.sylkserver.media.HeaderExtension;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * The transport-wide sequence numbers of a feed whose browser accepted them
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): every packet the feed sends gets the next one, and each
 * number is noted sent in the feed's {@link FeedBandwidth}, whose estimator reads the browser's feedback of it. As a
 * stage ({@code sequencing}, after the rewriting, so that a dropped packet takes no number) it numbers each packet
 * forwarded; the feed numbers its retransmission packets with {@link #number}. I/O thread.
 */
final class TransportSequencing extends Stage {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** A header extension block with one transport-wide sequence number element: 4 + 1 + 2 bytes, padded. */
    static final int BLOCK = 8;

    /** The header-extension id of the transport-wide sequence number the browser accepted. */
    private final int id;
    private final FeedBandwidth bandwidth;
    /** The next transport-wide sequence number. */
    private int next = RANDOM.nextInt(1 << 16);

    TransportSequencing(int id, FeedBandwidth bandwidth) {
        super("sequencing");
        this.id = id;
        this.bandwidth = bandwidth;
    }

    /** As {@link #copyWithTransportSequence}, with the id the browser accepted. */
    int copy(ByteBuffer source, RtpHeader header, byte[] into) {
        return copyWithTransportSequence(source, header, id, into);
    }

    /**
     * Copies the RTP packet {@code source} into {@code into} with one header extension block (RFC 8285 §4.2,
     * one-byte elements) holding only a transport-wide sequence number element (its number written by
     * {@code sequencing}) in place of the publisher's extensions; returns the copy's length.
     */
    static int copyWithTransportSequence(ByteBuffer source, RtpHeader header, int transportCcId, byte[] into) {
        int start = source.position();
        int fixed = RtpHeader.FIXED_LENGTH + 4 * header.csrcCount();
        source.get(start, into, 0, fixed);
        into[0] |= 0x10;
        into[fixed] = (byte) 0xBE;
        into[fixed + 1] = (byte) 0xDE;
        into[fixed + 2] = 0;
        into[fixed + 3] = 1;
        into[fixed + 4] = (byte) ((transportCcId << 4) | 1);
        into[fixed + 5] = 0;
        into[fixed + 6] = 0;
        into[fixed + 7] = 0;
        int rest = source.remaining() - header.headerLength();
        source.get(start + header.headerLength(), into, fixed + BLOCK, rest);
        return fixed + BLOCK + rest;
    }

    /** Writes the next transport-wide sequence number into the packet's element and notes it sent. */
    void number(ByteBuffer packet, RtpHeader header) {
        long element = HeaderExtension.find(packet, header, id);
        if (element < 0 || HeaderExtension.length(element) != 2) {
            return;
        }
        int sequence = next;
        next = (next + 1) & 0xffff;
        packet.putShort(HeaderExtension.offset(element), (short) sequence);
        bandwidth.sent(sequence, System.nanoTime(), packet.remaining());
    }

    @Override
    protected Packet handle(Packet packet) {
        number(packet.buffer(), packet.header());
        return packet;
    }
}
