package org.sylkserver.media;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.sylkserver.media.dtls.DtlsCertificate;
import org.sylkserver.media.dtls.DtlsRole;
import org.sylkserver.media.dtls.DtlsSession;
import org.sylkserver.media.dtls.DtlsSrtpKeys;
import org.sylkserver.media.dtls.Fingerprint;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpTransformer;
import org.sylkserver.media.zrtp.ZrtpAgent;

/**
 * The SRTP keys of one {@link RtpEndpoint}: given in SDP (SDES, RFC 4568) or agreed in the media path by a ZRTP agent
 * (RFC 6189) or a DTLS-SRTP association (RFC 5764), which it starts and stops. It holds the receiving transformer,
 * the agent and the association for the endpoint's receive stages, and hands the sending transformer to the
 * endpoint's {@link Transmission}.
 *
 * <p>Threading: set up from any thread; the DTLS association and certificate under this object's lock.
 */
final class EndpointKeys {

    private final String name;
    private final Transmission transmission;
    private volatile SrtpTransformer inbound;
    private volatile ZrtpAgent zrtp;
    /** Our DTLS certificate once asked for, and the association once started. */
    private DtlsCertificate dtlsCertificate;
    private volatile DtlsSession dtls;

    EndpointKeys(String name, Transmission transmission) {
        this.name = name;
        this.transmission = transmission;
    }

    /** The transformer that checks what the peer sends, or null before there are keys. */
    SrtpTransformer inbound() {
        return inbound;
    }

    ZrtpAgent zrtp() {
        return zrtp;
    }

    DtlsSession dtls() {
        return dtls;
    }

    /** SRTP from now on: {@code receiving} checks what the peer sends, {@code sending} protects what we send. */
    void secure(SdesCrypto receiving, SdesCrypto sending) {
        inbound = SrtpTransformer.forReceiving(receiving);
        transmission.secure(SrtpTransformer.forSending(sending));
    }

    /** Starts a ZRTP agent that sends on {@code rtp} to {@code target} (while there is one and {@code open}). */
    void zrtp(Path zidCache, byte[] zid, long ssrc, ScheduledExecutorService timer, DatagramChannel rtp,
              Supplier<SocketAddress> target, BooleanSupplier open, Consumer<String> onSas) {
        ZrtpAgent agent = new ZrtpAgent(zidCache, zid, ssrc, timer, packet -> {
            SocketAddress to = target.get();
            if (to != null && open.getAsBoolean()) {
                try {
                    rtp.send(ByteBuffer.wrap(packet), to);
                } catch (IOException e) {
                    // a lost ZRTP packet is retransmitted by the agent's timers
                }
            }
        }, new ZrtpAgent.Listener() {
            @Override
            public void secure(SdesCrypto send, SdesCrypto receive) {
                EndpointKeys.this.secure(receive, send);
            }

            @Override
            public void sas(String sas, boolean verified) {
                onSas.accept(sas);
            }
        });
        zrtp = agent;
        agent.start();
    }

    /** Our certificate's fingerprint; the certificate (a fresh key pair) is made at the first call. */
    synchronized Fingerprint dtlsFingerprint() {
        if (dtlsCertificate == null) {
            dtlsCertificate = new DtlsCertificate();
        }
        return dtlsCertificate.fingerprint();
    }

    /**
     * Starts the DTLS-SRTP association (see {@link RtpEndpoint#dtls}), sending on {@code rtp} to {@code target};
     * nothing is sent until it is connected.
     *
     * @throws IllegalStateException when DTLS was started already, or {@code closed}
     */
    void dtls(DtlsRole role, Fingerprint peerFingerprint, Duration handshakeTimeout, DtlsSession.Listener listener,
              DatagramChannel rtp, Supplier<SocketAddress> target, BooleanSupplier closed) {
        dtlsFingerprint();
        DtlsSession session;
        synchronized (this) {
            if (dtls != null || closed.getAsBoolean()) {
                throw new IllegalStateException("DTLS already started, or the endpoint is closed");
            }
            transmission.awaitKeys();
            session = new DtlsSession(name, role, rtp::send, target, dtlsCertificate, peerFingerprint,
                    handshakeTimeout, new DtlsSession.Listener() {
                        @Override
                        public void connected(DtlsSrtpKeys keys) {
                            secure(keys.receiving(role), keys.sending(role));
                            listener.connected(keys);
                        }

                        @Override
                        public void failed(String reason, boolean timedOut) {
                            listener.failed(reason, timedOut);
                        }
                    });
            dtls = session;
        }
        session.start();
    }

    /** Stops the association and the agent, if any. */
    void close() {
        DtlsSession session;
        synchronized (this) {
            session = dtls;
        }
        if (session != null) {
            session.shutdown();
        }
        ZrtpAgent agent = zrtp;
        if (agent != null) {
            agent.close();
        }
    }
}
