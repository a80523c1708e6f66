package org.sylkserver.core.stack.javax.sip;

import javax.sip.message.Request;

import gov.nist.javax.sip.ReleaseReferencesStrategy;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPClientTransactionImpl;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * A non-INVITE client transaction that keeps no copy of its request once answered. With the stack's
 * {@code RELEASE_REFERENCES_STRATEGY=Normal} (what {@code AGGRESSIVE_CLEANUP} selects) a transaction encodes its
 * request to bytes again when its final response arrives (it was encoded once already, to be sent) and, on
 * terminating, parses them back into a request before telling the TU, for a TU that might ask for it: Restcomm asks
 * only to log it at debug level. For an outgoing MESSAGE (terminated 5 s after its 200 over UDP: Timer K, RFC 3261
 * §17.1.2.2) the parse was the most of the stack's timer thread (session 18's profile of sylkRTC -> SIP) and the
 * encoding 3 % of the server's Java samples and 2 % of its allocation (session 20). Such a transaction uses JAIN-SIP's
 * {@code Aggressive} strategy instead: the same references released, no bytes kept, nothing parsed again. An
 * INVITE's request is still kept: the dialog layer and B2BUA helpers may ask for it after the transaction.
 */
public class ClientTransactionWithoutReparse extends SIPClientTransactionImpl {

    protected ClientTransactionWithoutReparse(SIPTransactionStack stack, MessageChannel channel) {
        super(stack, channel);
    }

    @Override
    public void setOriginalRequest(SIPRequest request) {
        super.setOriginalRequest(request);
        if (!Request.INVITE.equals(request.getMethod())
                && getReleaseReferencesStrategy() == ReleaseReferencesStrategy.Normal) {
            setReleaseReferencesStrategy(ReleaseReferencesStrategy.Aggressive);
        }
    }
}
