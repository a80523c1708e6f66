package org.sylkserver.media.srtp;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP (RFC 3711) for one direction of one RTP session, keyed by an SDES line (RFC 4568). Create one
 * {@link #forSending} with our own {@code a=crypto} line and one {@link #forReceiving} with the line the peer sent us
 * (RFC 4568 §5.1: each side's line keys what that side sends).
 *
 * <p>SRTP is done by {@link RtpCryptoContext} on the session keys derived once ({@link SessionKeys}), in place in the
 * caller's array ({@link #protectRtp(ByteBuffer)}, {@link #unprotectRtp(ByteBuffer)}): it is the per-packet,
 * per-receiver cost of every forwarded packet. SRTCP, a few packets a second, is jitsi-srtp's.
 *
 * <p>Each SSRC gets its own cryptographic context (RFC 3711 §3.2.3), derived on its first packet with a rollover
 * counter of 0 (RFC 4568 §6.4 starts every stream at ROC 0). The SSRC is read from bytes 8..11 of an RTP packet (RFC
 * 3550 §5.1) and from bytes 4..7 of an RTCP packet, the sender SSRC of the first packet of the compound packet
 * (RFC 3550 §6.4.1, RFC 3711 §3.4). A receiving
 * transformer keeps a context only once a packet has authenticated with it, so that forged packets with random SSRCs
 * cannot make it derive and hold state without bound.
 *
 * <p>Replay protection (RFC 3711 §3.3.2) is on in both directions: a receiver rejects a packet index it has already
 * accepted or one older than the 64-packet window; a sender refuses to protect an RTP sequence number twice, since
 * that would reuse AES-CM keystream (RFC 3711 §9.1).
 *
 * <p>Thread safety: contexts are looked up in concurrent maps and each is used under its own lock (jitsi-srtp's SRTCP
 * contexts synchronise their transforms), so one thread may send RTP and another RTCP through the same instance. A
 * receiving transformer expects one thread per packet kind: should two threads deliver the very first packets of the
 * same new SSRC at once, one of the two fresh contexts is discarded with the replay record of its packet.
 *
 * <p>The methods on arrays return new arrays and never modify the caller's packet; those on a {@link ByteBuffer} work
 * in place. Master key lifetime (RFC 4568 §6.1) is not
 * enforced: a call is expected to rekey by re-INVITE long before 2^31 packets.
 */
public final class SrtpTransformer implements AutoCloseable {

    private static final Logger LOGGER = new LoggerImpl(SrtpTransformer.class.getName());

    /** RTP fixed header (RFC 3550 §5.1). */
    private static final int RTP_HEADER_LENGTH = 12;
    /** RTCP common header up to and including the sender SSRC (RFC 3550 §6.4.1). */
    private static final int RTCP_HEADER_LENGTH = 8;
    /** The E flag and SRTCP index appended to each SRTCP packet (RFC 3711 §3.4). */
    private static final int SRTCP_INDEX_LENGTH = 4;

    private final boolean sender;
    private final boolean relaying;
    private final CryptoSuite suite;
    private final SessionKeys rtpKeys;
    private final SrtpContextFactory factory;
    private final Map<Integer, SrtpStream> rtpStreams = new ConcurrentHashMap<>();
    private final Map<Integer, SrtcpCryptoContext> rtcpContexts = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** How many packets of each SSRC a relaying sender remembers: a few hundred milliseconds of video. */
    static final int REMEMBERED = 128;

    private SrtpTransformer(boolean sender, SdesCrypto keys, boolean relaying) {
        this.sender = sender;
        this.relaying = relaying;
        this.suite = keys.suite();
        byte[] key = keys.masterKey();
        byte[] salt = keys.masterSalt();
        try {
            rtpKeys = SessionKeys.derive(key, salt);
            factory = new SrtpContextFactory(sender, key, salt, policy(suite.srtpAuthTagLength()),
                    policy(suite.srtcpAuthTagLength()), LOGGER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES/CTR: " + e, e);
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(salt, (byte) 0);
        }
    }

    /** Protects what we send, with the keys of our own {@code a=crypto} line. */
    public static SrtpTransformer forSending(SdesCrypto keys) {
        return new SrtpTransformer(true, keys, false);
    }

    /**
     * Protects what we relay from another party, which may send a packet again with the same sequence number (a
     * generic NACK answered without RTX, RFC 4585 §6.2.1): a packet identical to one of the last
     * {@value #REMEMBERED} protected of its SSRC gets the same SRTP packet again. The same index is never encrypted over
     * different content (RFC 3711 §9.1): that is still refused.
     */
    public static SrtpTransformer forRelaying(SdesCrypto keys) {
        return new SrtpTransformer(true, keys, true);
    }

    /** Unprotects what the peer sends, with the keys of the peer's {@code a=crypto} line. */
    public static SrtpTransformer forReceiving(SdesCrypto keys) {
        return new SrtpTransformer(false, keys, false);
    }

    /** The suite this transformer was keyed for. */
    public CryptoSuite suite() {
        return suite;
    }

    /**
     * SRTP packet for the RTP packet {@code packet[0, length)}: payload encrypted, authentication tag of
     * {@link CryptoSuite#srtpAuthTagLength()} bytes appended (RFC 3711 §3.1).
     *
     * @throws IllegalArgumentException not an RTP packet (shorter than its header, or not version 2)
     * @throws IllegalStateException    a receiving or closed transformer
     * @throws SrtpException            the sequence number was protected before (REPLAY_FAIL), or the cipher failed
     */
    public byte[] protectRtp(byte[] packet, int length) throws SrtpException {
        checkSending(packet, length);
        byte[] srtp = new byte[length + suite.srtpAuthTagLength()];
        System.arraycopy(packet, 0, srtp, 0, length);
        protectRtp(srtp, 0, length);
        return srtp;
    }

    /**
     * Protects the RTP packet between the buffer's position and limit in place, as {@link #protectRtp(byte[], int)}:
     * the limit moves past the tag. The buffer must be a writable heap buffer with room for the tag after its limit.
     * On failure the buffer is left as it was.
     *
     * @throws IllegalArgumentException not an RTP packet, or a buffer without an array or room for the tag
     * @throws IllegalStateException    a receiving or closed transformer
     * @throws SrtpException            the sequence number was protected before (REPLAY_FAIL), or the cipher failed
     */
    public void protectRtp(ByteBuffer packet) throws SrtpException {
        checkArray(packet, suite.srtpAuthTagLength());
        checkSending(packet.array(), packet.arrayOffset() + packet.limit());
        int length = protectRtp(packet.array(), packet.arrayOffset() + packet.position(), packet.remaining());
        packet.limit(packet.position() + length);
    }

    private int protectRtp(byte[] buffer, int offset, int length) throws SrtpException {
        int headerLength = rtpHeaderLength(buffer, offset, length);
        if (headerLength < 0 || headerLength > length) {
            throw new IllegalArgumentException("not an RTP packet: " + length + " bytes, header needs "
                    + Math.max(headerLength, RTP_HEADER_LENGTH) + ", version " + version(buffer, offset, length));
        }
        int ssrc = readInt(buffer, offset + 8);
        try {
            // get first: computeIfAbsent's method reference was a new object for every packet protected
            SrtpStream stream = rtpStreams.get(ssrc);
            if (stream == null) {
                stream = rtpStreams.computeIfAbsent(ssrc, this::newRtpStream);
            }
            synchronized (stream) {
                return stream.protect(buffer, offset, length, headerLength);
            }
        } catch (SrtpException e) {
            throw failure(e, "protect RTP", ssrc);
        } catch (GeneralSecurityException | DerivationException e) {
            throw cipherFailure("protect RTP", ssrc, e);
        }
    }

    /**
     * RTP packet from the SRTP packet {@code packet[0, length)}: tag checked, replay checked, payload decrypted, tag
     * removed.
     *
     * @throws IllegalStateException a sending or closed transformer
     * @throws SrtpException         AUTH_FAIL (forged or corrupted), REPLAY_FAIL or REPLAY_OLD (replayed),
     *                               INVALID_PACKET (too short), FAIL (cipher failure)
     */
    public byte[] unprotectRtp(byte[] packet, int length) throws SrtpException {
        checkReceiving(packet, length);
        byte[] copy = Arrays.copyOf(packet, length);
        return Arrays.copyOf(copy, unprotectRtp(copy, 0, length));
    }

    /**
     * Unprotects the SRTP packet between the buffer's position and limit in place, as
     * {@link #unprotectRtp(byte[], int)}: the limit moves back before the tag. The buffer must be a writable heap
     * buffer. On failure the buffer is left as it was.
     *
     * @throws IllegalArgumentException a buffer without an array
     * @throws IllegalStateException    a sending or closed transformer
     * @throws SrtpException            as {@link #unprotectRtp(byte[], int)}
     */
    public void unprotectRtp(ByteBuffer packet) throws SrtpException {
        checkArray(packet, 0);
        checkReceiving(packet.array(), packet.arrayOffset() + packet.limit());
        int length = unprotectRtp(packet.array(), packet.arrayOffset() + packet.position(), packet.remaining());
        packet.limit(packet.position() + length);
    }

    private int unprotectRtp(byte[] buffer, int offset, int length) throws SrtpException {
        int tagLength = suite.srtpAuthTagLength();
        if (length < RTP_HEADER_LENGTH + tagLength || version(buffer, offset, length) != 2) {
            throw new SrtpException(SrtpErrorStatus.INVALID_PACKET, "cannot unprotect RTP: " + length
                    + " bytes of version " + version(buffer, offset, length) + " is not an SRTP packet with a "
                    + tagLength + "-byte tag");
        }
        int ssrc = readInt(buffer, offset + 8);
        int headerLength = rtpHeaderLength(buffer, offset, length - tagLength);
        if (headerLength < 0 || headerLength > length - tagLength) {
            throw new SrtpException(SrtpErrorStatus.INVALID_PACKET, "cannot unprotect RTP for SSRC " + hex(ssrc)
                    + ": its header (" + Math.max(headerLength, RTP_HEADER_LENGTH) + " bytes) runs into the tag");
        }
        try {
            SrtpStream stream = rtpStreams.get(ssrc);
            boolean fresh = stream == null;
            if (fresh) {
                stream = newRtpStream(ssrc);
            }
            int plainLength;
            synchronized (stream) {
                plainLength = stream.context.unprotect(buffer, offset, length, headerLength);
            }
            if (fresh) {
                // kept only once a packet authenticated with it: forged SSRCs leave nothing behind
                rtpStreams.putIfAbsent(ssrc, stream);
            }
            return plainLength;
        } catch (SrtpException e) {
            throw failure(e, "unprotect RTP", ssrc);
        } catch (GeneralSecurityException | DerivationException e) {
            throw cipherFailure("unprotect RTP", ssrc, e);
        }
    }

    /**
     * SRTCP packet for the (compound) RTCP packet {@code packet[0, length)}: encrypted after the first 8 bytes, E
     * flag and 31-bit SRTCP index appended, then a 10-byte authentication tag (RFC 3711 §3.4).
     *
     * @throws IllegalArgumentException not an RTCP packet (shorter than 8 bytes, or not version 2)
     * @throws IllegalStateException    a receiving or closed transformer
     * @throws SrtpException            the cipher failed
     */
    public byte[] protectRtcp(byte[] packet, int length) throws SrtpException {
        checkSending(packet, length);
        if (length < RTCP_HEADER_LENGTH || version(packet, length) != 2) {
            throw new IllegalArgumentException("not an RTCP packet: " + length + " bytes, version "
                    + version(packet, length));
        }
        int ssrc = rtcpSsrc(packet);
        PacketBuffer buffer = new PacketBuffer(packet, length, SRTCP_INDEX_LENGTH + suite.srtcpAuthTagLength());
        try {
            SrtcpCryptoContext context = rtcpContexts.computeIfAbsent(ssrc, this::deriveRtcp);
            check(context.transformPacket(buffer), "protect RTCP", ssrc);
        } catch (GeneralSecurityException | DerivationException e) {
            throw cipherFailure("protect RTCP", ssrc, e);
        }
        return buffer.toArray();
    }

    /**
     * RTCP packet from the SRTCP packet {@code packet[0, length)}: tag and SRTCP index checked, decrypted when the E
     * flag is set, index word and tag removed.
     *
     * @throws IllegalStateException a sending or closed transformer
     * @throws SrtpException         AUTH_FAIL, REPLAY_FAIL, REPLAY_OLD, INVALID_PACKET or FAIL as for
     *                               {@link #unprotectRtp}
     */
    public byte[] unprotectRtcp(byte[] packet, int length) throws SrtpException {
        checkReceiving(packet, length);
        if (length < RTCP_HEADER_LENGTH + SRTCP_INDEX_LENGTH + suite.srtcpAuthTagLength()
                || version(packet, length) != 2) {
            throw new SrtpException(SrtpErrorStatus.INVALID_PACKET, "cannot unprotect RTCP: " + length
                    + " bytes of version " + version(packet, length) + " is not an SRTCP packet with a "
                    + suite.srtcpAuthTagLength() + "-byte tag");
        }
        int ssrc = rtcpSsrc(packet);
        PacketBuffer buffer = new PacketBuffer(packet, length, 0);
        try {
            SrtcpCryptoContext context = rtcpContexts.get(ssrc);
            boolean fresh = context == null;
            if (fresh) {
                context = deriveRtcp(ssrc);
            }
            check(context.reverseTransformPacket(buffer), "unprotect RTCP", ssrc);
            if (fresh) {
                rtcpContexts.putIfAbsent(ssrc, context);
            }
        } catch (GeneralSecurityException | DerivationException e) {
            throw cipherFailure("unprotect RTCP", ssrc, e);
        }
        return buffer.toArray();
    }

    /** Number of SSRCs with a context (RTP and RTCP counted separately); for tests. */
    int contextCount() {
        return rtpStreams.size() + rtcpContexts.size();
    }

    /** Forgets all contexts and wipes the master key and salt; later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        rtpStreams.clear();
        rtcpContexts.clear();
        factory.close();
        synchronized (rtpKeys) {
            rtpKeys.wipe();
        }
    }

    /** RFC 4568 §6.2: AES-CM with 128-bit keys, HMAC-SHA1 with a 160-bit key, 112-bit salt; tag per suite. */
    private static SrtpPolicy policy(int authTagLength) {
        return new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, CryptoSuite.MASTER_KEY_LENGTH,
                SrtpPolicy.HMACSHA1_AUTHENTICATION, CryptoSuite.AUTH_KEY_LENGTH, authTagLength,
                CryptoSuite.MASTER_SALT_LENGTH);
    }

    /** A new SSRC's context, with ROC 0 (RFC 4568 §6.4) and the transformer's session keys. */
    private SrtpStream newRtpStream(int ssrc) {
        // under the keys' lock: a packet of a new SSRC racing close() must not get a context of wiped (zero) keys
        synchronized (rtpKeys) {
            if (closed) {
                throw new IllegalStateException("the SRTP transformer is closed");
            }
            return newRtpStreamOfOpenKeys();
        }
    }

    private SrtpStream newRtpStreamOfOpenKeys() {
        try {
            return new SrtpStream(new RtpCryptoContext(rtpKeys, suite.srtpAuthTagLength(), LOGGER),
                    relaying ? new SrtpStream.Remembered() : null);
        } catch (GeneralSecurityException e) {
            throw new DerivationException(e);
        }
    }

    private SrtcpCryptoContext deriveRtcp(int ssrc) {
        try {
            return factory.deriveControlContext(ssrc);
        } catch (GeneralSecurityException e) {
            throw new DerivationException(e);
        }
    }

    private void checkSending(byte[] packet, int length) {
        checkOpen(packet, length);
        if (!sender) {
            throw new IllegalStateException("cannot protect with a receiving SrtpTransformer: use forSending");
        }
    }

    private void checkReceiving(byte[] packet, int length) {
        checkOpen(packet, length);
        if (sender) {
            throw new IllegalStateException("cannot unprotect with a sending SrtpTransformer: use forReceiving");
        }
    }

    private void checkOpen(byte[] packet, int length) {
        if (closed) {
            throw new IllegalStateException("SrtpTransformer is closed");
        }
        if (length < 0 || length > packet.length) {
            throw new IndexOutOfBoundsException("length " + length + " outside packet of " + packet.length
                    + " bytes");
        }
    }

    private static void check(SrtpErrorStatus status, String operation, int ssrc) throws SrtpException {
        if (status != SrtpErrorStatus.OK) {
            throw new SrtpException(status, "cannot " + operation + " for SSRC " + hex(ssrc) + ": " + status.desc
                    + " (" + status + ")");
        }
    }

    private static SrtpException failure(SrtpException e, String operation, int ssrc) {
        return new SrtpException(e.status(), "cannot " + operation + " for SSRC " + hex(ssrc) + ": "
                + e.status().desc + " (" + e.status() + ")");
    }

    private static void checkArray(ByteBuffer packet, int room) {
        if (!packet.hasArray()) {
            throw new IllegalArgumentException("SRTP works in place on a writable heap buffer, not " + packet);
        }
        if (packet.capacity() - packet.limit() < room) {
            throw new IllegalArgumentException("no room for the " + room + "-byte tag after the packet in " + packet);
        }
    }

    private static SrtpException cipherFailure(String operation, int ssrc, Exception e) {
        Throwable cause = e instanceof DerivationException ? e.getCause() : e;
        return new SrtpException(SrtpErrorStatus.FAIL, "cannot " + operation + " for SSRC " + hex(ssrc) + ": "
                + cause, cause);
    }

    /**
     * Length of the RTP header at {@code offset} with CSRCs and extension (RFC 3550 §5.1, §5.3.1), or -1 when too
     * short to tell.
     */
    private static int rtpHeaderLength(byte[] packet, int offset, int length) {
        if (length < RTP_HEADER_LENGTH || version(packet, offset, length) != 2) {
            return -1;
        }
        int headerLength = RTP_HEADER_LENGTH + 4 * (packet[offset] & 0x0f);
        if ((packet[offset] & 0x10) != 0) {
            if (headerLength + 4 > length) {
                return headerLength + 4;
            }
            int words = ((packet[offset + headerLength + 2] & 0xff) << 8) | (packet[offset + headerLength + 3] & 0xff);
            headerLength += 4 + 4 * words;
        }
        return headerLength;
    }

    private static int version(byte[] packet, int offset, int length) {
        return length > 0 ? (packet[offset] & 0xff) >>> 6 : -1;
    }

    private static int version(byte[] packet, int length) {
        return version(packet, 0, length);
    }

    /** The sender SSRC of the first RTCP packet, bytes 4..7 (RFC 3550 §6.4.1). */
    private static int rtcpSsrc(byte[] packet) {
        return readInt(packet, 4);
    }

    private static int readInt(byte[] packet, int offset) {
        return ((packet[offset] & 0xff) << 24) | ((packet[offset + 1] & 0xff) << 16)
                | ((packet[offset + 2] & 0xff) << 8) | (packet[offset + 3] & 0xff);
    }

    private static String hex(int ssrc) {
        return String.format("0x%08x", ssrc);
    }

    /** Carries a checked exception out of {@link Map#computeIfAbsent}. */
    private static final class DerivationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DerivationException(GeneralSecurityException cause) {
            super(cause);
        }
    }
}
