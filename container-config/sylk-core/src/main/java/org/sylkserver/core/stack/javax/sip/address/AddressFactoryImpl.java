package org.sylkserver.core.stack.javax.sip.address;

import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import gov.nist.javax.sip.address.SipUri;

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

    /** Parsed {@code sip:[user@]host}; guarded by its own monitor. */
    private final Map<UserAtHost, SipUri> parsed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UserAtHost, SipUri> eldest) {
            return size() > MAX_URIS;
        }
    };

    @Override
    public javax.sip.address.SipURI createSipURI(String user, String host) throws ParseException {
        if (host == null) {
            return super.createSipURI(user, null);
        }
        UserAtHost key = new UserAtHost(user, host);
        SipUri uri;
        synchronized (parsed) {
            uri = parsed.get(key);
        }
        if (uri == null) {
            uri = (SipUri) super.createSipURI(user, host);
            synchronized (parsed) {
                parsed.put(key, uri);
            }
        }
        return (SipUri) uri.clone();
    }

    /** How many URIs are kept (for the tests). */
    int kept() {
        synchronized (parsed) {
            return parsed.size();
        }
    }
}
