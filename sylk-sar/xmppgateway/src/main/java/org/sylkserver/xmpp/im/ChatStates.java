package org.sylkserver.xmpp.im;

import java.time.OffsetDateTime;

import org.jivesoftware.smackx.chatstates.ChatState;
import org.sylkserver.protocols.iscomposing.IsComposing;

/**
 * Chat states (XEP-0085) ↔ message composition indications (RFC 3994), spec §5.4 and RFC 7572 §7: typing is
 * {@code composing} in XMPP and the {@code active} state in SIP; everything else is {@code paused} one way and
 * {@code idle} the other.
 */
public final class ChatStates {

    /** The refresh interval of an active indication made from a chat state (spec §5.4.2). */
    static final int REFRESH_SECONDS = 60;

    private ChatStates() {
    }

    /** The chat state an is-composing indication from SIP becomes (spec §5.4.1). */
    public static ChatState fromSip(IsComposing indication) {
        return indication.active() ? ChatState.composing : ChatState.paused;
    }

    /** The is-composing indication a chat state from XMPP becomes (spec §5.4.2). */
    public static IsComposing toSip(ChatState state, OffsetDateTime now) {
        boolean typing = state == ChatState.composing;
        return new IsComposing(typing, typing ? REFRESH_SECONDS : 0, now, "text/plain");
    }
}
