package org.sylkserver.core.session;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.RtpEndpoint;
import org.sylkserver.media.dtmf.DtmfListener;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * An RTP audio stream of a SIP session on one of the media engine's endpoints: it answers an offered audio line
 * with {@link AudioAnswerer} (codecs, SDES-SRTP, rtcp-mux, RFC 6464 levels) and wires what was agreed into the
 * endpoint: the keys or ZRTP (RFC 6189, {@code [RTP] srtp_encryption = zrtp} without SDES keys), the peer's address,
 * the RTP timeout of the answered direction, RFC 4733 events.
 *
 * <p>Threading: negotiated and applied on the dialog's thread; the accessors may be read from any thread.
 */
public final class AudioStream implements MediaStream {

    /**
     * What every audio stream of an application shares.
     *
     * @param answerer answers with {@code [RTP] audio_codecs} and {@code srtp_encryption}
     * @param zrtp     {@code srtp_encryption = zrtp}: plain RTP is secured with ZRTP
     * @param zidCache this server's ZRTP cache
     */
    public record Settings(AudioAnswerer answerer, boolean zrtp, Path zidCache) {

        /** From {@code [RTP]} of config.ini, the ZRTP cache in the spool directory. */
        public static Settings of(ServerConfig config) {
            return new Settings(new AudioAnswerer(config.rtp().audioCodecs(), config.rtp().srtpEncryption()),
                    "zrtp".equalsIgnoreCase(config.rtp().srtpEncryption()),
                    config.server().spoolDir().resolve("zrtp.zid"));
        }
    }

    private final Settings settings;
    private final RtpEndpoint endpoint;
    private volatile Consumer<String> onSas = sas -> { };
    /** Agreed by the last answer, not yet applied. */
    private AudioAnswerer.Stream pending;
    /** Applied to the endpoint. */
    private volatile AudioAnswerer.Stream current;

    public AudioStream(Settings settings, RtpEndpoint endpoint) {
        this.settings = settings;
        this.endpoint = endpoint;
    }

    /**
     * A stream that another party answered: our offer's audio as {@code answer} accepted it (a call we placed);
     * nothing is applied to the endpoint.
     */
    public static AudioStream answered(Settings settings, RtpEndpoint endpoint, AudioAnswerer.Answer answer) {
        AudioStream stream = new AudioStream(settings, endpoint);
        stream.current = answer.stream();
        return stream;
    }

    /** Who hears the ZRTP short authentication string once agreed (on the media engine's threads). */
    public void onSas(Consumer<String> listener) {
        onSas = listener;
    }

    @Override
    public boolean takes(MediaDescription offered) {
        return offered.media().equals("audio");
    }

    /**
     * Accepts the offered audio line; for a new stream the peer's address must stay within
     * {@code [RTP] max_streams_per_address}.
     */
    @Override
    public MediaDescription answer(SessionDescription offer, MediaDescription m) throws SdpException {
        AudioAnswerer.Stream agreed = settings.answerer().accept(offer, m, endpoint.port());
        if (current == null) {
            endpoint.admit(agreed.remoteRtp());
        }
        pending = agreed;
        return agreed.line();
    }

    /** Whether the last answer changes the codec of a running stream (its first payload type). */
    public boolean changesCodec() {
        AudioAnswerer.Stream running = current;
        return running != null && pending != null
                && !pending.payloadTypes().get(0).equals(running.payloadTypes().get(0));
    }

    /**
     * Applies the last answer. The first time the stream starts: SRTP with the agreed keys or else ZRTP when
     * configured, the peer's address (and for a call's own RTP its RTCP and clock, and the audio levels), the
     * RTP timeout; after a re-offer only the RTP timeout follows the new direction (a held peer may send nothing).
     */
    public void apply() {
        AudioAnswerer.Stream agreed = pending;
        boolean starting = current == null;
        current = agreed;
        if (starting) {
            if (agreed.secure()) {
                endpoint.secure(agreed.remoteKey(), agreed.localKey());
            }
            if (endpoint instanceof RtpAudioEndpoint audio) {
                audio.remote(agreed.remoteRtp(), agreed.rtcpMux(), clockRate());
                audio.audioLevelExtension(agreed.audioLevelId());
            } else {
                endpoint.signalled(agreed.remoteRtp());
            }
            if (!agreed.secure() && settings.zrtp()) {
                endpoint.zrtp(settings.zidCache(), sas -> onSas.accept(sas));
            }
        }
        endpoint.watchInactivity(agreed.direction());
    }

    /** RFC 4733 events of the agreed {@code telephone-event} format go to {@code listener}; none agreed, nothing. */
    public void receiveDtmf(DtmfListener listener) {
        AudioAnswerer.Stream agreed = current;
        for (String format : agreed.payloadTypes()) {
            RtpMap map = agreed.line().rtpMap(format);
            if (map != null && map.name().equals("telephone-event")) {
                endpoint.receiveDtmf(Integer.parseInt(format), map.clockRate(), listener);
                return;
            }
        }
    }

    /** The endpoint that carries the stream. */
    public RtpEndpoint endpoint() {
        return endpoint;
    }

    /** The payload type of the agreed codec (the answer's first). */
    public int payloadType() {
        return Integer.parseInt(current.payloadTypes().get(0));
    }

    /** The agreed codec's {@code a=rtpmap} (a static type's from RFC 3551 §6), or null when unknown. */
    public RtpMap codec() {
        AudioAnswerer.Stream agreed = current;
        return agreed.line().rtpMap(agreed.payloadTypes().get(0));
    }

    /** The agreed codec's RTP clock rate (8000 for a static type without {@code a=rtpmap}, RFC 3551 §6). */
    public int clockRate() {
        AudioAnswerer.Stream agreed = current != null ? current : pending;
        RtpMap map = agreed.line().rtpMap(agreed.payloadTypes().get(0));
        return map != null ? map.clockRate() : 8000;
    }

    /** Our direction in the agreed stream (RFC 3264 §6.1). */
    public String direction() {
        return current.direction();
    }

    /** Whether we may send RTP: our direction is sendrecv or sendonly (RFC 3264 §6.1). */
    public boolean sends() {
        String direction = direction();
        return "sendrecv".equals(direction) || "sendonly".equals(direction);
    }

    /** Held by the peer: our direction is recvonly or inactive (RFC 3264 §8.4). */
    public boolean onHold() {
        String direction = direction();
        return "recvonly".equals(direction) || "inactive".equals(direction);
    }

    /** Where the peer receives RTP, per its SDP. */
    public InetSocketAddress remoteRtp() {
        return current.remoteRtp();
    }

    /** Whether RTCP is multiplexed on the RTP port (RFC 5761). */
    public boolean rtcpMux() {
        return current.rtcpMux();
    }

    @Override
    public void close() {
        endpoint.close();
    }

    @Override
    public String toString() {
        return "audio on " + endpoint;
    }
}
