package org.sylkserver.media.srtp;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a SIP call's audio is protected ({@code [RTP] srtp_encryption}): which transports an offer may use and
 * whether keys are agreed in SDP (SDES, RFC 4568) or in the media path (ZRTP, RFC 6189).
 */
public enum SrtpPolicy {
    /** Plain RTP only: {@code RTP/SAVP(F)} streams are declined. */
    DISABLED,
    /**
     * SDES optional (spec §1.3: the original maps {@code sdes} to its SIP library's "SDES optional"): our offers
     * carry a key, an offer's key is answered with ours whichever profile carries it, and a peer without SRTP gets
     * plain RTP rather than a refusal. Unlike {@link #OPPORTUNISTIC} nothing else is tried on a plain stream.
     */
    SDES,
    /** Either transport; a plain stream without an SDES key then runs ZRTP in the media path. */
    ZRTP,
    /**
     * Either transport, and a plain {@code RTP/AVP} stream that carries {@code a=crypto} lines is answered with a key
     * too (best-effort SRTP); the default.
     */
    OPPORTUNISTIC;

    /**
     * The policy named {@code value} in the configuration (any case).
     *
     * @throws IllegalArgumentException for a name that is none of them
     */
    public static SrtpPolicy of(String value) {
        String name = value.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("srtp_encryption must be one of "
                        + Arrays.stream(values()).map(SrtpPolicy::configName).toList() + ", not '" + value + "'"));
    }

    /** The name in the configuration file ({@code opportunistic}...). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code RTP/SAVP(F)} streams are accepted. */
    public boolean acceptsSrtp() {
        return this != DISABLED;
    }

    /** Whether an {@code a=crypto} line on a plain stream is answered with a key (best-effort SRTP). */
    public boolean keysPlainStreams() {
        return this == SDES || this == OPPORTUNISTIC;
    }

    /**
     * Whether the offers the server makes carry an SDES key: {@code sdes} (spec §1.3: "SDES optional") and
     * {@code opportunistic} offer {@code RTP/AVP} with {@code a=crypto}, so that a peer may take SRTP or answer plain
     * RTP (best-effort SRTP); {@code zrtp} and {@code disabled} offer plain RTP.
     */
    public boolean offersSdes() {
        return this == SDES || this == OPPORTUNISTIC;
    }

    /** Whether a stream without an SDES key runs ZRTP in the media path. */
    public boolean negotiatesZrtp() {
        return this == ZRTP;
    }
}
