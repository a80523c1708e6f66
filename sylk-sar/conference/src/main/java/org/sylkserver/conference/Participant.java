package org.sylkserver.conference;

import java.time.Instant;

import javax.servlet.sip.SipSession;

import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.mixer.Member;

/**
 * One SIP session in a room (spec §3.3): who it is, its audio endpoint and mixer member, and its hold state. A
 * user calling twice is two participants with the same {@link #uri}.
 */
final class Participant {

    final String callId;
    /** The IP address the caller's INVITE came from (its PIN attempts count there), or null for a call we placed. */
    volatile String source;
    /** {@code user@host} of the caller (From), lower case. */
    final String uri;
    final String displayName;
    /** The caller's Contact URI: the endpoint entity of the conference-info document. */
    final String contact;
    /** Its audio, or null while it has none (chat only, or audio removed by a re-INVITE). */
    volatile RtpAudioEndpoint endpoint;
    final Instant joined = Instant.now();
    volatile SipSession session;
    /** The room it joined ({@code user@host}), once it has. */
    volatile String room;
    volatile Member member;
    volatile boolean onHold;
    volatile boolean left;
    /** The ZRTP short authentication string once agreed (spec §3.8), else null. */
    volatile String sas;
    /** The participant's chat stream, if it has one. */
    volatile ChatStream chat;
    /** Opens the chat's connection when the room is the active side (RFC 6135), else nothing. */
    volatile Runnable connectChat = () -> { };
    /** Forgets the chat stream's MSRP session. */
    volatile Runnable closeChat = () -> { };
    /** Ends the call from our side (a PIN refused three times). */
    volatile Runnable hangUp = () -> { };
    /** Digits typed so far and failed attempts, while a PIN is asked for (mixer and I/O threads: guarded by the room). */
    final StringBuilder pinDigits = new StringBuilder();
    int pinFailures;
    boolean pinPending;
    /** The PIN was typed right once: audio added later is not asked again. */
    boolean pinAccepted;

    Participant(String callId, String uri, String displayName, String contact, RtpAudioEndpoint endpoint) {
        this.callId = callId;
        this.uri = uri;
        this.displayName = displayName;
        this.contact = contact;
        this.endpoint = endpoint;
    }

    @Override
    public String toString() {
        return uri + " (" + callId + ")";
    }
}
