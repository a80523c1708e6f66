package org.sylkserver.xmpp.jingle;

import java.util.List;
import java.util.Set;

import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.jxmpp.jid.FullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.SipParty;

/**
 * Whom a SIP call to an XMPP user rings, and what the SIP caller hears when the Jingle side refuses (spec §5.7,
 * SIP → XMPP).
 */
public final class JingleCallee {

    /** XEP-0167 §10 (determining support): the features a resource must advertise to be called. */
    public static final Set<String> FEATURES = Set.of("urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1");

    /** One item of the bare JID's disco#items (XEP-0030 §4) with the features of its disco#info (§3). */
    public record Item(String jid, Set<String> features) {
    }

    private JingleCallee() {
    }

    /**
     * The full JID a Request-URI designates itself: the resource its {@code gr} carries (spec §5.3). The original
     * rejected such calls (quirk Q14); they ring that resource. Null when the URI has no usable {@code gr}: then
     * the resources are discovered.
     */
    public static FullJid direct(String requestUri) {
        SipParty callee = SipParty.parse(requestUri);
        String resource = Addresses.resourceOf(callee.gr());
        if (resource == null) {
            return null;
        }
        try {
            return JidCreate.fullFrom(Addresses.bareJid(callee.user(), callee.host()) + "/" + resource);
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The first item, in disco#items order, whose features include {@link #FEATURES} and that is a full JID of
     * the called user; null when none (the call gets 480).
     */
    public static FullJid first(String bareJid, List<Item> items) {
        for (Item item : items) {
            if (item.features().containsAll(FEATURES)) {
                FullJid jid = JidCreate.fullFromOrNull(item.jid());
                if (jid != null && jid.asBareJid().toString().equals(bareJid)) {
                    return jid;
                }
            }
        }
        return null;
    }

    /** The final SIP response (RFC 3261 §21) for a Jingle session that ended before it was accepted. */
    public static int sipStatus(JingleReason.Reason reason) {
        return switch (reason) {
            case busy -> 486;
            case decline -> 603;
            case timeout, expired -> 408;
            case cancel -> 487;
            case unsupported_applications, unsupported_transports, incompatible_parameters, failed_application,
                 security_error -> 488;
            case connectivity_error, failed_transport, media_error -> 503;
            case general_error -> 500;
            default -> 480; // gone, success, alternative-session: nobody took the call
        };
    }
}
