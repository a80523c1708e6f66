package org.sylkserver.media.sfu;

import java.net.InetAddress;
import java.time.Duration;

import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;

/**
 * Every test of {@link ForwardingTest} again with the legs' sockets of their own spread over two selector threads
 * ({@code [RTP] webrtc_threads} = 2, the default on a two-core host): ICE checks, DTLS, SRTP, RTCP, NACKs, keyframe
 * requests and transport-wide feedback with each publisher's legs and its feeds' on one of the two.
 */
class SelectorThreadsForwardingTest extends ForwardingTest {

    @Override
    MediaEngine newEngine() throws Exception {
        return new MediaEngine(InetAddress.getLoopbackAddress(), 45700, 45740, Duration.ZERO, RtpPolicy.OPEN, 0, 2, false);
    }
}
