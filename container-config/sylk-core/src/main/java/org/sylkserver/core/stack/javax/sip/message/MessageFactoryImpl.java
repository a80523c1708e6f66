package org.sylkserver.core.stack.javax.sip.message;

/** JAIN-SIP's own {@code MessageFactoryImpl}, found under our stack's path name ({@link org.sylkserver.core.stack.javax.sip.SipStackImpl}). */
public class MessageFactoryImpl extends gov.nist.javax.sip.message.MessageFactoryImpl {
}
