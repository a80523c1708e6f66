package org.sylkserver.core.stack.javax.sip;

import javax.sip.TransactionState;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.message.Request;

import gov.nist.javax.sip.SipProviderImpl;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * A MESSAGE's client transaction that lets its transaction user go once the TU has the final response, when the
 * transport is unreliable. RFC 3261 §17.1.2.2: the transaction then stays in the Completed state for Timer K (T4, 5 s)
 * only to absorb retransmissions of that response, which it does not pass up; the TU hears of the transaction again
 * only when it terminates. So the TU (Restcomm) kept for those 5 s what it made for the request: the servlet request
 * and response, the SIP session and the application session. At 5,000 MESSAGEs/s from the XMPP gateway that is
 * 25,000 of each, alive across every young collection of those 5 s (issue 16: G1 paused 2 s in a 10 s step). Here the
 * TU is told the transaction terminated right after it handled the final response, as over TCP (Timer K is zero
 * there); the stack keeps the transaction for Timer K and does not tell the TU twice. Only MESSAGE (RFC 3428): other
 * non-INVITE requests belong to dialogs and subscriptions whose handling in the container may follow their
 * transactions' ends, and none is sent at such rates.
 */
public class ClientTransactionReleasedAtCompletion extends ClientTransactionWithoutReparse {

    protected ClientTransactionReleasedAtCompletion(SIPTransactionStack stack, MessageChannel channel) {
        super(stack, channel);
    }

    /** The TU is given the response within this call (the container's stack has a re-entrant listener). */
    @Override
    public void processResponse(SIPResponse response, MessageChannel channel, SIPDialog dialog) {
        super.processResponse(response, channel, dialog);
        if (response.getStatusCode() >= 200 && Request.MESSAGE.equals(getMethod()) && !isReliable()
                && getInternalState() == TransactionState._COMPLETED && testAndSetTransactionTerminatedEvent()) {
            SipProviderImpl provider = getSipProvider();
            provider.handleEvent(new TransactionTerminatedEvent(provider, this), this);
        }
    }
}
