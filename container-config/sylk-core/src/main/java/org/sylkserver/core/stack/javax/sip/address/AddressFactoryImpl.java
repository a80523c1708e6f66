package org.sylkserver.core.stack.javax.sip.address;

import java.text.ParseException;

import gov.nist.javax.sip.address.SipUri;

import org.sylkserver.core.sip.LastParsed;

/**
 * JAIN-SIP's own {@code AddressFactoryImpl}, where our stack's path name has it ({@link
 * org.sylkserver.core.stack.javax.sip.SipStackImpl}), with {@code sip:[user@]host} URIs parsed once.
 *
 * <p>Restcomm asks for {@code sip:[user@]host} with {@link #createSipURI(String, String)} for every request it sends:
 * the Contact of each outgoing MESSAGE (the sender's user at the listening point's address) and the route to the
 * next hop; JAIN-SIP writes the URI out as text and parses it, 2 % of an account-message's Java samples (issue 14,
 * session 21). The parsed URI of a user and host is kept and each caller gets a copy ({@code SipUri.clone} is deep),
 * so what a caller changes (user, port, transport, lr) stays its own. Bounded: the {@link #MAX_URIS} used last.
 */
public class AddressFactoryImpl extends gov.nist.javax.sip.address.AddressFactoryImpl {

    /** The Contact users (senders) and next hops of a busy gateway's last minutes. */
    static final int MAX_URIS = 10_000;

    /** What {@link #createSipURI(String, String)} was given: the user may be null. */
    private record UserAtHost(String user, String host) {
    }

    /** Parsed {@code sip:[user@]host}. */
    private final LastParsed<UserAtHost, SipUri> parsed = new LastParsed<>(MAX_URIS);

    @Override
    public javax.sip.address.SipURI createSipURI(String user, String host) throws ParseException {
        if (host == null) {
            return super.createSipURI(user, null);
        }
        SipUri uri = parsed.of(new UserAtHost(user, host),
                key -> (SipUri) AddressFactoryImpl.super.createSipURI(key.user(), key.host()));
        return (SipUri) uri.clone();
    }

    /** How many URIs are kept (for the tests). */
    int kept() {
        return parsed.size();
    }
}
