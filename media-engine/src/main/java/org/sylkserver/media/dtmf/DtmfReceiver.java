package org.sylkserver.media.dtmf;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.RtpHeader;

/**
 * Turns the telephone-event packets of one RTP stream (RFC 4733 §2.5.2, receiver procedures) into one
 * {@link DtmfListener#eventEnded} call per event, however many update, retransmitted, duplicated or reordered
 * packets carry it.
 *
 * <p>An event is identified by its RTP timestamp, which is the same in all its packets (RFC 4733 §2.5.1.2). Within
 * an event, a packet whose sequence number is not newer than the newest seen is a duplicate or arrived out of order,
 * and carries nothing newer (durations only grow), so it is dropped. A packet whose timestamp is older than the
 * current event's belongs to an event already reported and is dropped too. Sequence numbers are not compared across
 * events because audio packets of the same stream share that number space, and a long call can make them wrap.
 *
 * <p>Not thread-safe: one thread (the endpoint's receive loop) owns a receiver.
 */
public final class DtmfReceiver {

    private static final Logger LOG = Logger.getLogger("sylk.media.dtmf");

    /** A drop of the duration field by more than this, within one segment, means it wrapped past 65535. */
    private static final int MAX_DURATION_HALF = TelephoneEvent.MAX_DURATION / 2;

    /** Where the receiver stands with respect to the event it last saw. */
    public enum State {
        /** No telephone-event packet seen yet. */
        IDLE,
        /** An event has begun and its end has not been seen (RFC 4733 §2.5.2). */
        ACTIVE,
        /** The current event was reported; packets with its timestamp are retransmissions (§2.5.1.4). */
        ENDED
    }

    private final int clockRate;
    private final DtmfListener listener;

    private State state = State.IDLE;
    private int event;
    /** RTP timestamp of the event's first segment: what identifies it to the application. */
    private long eventTimestamp;
    /** RTP timestamp of the segment being received (RFC 4733 §2.5.1.3); identifies its packets. */
    private long segmentTimestamp;
    private int highestSequence;
    /** Duration of the event before the current segment, and before duration-field wraps within it. */
    private long earlierDuration;
    /** Duration field of the newest packet of the current segment. */
    private int segmentDuration;

    /**
     * @param clockRate RTP clock rate of the telephone-event payload type (its rtpmap, usually 8000 Hz)
     * @param listener  told of each event once it ends
     */
    public DtmfReceiver(int clockRate, DtmfListener listener) {
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clock rate must be positive: " + clockRate);
        }
        this.clockRate = clockRate;
        this.listener = listener;
    }

    /** The receiver's state, for diagnostics and tests. */
    public State state() {
        return state;
    }

    /**
     * Handles a whole telephone-event RTP packet between {@code packet.position()} and its limit, whose header
     * {@link RtpHeader#parse} has already read. The buffer's position is left unchanged.
     *
     * @throws MalformedTelephoneEventException if the payload is not a valid RFC 4733 §2.3 payload
     */
    public void receive(RtpHeader header, ByteBuffer packet) {
        int payloadStart = packet.position() + header.headerLength();
        ByteBuffer payload = packet.duplicate();
        payload.position(payloadStart).limit(payloadStart + header.payloadLength());
        receive(header.sequence(), header.timestamp(), header.marker(), payload);
    }

    /**
     * Handles one telephone-event packet given by its RTP header fields and its payload (between
     * {@code payload.position()} and its limit).
     *
     * @throws MalformedTelephoneEventException if the payload is not a valid RFC 4733 §2.3 payload; the receiver's
     *                                          state is then unchanged
     */
    public void receive(int sequence, long timestamp, boolean marker, ByteBuffer payload) {
        List<TelephoneEvent> events = TelephoneEvent.parse(payload);
        // RFC 4733 §2.5.2.4: packed events follow each other without gap, the first at the packet's timestamp;
        // only the first can be the start the marker bit announces.
        long eventStart = timestamp & 0xffffffffL;
        boolean first = true;
        for (TelephoneEvent packed : events) {
            handle(sequence & 0xffff, eventStart, first && marker, packed);
            eventStart = (eventStart + packed.duration()) & 0xffffffffL;
            first = false;
        }
    }

    /**
     * Reports the event in progress as ended, with the duration last received, when its end will not come: the
     * stream stopped or the application gave up waiting (all three end packets lost, RFC 4733 §2.5.1.4).
     */
    public void flush() {
        if (state == State.ACTIVE) {
            report(false);
        }
    }

    private void handle(int sequence, long timestamp, boolean marker, TelephoneEvent packet) {
        if (state == State.IDLE) {
            begin(sequence, timestamp, marker, packet);
        } else if (timestamp == segmentTimestamp) {
            if (!isNewer16(sequence, highestSequence)) {
                LOG.log(Level.FINE, "dropping duplicate or reordered telephone-event packet {0}", sequence);
            } else if (state == State.ENDED) {
                ignoreRetransmission(sequence);
            } else if (packet.event() != event) {
                // §2.5.1.2: a new event takes a new timestamp, so this packet contradicts the ones before it.
                LOG.log(Level.FINE, "dropping telephone-event packet {0}: event {1} where {2} was in progress",
                        new Object[] {sequence, packet.event(), event});
            } else {
                update(sequence, packet);
            }
        } else if (!isNewer32(timestamp, segmentTimestamp)) {
            LOG.log(Level.FINE, "dropping late telephone-event packet {0} of an earlier event", sequence);
        } else if (state == State.ACTIVE && continuesSegment(timestamp, marker, packet)) {
            continueSegment(sequence, timestamp, packet);
        } else if (state == State.ACTIVE) {
            supersede(sequence, timestamp, marker, packet);
        } else {
            begin(sequence, timestamp, marker, packet);
        }
    }

    /**
     * Transition to ACTIVE: a packet with a timestamp not seen before starts an event (RFC 4733 §2.5.1.2). The
     * marker bit should be set on it, but the first packet may have been lost (§2.5.2), so the first packet seen
     * starts the event whether or not it carries the marker.
     */
    private void begin(int sequence, long timestamp, boolean marker, TelephoneEvent packet) {
        state = State.ACTIVE;
        event = packet.event();
        eventTimestamp = timestamp;
        segmentTimestamp = timestamp;
        highestSequence = sequence;
        earlierDuration = 0;
        segmentDuration = packet.duration();
        LOG.log(Level.FINE, "telephone-event {0} began at timestamp {1}{2}",
                new Object[] {event, timestamp, marker ? "" : " (start packet lost)"});
        if (packet.end()) {
            end(packet);
        }
    }

    /** ACTIVE to ACTIVE: an update with the duration so far (RFC 4733 §2.5.1.2), or the end (E bit, §2.3.2). */
    private void update(int sequence, TelephoneEvent packet) {
        highestSequence = sequence;
        if (segmentDuration - packet.duration() > MAX_DURATION_HALF) {
            // The sender let the 16-bit duration wrap instead of starting a segment (§2.5.1.3 asks for segments):
            // count the wrap rather than take the event for a new one.
            earlierDuration += TelephoneEvent.MAX_DURATION + 1;
            segmentDuration = packet.duration();
        } else {
            segmentDuration = Math.max(segmentDuration, packet.duration());
        }
        if (packet.end()) {
            end(packet);
        }
    }

    /** ACTIVE to ENDED: the first end packet seen reports the event with its final duration (RFC 4733 §2.5.1.4). */
    private void end(TelephoneEvent packet) {
        segmentDuration = Math.max(segmentDuration, packet.duration());
        report(true);
    }

    /** ENDED to ENDED: the end packet is sent three times (RFC 4733 §2.5.1.4); the event was already reported. */
    private void ignoreRetransmission(int sequence) {
        highestSequence = sequence;
        LOG.log(Level.FINEST, "ignoring retransmitted end of telephone-event {0}", event);
    }

    /**
     * ACTIVE to ACTIVE: a long event goes on in a new segment whose timestamp is the previous segment's plus its
     * duration (RFC 4733 §2.5.1.3, §2.5.2.3); the duration adds up and the event is not reported twice.
     */
    private void continueSegment(int sequence, long timestamp, TelephoneEvent packet) {
        earlierDuration += (timestamp - segmentTimestamp) & 0xffffffffL;
        segmentTimestamp = timestamp;
        highestSequence = sequence;
        segmentDuration = packet.duration();
        LOG.log(Level.FINE, "telephone-event {0} continues in a new segment at timestamp {1}",
                new Object[] {event, timestamp});
        if (packet.end()) {
            end(packet);
        }
    }

    /**
     * ACTIVE to ACTIVE: a new event began while no end of the previous one was seen, all its end packets lost
     * (RFC 4733 §2.5.1.4): the previous event is reported as ended with the duration last received.
     */
    private void supersede(int sequence, long timestamp, boolean marker, TelephoneEvent packet) {
        report(false);
        begin(sequence, timestamp, marker, packet);
    }

    /**
     * Whether a packet with a newer timestamp is the next segment of the active long event (RFC 4733 §2.5.2.3):
     * same event, no marker, and starting where the current segment ends, or at the longest a segment can be when
     * its last packets were lost.
     */
    private boolean continuesSegment(long timestamp, boolean marker, TelephoneEvent packet) {
        long offset = (timestamp - segmentTimestamp) & 0xffffffffL;
        return packet.event() == event && !marker
                && (offset == segmentDuration || offset == TelephoneEvent.MAX_DURATION);
    }

    private void report(boolean endReceived) {
        state = State.ENDED;
        DtmfEvent ended = new DtmfEvent(event, eventTimestamp, earlierDuration + segmentDuration, clockRate,
                endReceived);
        LOG.log(Level.FINE, "telephone-event {0} ended after {1} ms{2}", new Object[] {event,
                ended.durationMillis(), endReceived ? "" : " (end inferred)"});
        listener.eventEnded(ended);
    }

    /** RFC 3550 §A.1 style serial comparison: {@code a} comes after {@code b} in 16-bit sequence space. */
    private static boolean isNewer16(int a, int b) {
        int delta = (a - b) & 0xffff;
        return delta != 0 && delta < 0x8000;
    }

    /** {@code a} comes after {@code b} in 32-bit RTP timestamp space. */
    private static boolean isNewer32(long a, long b) {
        long delta = (a - b) & 0xffffffffL;
        return delta != 0 && delta < 0x80000000L;
    }
}
