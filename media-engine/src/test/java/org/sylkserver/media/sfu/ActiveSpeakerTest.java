package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link ActiveSpeaker} and {@link AudioLevelMeter} on RFC 6464 §3 levels (−dBov: 0 the loudest, 127 silence). */
class ActiveSpeakerTest {

    @Test
    void silenceNamesNobody_rfc6464_3() {
        ActiveSpeaker active = new ActiveSpeaker(2);
        assertNull(active.update(Map.of("alice", 127, "bob", 127)));
        assertNull(active.update(Map.of("alice", ActiveSpeaker.SPEECH + 1)), "quieter than speech");
    }

    @Test
    void theFirstSpeakerIsTakenAtOnce() {
        assertEquals("bob", new ActiveSpeaker(2).update(Map.of("alice", 127, "bob", 30)));
    }

    @Test
    void aChallengerTakesOverOnlyWhenLoudestLongEnough() {
        ActiveSpeaker active = new ActiveSpeaker(3);
        assertEquals("alice", active.update(Map.of("alice", 20, "bob", 127)));
        assertEquals("alice", active.update(Map.of("alice", 40, "bob", 10)), "one time louder");
        assertEquals("alice", active.update(Map.of("alice", 20, "bob", 30)), "the count starts again");
        assertEquals("alice", active.update(Map.of("alice", 127, "bob", 10)));
        assertEquals("alice", active.update(Map.of("alice", 127, "bob", 10)));
        assertEquals("bob", active.update(Map.of("alice", 127, "bob", 10)), "three times in a row");
    }

    @Test
    void aSilentSpeakerStaysUntilSomeoneSpeaks() {
        ActiveSpeaker active = new ActiveSpeaker(2);
        active.update(Map.of("alice", 20, "bob", 127));
        assertEquals("alice", active.update(Map.of("alice", 127, "bob", 127)));
    }

    @Test
    void aSpeakerWhoLeftIsNoLonger() {
        ActiveSpeaker active = new ActiveSpeaker(5);
        active.update(Map.of("alice", 20, "bob", 127));
        assertNull(active.update(Map.of("bob", 127)));
        assertEquals("bob", active.update(Map.of("bob", 30)), "nobody to take over from");
    }

    @Test
    void takeOverIsAtLeastOnce() {
        assertThrows(IllegalArgumentException.class, () -> new ActiveSpeaker(0));
    }

    /** RFC 6464 §3: the meter reads the loudest level of its window (the smallest −dBov); no level is silence. */
    @Test
    void theMeterReadsTheLoudestOfItsWindow_rfc6464_3() {
        AudioLevelMeter meter = new AudioLevelMeter();
        assertEquals(127, meter.read(), "nothing received: silence");
        meter.received(-1);
        assertEquals(127, meter.read(), "a packet without a level");
        meter.received(40);
        meter.received(10);
        meter.received(90);
        assertEquals(10, meter.read());
        assertEquals(127, meter.read(), "a new window");
    }
}
