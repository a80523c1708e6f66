package org.sylkserver.xmpp.muc;

import java.io.IOException;

import org.sylkserver.core.session.ChatLine;

/**
 * The SIP side of one MUC occupant (spec §5.6.1): its call into the room's SIP conference and its subscription to
 * the conference event package (RFC 4575). Production: the servlet's calls; tests: fakes.
 */
public interface ConferenceCall {

    /** Subscribes to the conference's events (RFC 4575 §3); documents come to {@link Listener#conferenceInfo}. */
    void subscribe();

    /** Ends the call (BYE once answered, CANCEL before) and the subscription. Nothing is reported after it. */
    void hangUp();

    /** What the call reports, on the container's threads. */
    interface Listener {
        /**
         * The conference answered (2xx).
         *
         * @param focus its Contact has {@code isfocus} (RFC 4579 §3)
         */
        void answered(String sdp, boolean focus);

        /** The INVITE failed with a final status. */
        void rejected(int status, String reason);

        /** The conference hung up. */
        void ended();

        /** A NOTIFY of the subscription: a conference-info document. */
        void conferenceInfo(byte[] document);

        /** The subscription was refused or ended for good. */
        void unsubscribed(String why);
    }

    /** Places calls into conferences and makes their chat lines. */
    interface Dialer {
        /** The MSRP line of a new occupant's call. */
        ChatLine line(ChatLine.Listener listener) throws IOException;

        /**
         * Calls {@code roomUri} from {@code fromUri} (Contact with {@code gr}, spec §5.3) offering {@code sdp}.
         *
         * @throws IOException when the INVITE cannot be sent
         */
        ConferenceCall dial(String fromUri, String gr, String roomUri, String sdp, Listener listener)
                throws IOException;

        /**
         * Spec §5.6.2: asks the conference {@code roomUri} to call {@code targetUri} in, an out-of-dialog REFER
         * from {@code fromUri} (RFC 4579 §5.5); {@code answer} hears its final status once (0 when it could not be
         * sent, 408 when nothing answered within the transaction's time).
         */
        void refer(String fromUri, String roomUri, String targetUri, ReferAnswer answer);
    }

    /** The final answer to a REFER (RFC 3515 §2.4.2: 202 when the conference took it). */
    interface ReferAnswer {
        void answered(int status, String reason);
    }
}
