package org.sylkserver.core.stack.javax.sip;

import java.util.Properties;

import javax.sip.PeerUnavailableException;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPClientTransaction;
import gov.nist.javax.sip.stack.SIPServerTransaction;

/**
 * JAIN-SIP's stack with our transactions ({@link ServerTransactionReleasedAtCompletion},
 * {@link ClientTransactionReleasedAtCompletion}, a {@link ClientTransactionWithoutReparse}). The container
 * creates its stack through JAIN-SIP's {@code SipFactory}, which finds the classes by a path name: {@code
 * <path>.javax.sip.SipStackImpl} and the three factories beside it ({@code message.MessageFactoryImpl}, {@code
 * header.HeaderFactoryImpl}, {@code address.AddressFactoryImpl}, the stack's own); the generated {@code server.xml}
 * names {@link #PATH_NAME} as Restcomm's {@code sipPathName}, hence this package's name.
 */
public class SipStackImpl extends gov.nist.javax.sip.SipStackImpl {

    /** The JAIN-SIP path name that selects this stack. */
    public static final String PATH_NAME = "org.sylkserver.core.stack";

    public SipStackImpl(Properties configuration) throws PeerUnavailableException {
        super(configuration);
    }

    @Override
    public SIPClientTransaction createClientTransaction(SIPRequest request, MessageChannel channel) {
        SIPClientTransaction transaction = new ClientTransactionReleasedAtCompletion(this, channel);
        transaction.setOriginalRequest(request);
        return transaction;
    }

    @Override
    public SIPServerTransaction createServerTransaction(MessageChannel channel) {
        if (unlimitedServerTransactionTableSize) {
            return new ServerTransactionReleasedAtCompletion(this, channel);
        }
        // gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS set: the stack's own table limit decides (it may refuse), with
        // its own transactions
        return super.createServerTransaction(channel);
    }
}
