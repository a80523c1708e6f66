package org.sylkserver.xmpp.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** The resources a SIP user's call to a bare JID rings (spec §5.7), as presence tells them (RFC 6121 §4.2). */
class PresentResourcesTest {

    private static Presence presence(Presence.Type type, String from) {
        return StanzaBuilder.buildPresence().ofType(type).from(JidCreate.fromOrThrowUnchecked(from))
                .to(JidCreate.fromOrThrowUnchecked("alice@sip.example")).build();
    }

    private static List<String> of(PresentResources resources, String user) {
        return resources.of(JidCreate.bareFromOrThrowUnchecked(user)).stream().map(Object::toString).toList();
    }

    /** RFC 6121 §4.2.2 available, §4.5.2 unavailable; a bare JID's presence names no resource. */
    @Test
    void availableResourcesUntilTheyAreUnavailable_rfc6121_4() {
        PresentResources resources = new PresentResources(10, 4);
        resources.presence(presence(Presence.Type.available, "romeo@xmpp.example/phone"));
        resources.presence(presence(Presence.Type.available, "romeo@xmpp.example/laptop"));
        resources.presence(presence(Presence.Type.available, "romeo@xmpp.example"));
        resources.presence(presence(Presence.Type.subscribe, "romeo@xmpp.example/tablet"));
        assertEquals(List.of("romeo@xmpp.example/laptop", "romeo@xmpp.example/phone"),
                of(resources, "romeo@xmpp.example"), "the latest first");

        resources.presence(presence(Presence.Type.unavailable, "romeo@xmpp.example/laptop"));
        assertEquals(List.of("romeo@xmpp.example/phone"), of(resources, "romeo@xmpp.example"));
        resources.presence(presence(Presence.Type.unavailable, "romeo@xmpp.example/phone"));
        assertEquals(List.of(), of(resources, "romeo@xmpp.example"));
        assertEquals(0, resources.users());
    }

    /** Remote servers choose how many JIDs we hear of: the users and their resources are bounded. */
    @Test
    void usersAndResourcesAreBounded() {
        PresentResources resources = new PresentResources(2, 2);
        for (String resource : List.of("a", "b", "c")) {
            resources.presence(presence(Presence.Type.available, "romeo@xmpp.example/" + resource));
        }
        assertEquals(List.of("romeo@xmpp.example/c", "romeo@xmpp.example/b"), of(resources, "romeo@xmpp.example"));

        resources.presence(presence(Presence.Type.available, "juliet@xmpp.example/x"));
        of(resources, "romeo@xmpp.example"); // romeo heard of more recently than juliet
        resources.presence(presence(Presence.Type.available, "mercutio@xmpp.example/y"));
        assertEquals(2, resources.users());
        assertEquals(List.of(), of(resources, "juliet@xmpp.example"), "the least recently heard of is forgotten");
        assertEquals(2, of(resources, "romeo@xmpp.example").size());
    }
}
