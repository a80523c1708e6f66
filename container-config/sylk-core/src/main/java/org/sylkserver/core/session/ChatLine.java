package org.sylkserver.core.session;

import java.io.IOException;

import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.sdp.SdpException;

/**
 * The MSRP chat side of a call the server places into a conference to take part in its chat for someone else: a
 * video-room publisher (spec §4.7.4) or an XMPP occupant of a multi-user chat room (spec §5.6.1). One chat stream in
 * the call's SDP and its session; production: {@link MsrpChatLine}.
 */
public interface ChatLine {

    /** Why messages fail once the chat is over (spec §4.6.8). */
    String ENDED_REASON = "Chat session ended";

    /** The SDP offer of the call: one chat stream, CPIM. */
    String offer();

    /**
     * Answers a call to us that offers a chat stream (the XMPP gateway's chat sessions, spec §5.4.3): the first chat
     * line of {@code offer} is taken, the others declined (RFC 3264 §6); we connect to the peer's path or wait for
     * it to connect to ours as the offer's {@code a=setup} says (RFC 6135).
     *
     * @return the SDP answer
     * @throws SdpException the offer has no chat line we take
     */
    String answer(String offer) throws SdpException;

    /** The call's answer: the line connects to the peer's path, or waits for the peer to connect (RFC 6135). */
    void answered(String sdp) throws SdpException;

    /** Sends {@code message} asking for reports (RFC 4975 §7.1.2); {@code delivery} hears once how it ended. */
    void send(CpimMessage message, Delivery delivery);

    /** Sends {@code message} without reports (an is-composing indication). */
    void sendQuietly(CpimMessage message);

    /**
     * Asks the conference for a nickname (RFC 7701 §6.1, MSRP NICKNAME); {@code outcome} hears the response's
     * status once (200, 425 when another participant has it, 0 when the request could not go or went unanswered).
     */
    void nickname(String nickname, Delivery outcome);

    /** The session ends: its connection closes. Nothing is reported after it. */
    void close();

    /** What the line reports, on its own threads. */
    interface Listener {
        /** The session is bound: messages can go. */
        void connected();

        /** A whole CPIM message from the conference (already acknowledged with a 200 REPORT when asked). */
        void received(CpimMessage message);

        /**
         * A whole CPIM message whose sender asked for a success report (RFC 4975 §7.1.2): {@code report} sends it,
         * once. By default at once, as {@link #received(CpimMessage)} says; a listener that reports a later delivery
         * (an XMPP receipt, spec §5.4.3) keeps it.
         */
        default void received(CpimMessage message, Report report) {
            report.send();
            received(message);
        }

        /** The connection failed or closed. */
        void closed(String why);
    }

    /** The REPORT of one received message (RFC 4975 §7.1.2); the first of its calls is the one that counts. */
    interface Report {
        /** It was delivered: the success REPORT. */
        void send();

        /** It was not delivered: a failure REPORT with {@code code} (408, 503, ...), unless its sender wants none. */
        void fail(int code, String reason);
    }

    /** The fate of one request: its REPORT's or response's status, or the failure of its sending. */
    @FunctionalInterface
    interface Delivery {
        void outcome(int code, String reason);
    }

    /** Makes the line of a call. */
    @FunctionalInterface
    interface Factory {
        ChatLine open(Listener listener) throws IOException;
    }
}
