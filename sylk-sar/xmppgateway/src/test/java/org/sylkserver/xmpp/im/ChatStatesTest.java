package org.sylkserver.xmpp.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;

import org.jivesoftware.smackx.chatstates.ChatState;
import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.iscomposing.IsComposing;

/** Spec §5.4.1/§5.4.2, RFC 7572 §7: typing ↔ composing, everything else ↔ idle/paused. */
class ChatStatesTest {

    private static final OffsetDateTime NOW = OffsetDateTime.parse("2026-12-05T08:00:00Z");

    @Test
    void sipActiveIsComposingAndIdleIsPaused() {
        assertEquals(ChatState.composing, ChatStates.fromSip(new IsComposing(true, 60, null, "text/plain")));
        assertEquals(ChatState.paused, ChatStates.fromSip(new IsComposing(false, 0, null, null)));
    }

    @Test
    void composingIsActiveWithARefreshAndTheRestIdle() {
        IsComposing typing = ChatStates.toSip(ChatState.composing, NOW);
        assertTrue(typing.active());
        assertEquals(60, typing.refresh());
        assertEquals(NOW, typing.lastActive());
        for (ChatState other : new ChatState[] {ChatState.active, ChatState.paused, ChatState.inactive, ChatState.gone}) {
            assertFalse(ChatStates.toSip(other, NOW).active(), other.name());
        }
    }
}
