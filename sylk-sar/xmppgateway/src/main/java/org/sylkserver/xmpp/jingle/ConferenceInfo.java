package org.sylkserver.xmpp.jingle;

import org.jivesoftware.smack.packet.StandardExtensionElement;

/**
 * XEP-0298 (Coin): what tells a Jingle party that its session is with a conference focus, which spec §5.7 asks of a
 * call the conference application places to an XMPP user.
 */
public final class ConferenceInfo {

    /** XEP-0298 §10 (schema): the namespace of {@code <conference-info/>}. */
    public static final String NAMESPACE = "urn:xmpp:coin:1";
    public static final String ELEMENT = "conference-info";

    private ConferenceInfo() {
    }

    /** XEP-0298 §5: {@code <conference-info xmlns='urn:xmpp:coin:1' isfocus='true'/>}, a child of the jingle element. */
    public static StandardExtensionElement focus() {
        return StandardExtensionElement.builder(ELEMENT, NAMESPACE).addAttribute("isfocus", "true").build();
    }
}
