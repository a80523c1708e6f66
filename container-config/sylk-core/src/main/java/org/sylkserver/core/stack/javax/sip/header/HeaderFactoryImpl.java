package org.sylkserver.core.stack.javax.sip.header;

/** JAIN-SIP's own {@code HeaderFactoryImpl}, where our stack's path name has it ({@link
 * org.sylkserver.core.stack.javax.sip.SipStackImpl}). */
public class HeaderFactoryImpl extends gov.nist.javax.sip.header.HeaderFactoryImpl {
}
