package org.sylkserver.core.stack.javax.sip.address;

import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import gov.nist.javax.sip.address.SipUri;

/**
 * JAIN-SIP's own {@code AddressFactoryImpl}, where our stack's path name has it ({@link
 * org.sylkserver.core.stack.javax.sip.SipStackImpl}), with host-only SIP URIs parsed once per host.
 *
 * <p>Restcomm asks for {@code sip:<host>} with {@link #createSipURI(String, String)} for every request it sends: the
 * Contact of each outgoing MESSAGE (the listening point's address) and the route to the next hop; JAIN-SIP writes
 * the URI out as text and parses it, 2 % of an account-message's CPU samples (issue 14, session 21). A host's
 * parsed URI is kept and each caller gets a copy ({@code SipUri.clone} is deep), so what a caller changes (port,
 * transport) stays its own. Bounded: the {@link #MAX_HOSTS} hosts used last.
 */
public class AddressFactoryImpl extends gov.nist.javax.sip.address.AddressFactoryImpl {

    /** More hosts than a gateway's listening points and next hops of a few minutes. */
    static final int MAX_HOSTS = 1_000;

    /** Parsed {@code sip:<host>} by host; guarded by its own monitor. */
    private final Map<String, SipUri> hostUris = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SipUri> eldest) {
            return size() > MAX_HOSTS;
        }
    };

    @Override
    public javax.sip.address.SipURI createSipURI(String user, String host) throws ParseException {
        if (user != null || host == null) {
            return super.createSipURI(user, host);
        }
        SipUri parsed;
        synchronized (hostUris) {
            parsed = hostUris.get(host);
        }
        if (parsed == null) {
            parsed = (SipUri) super.createSipURI(null, host);
            synchronized (hostUris) {
                hostUris.put(host, parsed);
            }
        }
        return (SipUri) parsed.clone();
    }

    /** How many hosts are kept (for the tests). */
    int hosts() {
        synchronized (hostUris) {
            return hostUris.size();
        }
    }
}
