package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sylkserver.media.msrp.TestRelay;

/**
 * The conference behind an MSRP relay (RFC 4976, issue 5): configured with {@code msrp_relay}, the room
 * authenticates at the relay stand-in with a digest AUTH, advertises paths through it, and chat between two
 * participants flows via the relay both ways.
 */
@ExtendWith(ArquillianExtension.class)
class MsrpRelayIT {

    private static TestRelay relay;

    /** The relay runs before the archive is deployed, so that the conference finds it at start. */
    @Deployment(testable = false)
    static EnterpriseArchive conference() {
        try {
            relay = new TestRelay("sylk", "relay-secret", 600);
            ServerConfig.write("conference.ini", "[Conference]\nmsrp_relay = " + relay.uri() + "\nmsrp_relay_username = sylk\n"
                    + "msrp_relay_password = relay-secret\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Archives.all();
    }

    @AfterAll
    static void stop() throws IOException {
        ChatClient.closeSipConnections();
        relay.close();
    }

    @Test
    void chatGoesThroughTheConfiguredRelay_rfc4976() throws Exception {
        assertTrue(relay.authorized.get() >= 1, "the room authenticated at the relay (RFC 4976 §7.1)");
        try (ChatClient alice = new ChatClient("alice", "relayroom"); ChatClient bob = new ChatClient("bob", "relayroom")) {
            String answer = alice.join();
            assertTrue(answer.contains("a=path:" + relay.uri().toString().replace(";tcp", "")),
                    "our path starts with the relay's Use-Path: " + answer);
            bob.join();
            alice.send("viarel01", "message/cpim", "To: <sip:relayroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nthrough the relay");
            bob.readUntil(m -> m.contains("through the relay"), "alice's message, relayed twice");
            bob.send("viarel02", "message/cpim", "To: <sip:relayroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nand back");
            alice.readUntil(m -> m.contains("and back"), "bob's answer");
        }
    }
}
