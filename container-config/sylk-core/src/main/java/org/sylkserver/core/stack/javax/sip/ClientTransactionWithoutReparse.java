package org.sylkserver.core.stack.javax.sip;

import javax.sip.message.Request;

import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPClientTransactionImpl;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * A client transaction that does not parse its request again when it terminates. With the stack's
 * {@code RELEASE_REFERENCES_STRATEGY=Normal} (what {@code AGGRESSIVE_CLEANUP} selects) a transaction keeps its request
 * as bytes once answered and, on terminating, parses them back into a request before telling the TU, for a TU that
 * asks for it then: Restcomm asks only to log it at debug level. For a non-INVITE transaction (an outgoing MESSAGE,
 * 5 s after its 200 over UDP: Timer K, RFC 3261 §17.1.2.2) that parse was the most of the stack's timer thread
 * (session 18's profile of sylkRTC -> SIP). An INVITE's request is still parsed: the dialog layer and B2BUA helpers
 * may ask for it after the transaction.
 */
public class ClientTransactionWithoutReparse extends SIPClientTransactionImpl {

    protected ClientTransactionWithoutReparse(SIPTransactionStack stack, MessageChannel channel) {
        super(stack, channel);
    }

    @Override
    protected void cleanUpOnTerminated() {
        if (!Request.INVITE.equals(getMethod())) {
            originalRequestBytes = null;
        }
        super.cleanUpOnTerminated();
    }
}
