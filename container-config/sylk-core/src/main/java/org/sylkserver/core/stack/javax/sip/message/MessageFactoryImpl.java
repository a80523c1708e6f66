package org.sylkserver.core.stack.javax.sip.message;

/** JAIN-SIP's own {@code MessageFactoryImpl}, where our stack's path name has it ({@link
 * org.sylkserver.core.stack.javax.sip.SipStackImpl}). */
public class MessageFactoryImpl extends gov.nist.javax.sip.message.MessageFactoryImpl {
}
