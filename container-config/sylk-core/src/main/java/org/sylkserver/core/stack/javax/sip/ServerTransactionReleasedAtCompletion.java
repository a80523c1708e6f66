package org.sylkserver.core.stack.javax.sip;

import javax.sip.SipException;
import javax.sip.TransactionState;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.SipProviderImpl;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPServerTransactionImpl;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * A server transaction that lets its transaction user go as soon as a non-INVITE transaction over an unreliable
 * transport has sent its final response. RFC 3261 §17.2.2: the transaction then stays in the Completed state for Timer
 * J (64*T1, 32 s) and answers each retransmission of the request with that final response, without the TU; the TU
 * hears of the transaction again only when it terminates. So the TU (Restcomm) kept everything it made for the request
 * those 32 s: the parsed request and response, their servlet messages, the SIP session and the application session,
 * about 11 KB per MESSAGE (class histogram at 5,000/s), 1.7 GB in steady state at 5,000 MESSAGEs/s against a 1 GiB
 * heap (session 18: GC up to half the CPU). Here the transaction tells the TU it terminated at once, as it does over
 * TCP (Timer J is zero there), and keeps for Timer J only what §17.2.2 needs: the response's bytes and the request's
 * branch, sent-by and method to match retransmissions (the stack's own cleanup, {@code RELEASE_REFERENCES_STRATEGY}).
 * When Timer J fires, the TU is not told twice, and the request's bytes, kept by the stack to parse the request again
 * for a TU that asks, are dropped unparsed. CANCEL is left to the stack: its transaction answers for the INVITE it
 * cancels (RFC 3261 §9.2). So is SUBSCRIBE: the notifier sends NOTIFYs in the dialog after answering it, the last one
 * after an un-SUBSCRIBE (RFC 6665 §4.2.1.2), and the container invalidates a dialog whose subscriptions have ended
 * as soon as the TU hears that the transaction is done; subscriptions are few, their 32 s cost nothing.
 */
public class ServerTransactionReleasedAtCompletion extends SIPServerTransactionImpl {

    private volatile boolean released;

    protected ServerTransactionReleasedAtCompletion(SIPTransactionStack stack, MessageChannel channel) {
        super(stack, channel);
    }

    @Override
    public void sendResponse(Response response) throws SipException {
        super.sendResponse(response);
        if (response.getStatusCode() >= 200 && !isInviteTransaction() && !Request.CANCEL.equals(getMethod())
                && !Request.SUBSCRIBE.equals(getMethod())
                && !isReliable() && getInternalState() == TransactionState._COMPLETED
                && testAndSetTransactionTerminatedEvent()) {
            released = true;
            SipProviderImpl provider = getSipProvider();
            provider.handleEvent(new TransactionTerminatedEvent(provider, this), this);
        }
    }

    /** Whether the TU was told at the final response that this transaction terminated. */
    public boolean released() {
        return released;
    }

    @Override
    public void cleanUp() {
        if (released) {
            // nobody will ask for the request again: no parse of its bytes (the stack's cleanup would)
            originalRequestBytes = null;
        }
        super.cleanUp();
    }
}
