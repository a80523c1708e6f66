package org.sylkserver.media.sfu;

import java.net.InetAddress;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;

import io.netty.channel.uring.IoUring;

/**
 * Every test of {@link ForwardingTest} again with every leg's socket of its own on io_uring ({@code [RTP]
 * webrtc_io_uring}): ICE checks, DTLS, SRTP, RTCP, NACKs, keyframe requests and transport-wide feedback through
 * sockets whose sends a loop hands to the kernel at the end of each read or task, on two loops with every
 * publisher's legs on one of them.
 */
class UringForwardingTest extends ForwardingTest {

    @BeforeEach
    void ioUringIsThere() {
        Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring is not available: " + IoUring.unavailabilityCause());
    }

    @Override
    MediaEngine newEngine() throws Exception {
        return new MediaEngine(InetAddress.getLoopbackAddress(), 45600, 45640, Duration.ZERO, RtpPolicy.OPEN, 0, 2, true);
    }
}
