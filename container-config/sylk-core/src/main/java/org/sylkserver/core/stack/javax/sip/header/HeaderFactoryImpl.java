package org.sylkserver.core.stack.javax.sip.header;

/** JAIN-SIP's own {@code HeaderFactoryImpl}, found under our stack's path name ({@link org.sylkserver.core.stack.javax.sip.SipStackImpl}). */
public class HeaderFactoryImpl extends gov.nist.javax.sip.header.HeaderFactoryImpl {
}
