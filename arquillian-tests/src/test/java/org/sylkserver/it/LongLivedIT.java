package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call and a subscription that outlive the container's default SIP application session lifetime (3 minutes in
 * Restcomm, lowered to 1 minute for the tests by {@code SylkServerContainer} so that this takes 75 s, not 190):
 * both must stay until their own end; so must a call held for as long without sending any RTP (the RTP timeout
 * does not apply on hold) — the call's BYE answered 200 and the participant leaving the room, the
 * un-SUBSCRIBE answered in its dialog — instead of being dropped by the container (their BYE then got 481 and
 * the participant stayed in the room until the RTP timeout).
 */
@ExtendWith(ArquillianExtension.class)
class LongLivedIT {

    private static final String ROOM = "sip:marathon@127.0.0.1:15060";
    private static final Duration SETUP = Duration.ofSeconds(20);
    /** Longer than the container's default lifetime of an application session (1 minute in the tests). */
    private static final Duration LIFETIME = Duration.ofSeconds(75);

    @Deployment(testable = false)
    static EnterpriseArchive conference() {
        return Archives.all();
    }

    @TempDir
    Path work;

    @Test
    void aCallAndASubscriptionOutliveTheContainersSessionLifetime() throws Exception {
        try (Baresip caller = Baresip.dialFor(work.resolve("caller"), LIFETIME.plusSeconds(20), ROOM)) {
            caller.await(line -> line.contains("Call established"), SETUP, "answer");
            ServerLogs.await("joined room marathon@127.0.0.1 (1 sessions", SETUP);
            // a second participant puts the room on hold at once and sends no RTP at all until its BYE, after the
            // subscription's end: the RTP timeout (30 s) must not end a held call
            Sipp.Running held = Sipp.scenario(work.resolve("held"),
                            Scenarios.callPutOnHold("marathon", LIFETIME.plusSeconds(25)))
                    .timeoutSeconds((int) LIFETIME.toSeconds() + 70).start();
            ServerLogs.await("audio recvonly", SETUP);
            // the welcomes and the connected tones change the room's state for a few seconds: subscribe after them,
            // so that no NOTIFY comes while the subscription waits
            Thread.sleep(10_000);
            Sipp.Running subscription = Sipp.scenario(work.resolve("watcher"),
                            Scenarios.conferenceSubscription("marathon", LIFETIME, "entity=\"sip:tester@127.0.0.1\""))
                    .timeoutSeconds((int) LIFETIME.toSeconds() + 30).start();
            Thread.sleep(LIFETIME.toMillis() - 10_000);
            Sipp.Result watched = subscription.await();
            assertEquals(0, watched.exitCode(), watched::toString);
            caller.hangUpAndRecording();
            String left = ServerLogs.await("left room marathon@127.0.0.1: hung up", SETUP);
            assertTrue(left.contains("tester@127.0.0.1"), left);
            Sipp.Result holder = held.await();
            assertEquals(0, holder.exitCode(), holder::toString);
        }
    }
}
