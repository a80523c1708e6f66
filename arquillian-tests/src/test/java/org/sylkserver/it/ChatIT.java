package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conference chat (spec §3.4, issue 5) with a minimal SIP + MSRP client ({@link MsrpChatClient}): two participants
 * join a room with a chat-only session (m=message TCP/TLS/MSRP), connect to the path the server answers over TLS,
 * and what one says in CPIM reaches the other re-originated by the room.
 */
@ExtendWith(ArquillianExtension.class)
class ChatIT {

    private static final String ROOM = "chatroom";

    @org.junit.jupiter.api.AfterAll
    static void closeSipConnections() throws IOException {
        MsrpChatClient.closeSipConnections();
    }

    @Deployment(testable = false)
    static WebArchive conference() {
        return Archives.conference();
    }

    @Test
    void whatOneParticipantSaysReachesTheOther_spec3_4() throws Exception {
        try (MsrpChatClient alice = new MsrpChatClient("alice", ROOM);
             MsrpChatClient bob = new MsrpChatClient("bob", ROOM)) {
            alice.join();
            String ok = bob.join();
            assertTrue(ok.contains("a=chatroom:nickname private-messages"), ok);
            ServerLogs.await("bob@127.0.0.1 (", Duration.ofSeconds(10));
            String cpim = "From: <sip:alice@127.0.0.1>\r\nTo: <sip:chatroom@127.0.0.1>\r\n\r\n"
                    + "Content-Type: text/plain\r\n\r\nHello, Bob!";
            assertTrue(bob.inbox.stream().anyMatch(m -> m.contains("Welcome! There is one more participant in the"
                    + " conference")), "the joiner's welcome (spec §3.3): " + bob.inbox);
            String joined = alice.readUntil(m -> m.contains("bob@127.0.0.1 has joined the room with chat"), "status");
            assertTrue(joined.contains("agp.Message-Type: status"), joined);
            alice.send("say0001", "message/cpim", cpim);
            String atBob = bob.readUntil(m -> m.contains("Hello, Bob!"), "alice's message");
            assertTrue(atBob.contains(" SEND\r\n"), atBob);
            assertTrue(atBob.contains("From: <sip:alice@127.0.0.1>"), "re-originated from the sender: " + atBob);
            assertTrue(atBob.contains("Content-Type: message/cpim"), atBob);
            alice.readUntil(m -> m.startsWith("MSRP say0001 200"), "the 200 to her SEND");
            // spec §3.4: only CPIM; anti-spoofing drops a message claiming to be someone else
            alice.send("raw00001", "text/plain", "not cpim");
            alice.readUntil(m -> m.startsWith("MSRP raw00001 415"), "415 for a non-CPIM chunk");
            alice.send("spoof001", "message/cpim", "From: <sip:carol@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nI am Carol");
            alice.readUntil(m -> m.startsWith("MSRP spoof001 200"), "the 200 to the spoofed message");
            bob.send("back0001", "message/cpim", "To: <sip:chatroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nHi Alice");
            String atAlice = alice.readUntil(m -> m.contains("Hi Alice"), "bob's answer");
            assertTrue(atAlice.contains("sip:bob@127.0.0.1"), atAlice);
            assertTrue(bob.inbox.stream().noneMatch(m -> m.contains("I am Carol")), "the spoofed message never arrived");
            bob.close();
            alice.readUntil(m -> m.contains("bob@127.0.0.1 has left the room after"), "bob's leave notice");
            // the server closes bob's MSRP connection: what was in flight is read, then the stream ends (reading
            // would time out after 10 s if the connection stayed open)
            bob.msrp.getInputStream().readAllBytes();
        }
    }

    /** RFC 7701 nicknames (unique, 425 on conflict, shown as the sender's name) and private messages (spec §3.4). */
    @Test
    void nicknamesAndPrivateMessages_rfc7701() throws Exception {
        try (MsrpChatClient alice = new MsrpChatClient("alice", ROOM);
             MsrpChatClient bob = new MsrpChatClient("bob", ROOM);
             MsrpChatClient carol = new MsrpChatClient("carol", ROOM)) {
            alice.join();
            bob.join();
            carol.join();
            alice.nickname("nick0001", "ally");
            alice.readUntil(m -> m.startsWith("MSRP nick0001 200"), "the nickname accepted");
            bob.nickname("nick0002", "ally");
            bob.readUntil(m -> m.startsWith("MSRP nick0002 425"), "425 for a nickname in use");
            alice.send("pub00001", "message/cpim", "To: <sip:chatroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nHi all");
            String atCarol = carol.readUntil(m -> m.contains("Hi all"), "the public message");
            assertTrue(atCarol.contains("From: \"ally\" <sip:alice@127.0.0.1>"), "the nickname as sender name: " + atCarol);
            alice.send("prv00001", "message/cpim", "To: <sip:bob@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nJust for Bob");
            String atBob = bob.readUntil(m -> m.contains("Just for Bob"), "the private message");
            assertTrue(atBob.contains("To: <sip:bob@127.0.0.1>"), atBob);
            carol.send("pub00002", "message/cpim", "To: <sip:chatroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nCarol here");
            bob.readUntil(m -> m.contains("Carol here"), "carol's public message");
            String carolSaw = carol.readUntil(m -> m.startsWith("MSRP pub00002 200"), "carol's 200");
            assertTrue(carol.inbox.stream().noneMatch(m -> m.contains("Just for Bob")) && !carolSaw.contains("Just for Bob"),
                    "the private message did not reach carol: " + carol.inbox);
        }
    }
}
