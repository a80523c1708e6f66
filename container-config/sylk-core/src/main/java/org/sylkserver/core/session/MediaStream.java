package org.sylkserver.core.session;

import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * One stream of a SIP session as an application sees it (audio, chat, a file transfer): it answers the offered media
 * line it takes, so that the application never builds SDP. A {@link MediaSession} decides which offered line each
 * stream answers and writes the declined ones.
 *
 * <p>A stream answers first and is changed later: {@link #answer} only negotiates (the offer may still be refused
 * as a whole, RFC 3264 §8: the old session then stays); the application applies what was agreed when it sends
 * the answer, and {@link #close}s a stream that the session removed or never used.
 */
public interface MediaStream extends AutoCloseable {

    /** Whether {@code offered} (a line with a port other than 0) is of this stream's kind: media type and transport. */
    boolean takes(MediaDescription offered);

    /**
     * The answer's line for the offered line {@code m} of {@code offer} (RFC 3264 §6), also for a re-offer of a
     * running stream (§8).
     *
     * @throws SdpException this stream cannot accept the line; {@link SdpException#getMessage()} says why, and the
     *                      session declines the line and offers the stream the next one it takes
     */
    MediaDescription answer(SessionDescription offer, MediaDescription m) throws SdpException;

    /** Frees what the stream holds (ports, MSRP sessions); a closed stream answers nothing more. */
    @Override
    void close();
}
