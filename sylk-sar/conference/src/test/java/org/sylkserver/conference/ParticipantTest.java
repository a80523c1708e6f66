package org.sylkserver.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A participant's state machine (spec §3.3 joining and leaving, the PIN rooms of issue 11, hold per RFC 3264 §8.4):
 * JOINING → PIN_PENDING → CONNECTED ⇄ HELD → LEFT.
 */
class ParticipantTest {

    private final Participant alice = new Participant("c1", "alice@example.com", "Alice", "sip:alice@192.0.2.1",
            "192.0.2.1", null, null);

    @Test
    void aCallerOfARoomWithoutPinIsConnectedAtOnce_spec3_3() {
        assertEquals(Participant.State.JOINING, alice.state());
        assertFalse(alice.admitted());
        alice.admit();
        assertEquals(Participant.State.CONNECTED, alice.state());
        assertTrue(alice.admitted());
    }

    /** Issue 11: nothing of a PIN room before the PIN; the right PIN admits. */
    @Test
    void aPinRoomAsksFirstThenAdmits_issue11() {
        alice.pinAsked();
        assertTrue(alice.pinPending());
        assertFalse(alice.admitted());
        alice.pinAsked(); // audio added again while the PIN is pending: asked again, still pending
        assertTrue(alice.pinPending());
        alice.admit();
        assertEquals(Participant.State.CONNECTED, alice.state());
    }

    /** Issue 11: too many wrong PINs refuse the caller, who is then hung up; a refused caller is never admitted. */
    @Test
    void tooManyWrongPinsRefuse_issue11() {
        alice.pinAsked();
        alice.pinRefused();
        assertEquals(Participant.State.PIN_REFUSED, alice.state());
        assertFalse(alice.pinPending());
        assertThrows(IllegalStateException.class, alice::admit);
        assertTrue(alice.leave());
        assertTrue(alice.left());
    }

    /** RFC 3264 §8.4: sendonly/inactive from the remote holds the participant, sendrecv resumes it. */
    @Test
    void holdAndResume_rfc3264_s8_4() {
        alice.admit();
        assertTrue(alice.hold(true));
        assertEquals(Participant.State.HELD, alice.state());
        assertTrue(alice.onHold());
        assertTrue(alice.admitted(), "a held participant keeps the room");
        assertFalse(alice.hold(true), "no change");
        assertTrue(alice.hold(false));
        assertEquals(Participant.State.CONNECTED, alice.state());
        assertFalse(alice.onHold());
    }

    /** A call that starts held (or is held while asked for its PIN) is HELD once admitted, and says so meanwhile. */
    @Test
    void aHoldBeforeTheRoomIsKeptForIt_spec3_2() {
        assertTrue(alice.hold(true));
        assertTrue(alice.onHold(), "conference-info says on-hold before the PIN too");
        assertEquals(Participant.State.JOINING, alice.state());
        alice.pinAsked();
        assertTrue(alice.onHold());
        alice.admit();
        assertEquals(Participant.State.HELD, alice.state());
    }

    @Test
    void leavingIsFinalAndHappensOnce_spec3_3() {
        alice.admit();
        assertTrue(alice.leave());
        assertFalse(alice.leave(), "the second leave finds it gone");
        assertTrue(alice.left());
        assertFalse(alice.admitted());
        assertFalse(alice.onHold());
        assertThrows(IllegalStateException.class, alice::pinAsked);
        assertThrows(IllegalStateException.class, alice::admit);
    }

    /** Only the transitions of the diagram exist: the others are refused and leave the state as it was. */
    @Test
    void transitionsOutsideTheDiagramAreRefused_spec3_3() {
        assertThrows(IllegalStateException.class, alice::pinRefused, "no PIN was asked");
        assertEquals(Participant.State.JOINING, alice.state());
        alice.admit();
        assertThrows(IllegalStateException.class, alice::admit, "admitted once");
        assertThrows(IllegalStateException.class, alice::pinAsked, "a connected participant is past its PIN");
        assertThrows(IllegalStateException.class, alice::pinRefused);
        assertEquals(Participant.State.CONNECTED, alice.state());
        alice.hold(true);
        assertThrows(IllegalStateException.class, alice::admit, "a held participant is admitted already");
        assertThrows(IllegalStateException.class, alice::pinAsked);
        assertEquals(Participant.State.HELD, alice.state());
    }

    /** Issue 11: a refused caller only leaves; nothing brings it back to the PIN or into the room. */
    @Test
    void aRefusedCallerCanOnlyLeave_issue11() {
        alice.pinAsked();
        alice.pinRefused();
        assertThrows(IllegalStateException.class, alice::pinAsked);
        assertThrows(IllegalStateException.class, alice::pinRefused);
        assertFalse(alice.admitted());
        assertTrue(alice.leave());
        assertEquals(Participant.State.LEFT, alice.state());
        assertThrows(IllegalStateException.class, alice::pinRefused);
    }
}
