package org.sylkserver.media.rtcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The transport-wide congestion control feedback message (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1:
 * RTPFB, FMT 15): which packets of a transport, by their transport-wide sequence number (§2), arrived and when. The
 * one encoder and parser of it in the media engine.
 *
 * <pre>
 *  base sequence number | packet status count
 *  reference time (24 bits, 64 ms units) | feedback packet count
 *  packet chunks (16 bits each) ... receive deltas (1 or 2 bytes each) ... zero padding
 * </pre>
 *
 * A packet's status (§3.1.1) is one of not received, received with a small delta (one unsigned byte of 250 µs) or
 * received with a large or negative delta (two signed bytes). Chunks are run-length (§3.1.3: T=0, a symbol, a 13-bit
 * run) or status vectors (§3.1.4: T=1, then fourteen 1-bit or seven 2-bit symbols). The first receive delta is
 * relative to the reference time, each next one to the previous packet's arrival (§3.1.5).
 *
 * @param senderSsrc     the SSRC of the packet's sender
 * @param mediaSsrc      the SSRC of the media source (informative: the feedback is about the whole transport)
 * @param baseSequence   the transport-wide sequence number of the first packet reported
 * @param referenceTime  the 24-bit reference time, in 64 ms units, as sent (it wraps)
 * @param feedbackCount  the 8-bit count of feedback packets the receiver sent
 * @param arrivalMicros  per packet from {@code baseSequence} on: its arrival in µs since reference time 0 (of this
 *                       message's reference time, not unwrapped), or {@link #NOT_RECEIVED}
 */
public record TransportFeedback(long senderSsrc, long mediaSsrc, int baseSequence, int referenceTime,
                                int feedbackCount, long[] arrivalMicros) {

    /** The header extension's URI (§2), as {@code a=extmap} names it. */
    public static final String URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /** The {@code a=rtcp-fb} value that enables the feedback (§4). */
    public static final String RTCP_FB = "transport-cc";
    /** RTPFB FMT of the message (§3.1). */
    public static final int FMT = 15;
    /** An arrival of a packet that was not received. */
    public static final long NOT_RECEIVED = Long.MIN_VALUE;
    /** The reference time's unit (§3.1), in µs. */
    public static final long REFERENCE_UNIT_MICROS = 64_000;
    /** The receive deltas' unit (§3.1.5), in µs. */
    public static final long DELTA_UNIT_MICROS = 250;
    /** The most packets one message reports here (the field allows 65535; a receiver reports far fewer). */
    public static final int MAX_STATUSES = 8191;

    private static final int NOT_RECEIVED_SYMBOL = 0;
    private static final int SMALL_DELTA = 1;
    private static final int LARGE_DELTA = 2;
    private static final int MAX_RUN = 0x1fff;

    /** How many packets the message reports. */
    public int statusCount() {
        return arrivalMicros.length;
    }

    /**
     * Encodes a message reporting the packets from {@code baseSequence} on, {@code arrivalMicros[i]} being the
     * arrival of packet {@code baseSequence + i} in µs on the receiver's clock (or {@link #NOT_RECEIVED}). The
     * reference time is the first arrival rounded down to 64 ms (taken modulo 2^24); arrivals are rounded to 250 µs.
     *
     * @throws IllegalArgumentException no packet was received, more than {@link #MAX_STATUSES} are reported, or two
     *                                  successive arrivals are further apart than a 16-bit delta reaches (±8.19 s)
     */
    public static ByteBuffer encode(long senderSsrc, long mediaSsrc, int baseSequence, int feedbackCount,
                                    long[] arrivalMicros) {
        int count = arrivalMicros.length;
        if (count == 0 || count > MAX_STATUSES) {
            throw new IllegalArgumentException("a feedback reports 1-" + MAX_STATUSES + " packets: " + count);
        }
        long first = Arrays.stream(arrivalMicros).filter(a -> a != NOT_RECEIVED).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("a feedback reports at least one received packet"));
        long reference = Math.floorDiv(first, REFERENCE_UNIT_MICROS);
        int[] symbols = new int[count];
        int[] deltas = new int[count];
        long previous = reference * (REFERENCE_UNIT_MICROS / DELTA_UNIT_MICROS);
        int deltaBytes = 0;
        for (int i = 0; i < count; i++) {
            if (arrivalMicros[i] == NOT_RECEIVED) {
                continue;
            }
            long ticks = Math.floorDiv(arrivalMicros[i], DELTA_UNIT_MICROS);
            long delta = ticks - previous;
            if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
                throw new IllegalArgumentException("arrivals too far apart for a receive delta: " + delta * 250
                        + " µs");
            }
            previous = ticks;
            deltas[i] = (int) delta;
            symbols[i] = delta >= 0 && delta <= 0xff ? SMALL_DELTA : LARGE_DELTA;
            deltaBytes += symbols[i];
        }
        short[] chunks = chunks(symbols);
        int length = 20 + 2 * chunks.length + deltaBytes;
        int padded = (length + 3) & ~3;
        ByteBuffer out = ByteBuffer.allocate(padded);
        out.put((byte) (0x80 | FMT)).put((byte) RtcpCompound.RTPFB).putShort((short) (padded / 4 - 1))
                .putInt((int) senderSsrc).putInt((int) mediaSsrc).putShort((short) baseSequence)
                .putShort((short) count).put((byte) (reference >> 16)).put((byte) (reference >> 8))
                .put((byte) reference).put((byte) feedbackCount);
        for (short chunk : chunks) {
            out.putShort(chunk);
        }
        for (int i = 0; i < count; i++) {
            if (symbols[i] == SMALL_DELTA) {
                out.put((byte) deltas[i]);
            } else if (symbols[i] == LARGE_DELTA) {
                out.putShort((short) deltas[i]);
            }
        }
        return out.position(0);
    }

    /**
     * The chunks of {@code symbols}: a run-length chunk (§3.1.3) where a run of one symbol covers a whole vector or
     * the rest, else a vector of fourteen 1-bit symbols when they are all "not received" or "small delta", else seven
     * 2-bit ones (§3.1.4). A vector's symbols past the last packet are zero.
     */
    private static short[] chunks(int[] symbols) {
        List<Short> chunks = new ArrayList<>();
        int count = symbols.length;
        for (int i = 0; i < count; ) {
            int run = 1;
            while (i + run < count && symbols[i + run] == symbols[i] && run < MAX_RUN) {
                run++;
            }
            if (run >= Math.min(14, count - i)) {
                chunks.add((short) ((symbols[i] << 13) | run));
                i += run;
                continue;
            }
            boolean oneBit = true;
            for (int j = i; j < Math.min(count, i + 14); j++) {
                oneBit &= symbols[j] <= SMALL_DELTA;
            }
            int chunk = oneBit ? 0x8000 : 0xc000;
            int size = oneBit ? 14 : 7;
            int bits = oneBit ? 1 : 2;
            for (int slot = 0; slot < size; slot++) {
                int symbol = i + slot < count ? symbols[i + slot] : NOT_RECEIVED_SYMBOL;
                chunk |= symbol << (14 - bits * (slot + 1));
            }
            chunks.add((short) chunk);
            i += size;
        }
        short[] out = new short[chunks.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = chunks.get(i);
        }
        return out;
    }

    /**
     * The transport-wide feedback messages of an RTCP compound (from {@code datagram}'s position to its limit, which
     * are left alone), in order. A message that does not hold what its header announces (chunks or deltas past its
     * length, the reserved symbol, more than {@link #MAX_STATUSES} packets) is left out: bad input is skipped, never
     * thrown.
     */
    public static List<TransportFeedback> parse(ByteBuffer datagram) {
        List<TransportFeedback> messages = new ArrayList<>(1);
        int end = datagram.limit();
        for (int offset = datagram.position(); offset + 4 <= end; ) {
            int first = datagram.get(offset) & 0xff;
            int type = datagram.get(offset + 1) & 0xff;
            int length = 4 * ((datagram.getShort(offset + 2) & 0xffff) + 1);
            if (type == RtcpCompound.RTPFB && (first & 0x1f) == FMT && offset + length <= end) {
                TransportFeedback message = parseOne(datagram, offset, offset + length);
                if (message != null) {
                    messages.add(message);
                }
            }
            offset += length;
        }
        return messages;
    }

    private static TransportFeedback parseOne(ByteBuffer in, int start, int end) {
        if (end - start < 20) {
            return null;
        }
        int base = in.getShort(start + 12) & 0xffff;
        int count = in.getShort(start + 14) & 0xffff;
        int reference = in.getInt(start + 16) >>> 8;
        int feedbackCount = in.get(start + 19) & 0xff;
        if (count == 0 || count > MAX_STATUSES) {
            return null;
        }
        int[] symbols = new int[count];
        int at = start + 20;
        for (int filled = 0; filled < count; at += 2) {
            if (at + 2 > end) {
                return null;
            }
            int chunk = in.getShort(at) & 0xffff;
            if ((chunk & 0x8000) == 0) {
                int symbol = (chunk >> 13) & 0x3;
                int run = chunk & MAX_RUN;
                for (int i = 0; i < run && filled < count; i++) {
                    symbols[filled++] = symbol;
                }
            } else {
                boolean oneBit = (chunk & 0x4000) == 0;
                int size = oneBit ? 14 : 7;
                int bits = oneBit ? 1 : 2;
                for (int slot = 0; slot < size && filled < count; slot++) {
                    symbols[filled++] = (chunk >> (14 - bits * (slot + 1))) & (oneBit ? 0x1 : 0x3);
                }
            }
        }
        long[] arrivals = new long[count];
        long ticks = (long) reference * (REFERENCE_UNIT_MICROS / DELTA_UNIT_MICROS);
        for (int i = 0; i < count; i++) {
            switch (symbols[i]) {
                case NOT_RECEIVED_SYMBOL -> {
                    arrivals[i] = NOT_RECEIVED;
                    continue;
                }
                case SMALL_DELTA -> {
                    if (at + 1 > end) {
                        return null;
                    }
                    ticks += in.get(at) & 0xff;
                    at += 1;
                }
                case LARGE_DELTA -> {
                    if (at + 2 > end) {
                        return null;
                    }
                    ticks += in.getShort(at);
                    at += 2;
                }
                default -> {
                    return null; // §3.1.1: the fourth symbol is reserved
                }
            }
            arrivals[i] = ticks * DELTA_UNIT_MICROS;
        }
        return new TransportFeedback(in.getInt(start + 4) & 0xffffffffL, in.getInt(start + 8) & 0xffffffffL, base,
                reference, feedbackCount, arrivals);
    }
}
