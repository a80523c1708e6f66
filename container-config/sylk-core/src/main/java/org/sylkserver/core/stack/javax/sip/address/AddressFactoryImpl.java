package org.sylkserver.core.stack.javax.sip.address;

/** JAIN-SIP's own {@code AddressFactoryImpl}, where our stack's path name has it ({@link
 * org.sylkserver.core.stack.javax.sip.SipStackImpl}). */
public class AddressFactoryImpl extends gov.nist.javax.sip.address.AddressFactoryImpl {
}
