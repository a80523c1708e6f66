package org.sylkserver.media.sfu;

import java.net.InetAddress;
import java.time.Duration;

import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;

/**
 * Every test of {@link ForwardingTest} again with all legs on one UDP port ({@code [RTP] webrtc_port}): the
 * stand-in browsers' ICE checks make their addresses the legs' (RFC 8445 §7.3), and DTLS, SRTP, RTCP, NACKs and
 * keyframe requests go through the shared port as through a socket per leg, with the port read by several threads'
 * sockets and every publisher's legs on one of them.
 */
class SharedPortForwardingTest extends ForwardingTest {

    /** More threads than feeds' sockets could stay on one: a publisher's packets are mostly read by another's. */
    private static final int THREADS = 4;

    @Override
    MediaEngine newEngine() throws Exception {
        return new MediaEngine(InetAddress.getLoopbackAddress(), 43300, 43320, Duration.ZERO, RtpPolicy.OPEN, 43322, THREADS);
    }
}
