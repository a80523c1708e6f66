package org.sylkserver.media.dtls;

import java.net.InetSocketAddress;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * DTLS records (RFC 7983 §7: first byte 20-63) from a source the owner accepts (one that passed an ICE check) go to
 * its DTLS session; those from elsewhere, or that it refuses are dropped. Everything else goes on, DTLS too while
 * there is no session (the next stages drop what is not RTP).
 */
public final class DtlsRecords extends Stage {

    private final Predicate<Packet> accepted;
    private final Supplier<DtlsSession> session;

    /**
     * @param accepted whether a record may come from where it came (RFC 8445 §2.5: only from a pair that passed a
     *                 check)
     * @param session  the session now, or null while there is none (read per record)
     */
    public DtlsRecords(Predicate<Packet> accepted, Supplier<DtlsSession> session) {
        super("dtls");
        this.accepted = accepted;
        this.session = session;
    }

    /** Records from the pairs {@code ice} checked (a socket of its own: the WebRTC legs'). */
    public static DtlsRecords fromCheckedPairs(IceLite ice, Supplier<DtlsSession> session) {
        return new DtlsRecords(packet -> ice.isChecked((InetSocketAddress) packet.source()), session);
    }

    /** Whether the packet starts like a DTLS record (RFC 7983 §7). */
    public static boolean isDtls(Packet packet) {
        if (!packet.buffer().hasRemaining()) {
            return false;
        }
        int first = packet.buffer().get(packet.buffer().position()) & 0xff;
        return first >= 20 && first <= 63;
    }

    @Override
    protected Packet handle(Packet packet) {
        if (!isDtls(packet)) {
            return packet;
        }
        DtlsSession current = session.get();
        if (current == null) {
            return packet;
        }
        boolean taken = accepted.test(packet)
                && current.received(packet.copy());
        return taken ? consume() : drop();
    }
}
