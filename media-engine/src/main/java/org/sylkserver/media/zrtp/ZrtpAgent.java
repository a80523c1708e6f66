package org.sylkserver.media.zrtp;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import gnu.java.zrtp.ZRtp;
import gnu.java.zrtp.ZrtpCallback;
import gnu.java.zrtp.ZrtpCodes;
import gnu.java.zrtp.ZrtpConfigure;
import gnu.java.zrtp.ZrtpSrtpSecrets;
import gnu.java.zrtp.utils.ZrtpCrc32;
import gnu.java.zrtp.zidfile.ZidFile;

import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;

/**
 * ZRTP (RFC 6189) key agreement for one RTP stream, on zrtp4j (the protocol engine libjitsi uses): we frame its
 * messages into ZRTP packets (§5: first byte 0x10, sequence number, magic cookie {@code ZRTP}, SSRC, message,
 * CRC-32C), drive its timers, and hand the SRTP master keys it derives to the endpoint, initiator and responder
 * keys each in their direction (§4.5.3). The short authentication string (§7) is reported to the application,
 * which can show it, speak it, or send it in chat (spec §3.8).
 *
 * <p>Threads: packets arrive on the media engine's I/O thread, timeouts on the scheduler's; the engine is
 * called under this object's lock.
 */
public final class ZrtpAgent implements ZrtpCallback, AutoCloseable {

    /** What the endpoint and the application learn. */
    public interface Listener {
        /** SRTP keys agreed: protect what we send with {@code send}, check what we receive with {@code receive}. */
        void secure(SdesCrypto send, SdesCrypto receive);

        /** The short authentication string, once the stream is secure, and whether the peer verified it before. */
        default void sas(String sas, boolean verified) {
        }

        /** Negotiation failed or the peer does not speak ZRTP; the stream stays as it was. */
        default void failed(String why) {
        }
    }

    /** Sends one complete ZRTP packet to the peer (on the RTP socket). */
    @FunctionalInterface
    public interface Transport {
        void send(byte[] packet);
    }

    private static final Logger log = Logger.getLogger(ZrtpAgent.class.getName());
    private static final int HEADER = 12;
    private static final int CRC = 4;
    private static final int MAGIC = 0x5A525450;

    private final ZRtp engine;
    private final Transport transport;
    private final Listener listener;
    private final ScheduledExecutorService timer;
    private final long ssrc;
    private int sequence = new SecureRandom().nextInt(1 << 16);
    private ScheduledFuture<?> timeout;
    private SdesCrypto sendKey;
    private SdesCrypto receiveKey;
    private volatile String sas;
    private boolean closed;

    /**
     * @param zidCache the file that keeps this server's ZID and the retained secrets of peers (created if absent;
     *                 one per server)
     * @param ssrc     our RTP SSRC, written in our ZRTP packets
     */
    public ZrtpAgent(Path zidCache, long ssrc, ScheduledExecutorService timer, Transport transport, Listener listener) {
        this(zidCache, null, ssrc, timer, transport, listener);
    }

    /**
     * As above with our ZRTP identifier given rather than the cache's: two agents in one process (tests, or a
     * server talking to itself) need different ones, as RFC 6189 §4.1 makes equal ZIDs an error.
     */
    public ZrtpAgent(Path zidCache, byte[] zid, long ssrc, ScheduledExecutorService timer, Transport transport,
              Listener listener) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.ssrc = ssrc;
        byte[] cacheZid = openCache(zidCache);
        ZrtpConfigure configure = new ZrtpConfigure();
        // the mandatory algorithms (DH-3072, SHA-256, AES-128, HMAC-SHA1 32/80, base-32 SAS; RFC 6189 §5.1.5):
        // zrtp4j's elliptic-curve key agreement fails with the BouncyCastle release the server ships
        configure.setMandatoryOnly();
        this.engine = new ZRtp(zid != null ? zid : cacheZid, this, "SylkServer-Java", configure);
    }

    private static synchronized byte[] openCache(Path zidCache) {
        ZidFile cache = ZidFile.getInstance();
        if (!cache.isOpen()) {
            try {
                Files.createDirectories(zidCache.toAbsolutePath().getParent());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot create the ZRTP cache directory for " + zidCache, e);
            }
            if (cache.open(zidCache.toString()) < 0) {
                throw new IllegalStateException("cannot open the ZRTP cache " + zidCache);
            }
        }
        return cache.getZid();
    }

    /** Starts the negotiation (sends Hello). */
    public synchronized void start() {
        engine.startZrtpEngine();
    }

    /** Whether {@code packet} (from its position) is a ZRTP packet rather than RTP (RFC 6189 §5). */
    public static boolean isZrtp(ByteBuffer packet) {
        int at = packet.position();
        return packet.remaining() >= HEADER + CRC && (packet.get(at) & 0xf0) == 0x10 && packet.getInt(at + 4) == MAGIC;
    }

    /** One ZRTP packet from the peer; packets with a bad CRC are dropped (§5). */
    public void received(ByteBuffer packet) {
        byte[] bytes = new byte[packet.remaining()];
        packet.get(packet.position(), bytes);
        int crc = ByteBuffer.wrap(bytes, bytes.length - CRC, CRC).getInt();
        if (!ZrtpCrc32.zrtpCheckCksum(bytes, 0, bytes.length - CRC, crc)) {
            log.fine("ZRTP packet with a bad CRC dropped");
            return;
        }
        byte[] message = new byte[bytes.length - HEADER - CRC];
        System.arraycopy(bytes, HEADER, message, 0, message.length);
        int peerSsrc = ByteBuffer.wrap(bytes, 8, 4).getInt();
        synchronized (this) {
            if (!closed) {
                engine.processZrtpMessage(message, peerSsrc);
            }
        }
    }

    /** The short authentication string once agreed, else null. */
    public String sas() {
        return sas;
    }

    /**
     * The SAS was compared over a trusted channel and matched (RFC 6189 §7.1): remembered in the cache, so a later
     * call with the same peer reports it verified.
     */
    public synchronized void sasVerified() {
        if (!closed && sas != null) {
            engine.SASVerified();
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            cancelTimer();
            engine.stopZrtp();
        }
    }

    // --- zrtp4j callbacks (called with this object's lock held, from start/received/processTimeout)

    @Override
    public boolean sendDataZRTP(byte[] data) {
        ByteBuffer packet = ByteBuffer.allocate(HEADER + data.length + CRC);
        packet.put((byte) 0x10).put((byte) 0).putShort((short) sequence).putInt(MAGIC).putInt((int) ssrc).put(data);
        sequence = (sequence + 1) & 0xffff;
        byte[] bytes = packet.array();
        int crc = ZrtpCrc32.zrtpEndCksum(ZrtpCrc32.zrtpGenerateCksum(bytes, 0, HEADER + data.length));
        ByteBuffer.wrap(bytes).putInt(HEADER + data.length, crc);
        transport.send(bytes);
        return true;
    }

    @Override
    public int activateTimer(int millis) {
        cancelTimer();
        timeout = timer.schedule(() -> {
            synchronized (this) {
                if (!closed) {
                    engine.processTimeout();
                }
            }
        }, millis, TimeUnit.MILLISECONDS);
        return 1;
    }

    @Override
    public int cancelTimer() {
        ScheduledFuture<?> current = timeout;
        if (current != null) {
            current.cancel(false);
            timeout = null;
        }
        return 1;
    }

    @Override
    public void sendInfo(ZrtpCodes.MessageSeverity severity, EnumSet<?> info) {
        log.fine(() -> "ZRTP " + severity + " " + info);
    }

    @Override
    public boolean srtpSecretsReady(ZrtpSrtpSecrets secrets, EnableSecurity part) {
        CryptoSuite suite = secrets.getSrtpAuthTagLen() == 32 ? CryptoSuite.AES_CM_128_HMAC_SHA1_32
                : CryptoSuite.AES_CM_128_HMAC_SHA1_80;
        if (secrets.getInitKeyLen() != 128 || secrets.getRespKeyLen() != 128) {
            log.warning("ZRTP agreed on " + secrets.getInitKeyLen() + "-bit keys; only AES-128 is supported");
            return false;
        }
        SdesCrypto initiator = new SdesCrypto(1, suite, secrets.getKeyInitiator(),
                trim(secrets.getSaltInitiator()), "", java.util.List.of());
        SdesCrypto responder = new SdesCrypto(1, suite, secrets.getKeyResponder(),
                trim(secrets.getSaltResponder()), "", java.util.List.of());
        boolean weInitiate = secrets.getRole() == Role.Initiator;
        if (part == EnableSecurity.ForSender) {
            sendKey = weInitiate ? initiator : responder;
        } else {
            receiveKey = weInitiate ? responder : initiator;
        }
        // the receiving direction is ready before the sending one (§4.6): report once both are
        if (sendKey != null && receiveKey != null) {
            listener.secure(sendKey, receiveKey);
        }
        return true;
    }

    private static byte[] trim(byte[] salt) {
        return salt.length == CryptoSuite.MASTER_SALT_LENGTH ? salt
                : java.util.Arrays.copyOf(salt, CryptoSuite.MASTER_SALT_LENGTH);
    }

    @Override
    public void srtpSecretsOff(EnableSecurity part) {
        log.fine(() -> "ZRTP secrets off for " + part);
    }

    @Override
    public void srtpSecretsOn(String cipher, String sas, boolean verified) {
        this.sas = sas;
        listener.sas(sas, verified);
    }

    @Override
    public void handleGoClear() {
        log.fine("ZRTP GoClear ignored");
    }

    @Override
    public void zrtpNegotiationFailed(ZrtpCodes.MessageSeverity severity, EnumSet<?> info) {
        listener.failed("ZRTP negotiation failed: " + severity + " " + info);
    }

    @Override
    public void zrtpNotSuppOther() {
        listener.failed("the peer does not support ZRTP");
    }

    @Override
    public void zrtpAskEnrollment(ZrtpCodes.InfoEnrollment info) {
        // no PBX enrollment
    }

    @Override
    public void zrtpInformEnrollment(ZrtpCodes.InfoEnrollment info) {
        // no PBX enrollment
    }

    @Override
    public void signSAS(byte[] sasHash) {
        // SAS signing (RFC 6189 §7.2) not used
    }

    @Override
    public boolean checkSASSignature(byte[] sasHash) {
        return true;
    }
}
