package org.sylkserver.media.webrtc;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetSocketAddress;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.sylkserver.media.ice.IceLite;

/**
 * Fuzzing target (docs/fuzzing.md): any datagram that reaches the WebRTC bridge as STUN (RFC 7983 §7) is answered
 * as a connectivity check or dropped by {@link IceLite#check}, which must never throw: the bridge's receive loop
 * would end for the whole call.
 */
class StunFuzzTest {

    private static final IceLite ICE = new IceLite();
    private static final InetSocketAddress BROWSER = new InetSocketAddress("127.0.0.1", 50000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 41000);

    @FuzzTest(maxDuration = "10m")
    void datagramIsCheckedOrDropped(byte[] datagram) {
        assertNotNull(ICE.check(datagram, BROWSER, LOCAL, reply -> { }));
    }
}
