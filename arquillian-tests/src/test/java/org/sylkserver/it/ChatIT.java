package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conference chat (spec §3.4, issue 5) with a minimal SIP + MSRP client written for the test: two participants
 * join a room with a chat-only session (m=message TCP/TLS/MSRP), connect to the path the server answers over TLS,
 * and what one says in CPIM reaches the other re-originated by the room.
 */
@ExtendWith(ArquillianExtension.class)
class ChatIT {

    @org.junit.jupiter.api.AfterAll
    static void closeSipConnections() throws IOException {
        ChatClient.closeSipConnections();
    }

    @Deployment(testable = false)
    static EnterpriseArchive conference() {
        return Archives.all();
    }

    @Test
    void whatOneParticipantSaysReachesTheOther_spec3_4() throws Exception {
        try (ChatClient alice = new ChatClient("alice"); ChatClient bob = new ChatClient("bob")) {
            alice.join();
            bob.join();
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
        try (ChatClient alice = new ChatClient("alice"); ChatClient bob = new ChatClient("bob");
             ChatClient carol = new ChatClient("carol")) {
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

    /** A chat stream offer of {@code client} that will connect to the room itself (RFC 6135 active). */
    private static String activeChat(ChatClient client) {
        return "m=message 9 TCP/TLS/MSRP *\r\na=accept-types:message/cpim\r\na=path:" + client.ownPath
                + "\r\na=setup:active\r\n";
    }

    /** A PCMU audio stream offer at {@code port}. */
    private static String pcmu(int port) {
        return "m=audio " + port + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    }

    /** Spec §3.2: a participant adds and removes audio and chat by re-INVITE; an offer of neither gets 488. */
    @Test
    void streamsComeAndGoByReInvite_spec3_2() throws Exception {
        try (ChatClient alice = new ChatClient("alice", "reinviteroom"); ChatClient bob = new ChatClient("bob", "reinviteroom")) {
            alice.join();
            bob.join();
            String chat = activeChat(bob);
            String audio = pcmu(41990);
            String both = bob.reinvite(audio + chat);
            assertTrue(both.startsWith("SIP/2.0 200"), both);
            assertTrue(both.matches("(?s).*m=audio [1-9][0-9]* RTP/AVP 0.*"), "audio added: " + both);
            assertTrue(both.contains("a=path:" + bob.serverPath), "the chat stream kept its path: " + both);
            ServerLogs.await(") added audio in room reinviteroom@127.0.0.1", java.time.Duration.ofSeconds(5));
            String audioOnly = bob.reinvite(audio + "m=message 0 TCP/TLS/MSRP *\r\n");
            assertTrue(audioOnly.startsWith("SIP/2.0 200") && audioOnly.contains("m=message 0 "), audioOnly);
            ServerLogs.await(") removed chat in room reinviteroom@127.0.0.1", java.time.Duration.ofSeconds(5));
            // the chat's MSRP connection is closed: what was in flight is read, then the stream ends
            bob.msrp.getInputStream().readAllBytes();
            alice.send("after001", "message/cpim", "To: <sip:reinviteroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nstill here");
            alice.readUntil(m -> m.startsWith("MSRP after001 200"), "the room still takes alice's chat");
            String neither = bob.reinvite("m=video 41992 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n");
            assertTrue(neither.startsWith("SIP/2.0 488"), "neither audio nor chat: " + neither);
            String chatBack = bob.reinvite("m=audio 0 RTP/AVP 0\r\n" + chat);
            assertTrue(chatBack.startsWith("SIP/2.0 200") && chatBack.contains("m=audio 0 "), chatBack);
            ServerLogs.await(") removed audio in room reinviteroom@127.0.0.1", java.time.Duration.ofSeconds(5));
            ServerLogs.await(") added chat in room reinviteroom@127.0.0.1", java.time.Duration.ofSeconds(5));
        }
    }

    /**
     * A participant's MSRP connection drops (client gone, network cut) while its session is on: with audio as well it
     * stays in the room without chat; the others go on chatting.
     */
    @Test
    void aLostChatConnectionLeavesTheAudio() throws Exception {
        try (ChatClient alice = new ChatClient("alice", "droproom"); ChatClient bob = new ChatClient("bob", "droproom")) {
            alice.join();
            bob.join();
            String both = bob.reinvite(pcmu(41994) + activeChat(bob));
            assertTrue(both.startsWith("SIP/2.0 200"), both);
            ServerLogs.await(") added audio in room droproom@127.0.0.1", java.time.Duration.ofSeconds(5));
            bob.msrp.close();
            ServerLogs.await("MSRP connection lost, it stays in the room with audio only", java.time.Duration.ofSeconds(5));
            ServerLogs.await(") removed chat in room droproom@127.0.0.1", java.time.Duration.ofSeconds(5));
            alice.send("stay0001", "message/cpim", "To: <sip:droproom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nstill chatting");
            alice.readUntil(m -> m.startsWith("MSRP stay0001 200"), "the room still takes alice's chat");
        }
    }

    /** Spec §1.4 / RFC 6135: a participant that offers a=setup:passive is connected to by the room. */
    @Test
    void theRoomConnectsToAParticipantThatListens_rfc6135() throws Exception {
        try (ChatClient alice = new ChatClient("alice", "listenroom"); ChatClient bob = new ChatClient("bob", "listenroom")) {
            alice.join();
            bob.joinListening();
            bob.readUntil(m -> m.contains("Welcome! There is one more participant"), "the welcome over the room's connection");
            alice.send("hello001", "message/cpim", "To: <sip:listenroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nhi listener");
            bob.readUntil(m -> m.contains("hi listener"), "alice's message");
            bob.send("reply001", "message/cpim", "To: <sip:listenroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nhi alice");
            alice.readUntil(m -> m.contains("hi alice"), "bob's message sent on the room's connection");
        }
    }

    /** Bad MSRP on one participant's connection (RFC 4975 §7.3.1 400, lost framing) disturbs nobody else. */
    @Test
    void malformedMsrpGetsAnErrorAndHarmsNoOtherSession_rfc4975() throws Exception {
        try (ChatClient alice = new ChatClient("alice", "badroom"); ChatClient bob = new ChatClient("bob", "badroom")) {
            alice.join();
            bob.join();
            // framed, but a SEND without a Message-ID: answered 400, the connection stays
            String noId = "MSRP bad00001 SEND\r\nTo-Path: " + bob.serverPath + "\r\nFrom-Path: " + bob.ownPath
                    + "\r\nByte-Range: 1-2/2\r\nContent-Type: message/cpim\r\n\r\nhi\r\n-------bad00001$\r\n";
            bob.msrp.getOutputStream().write(noId.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            bob.msrp.getOutputStream().flush();
            bob.readUntil(m -> m.startsWith("MSRP bad00001 400"), "400 for a SEND without Message-ID");
            bob.send("good0001", "message/cpim", "To: <sip:badroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nstill ok");
            alice.readUntil(m -> m.contains("still ok"), "bob's next message");
            // garbage with no framing at all: only bob's connection is closed
            bob.msrp.getOutputStream().write(new byte[] {0, 1, 2, 'x', '\r', '\n', (byte) 0xff, '\r', '\n'});
            bob.msrp.getOutputStream().write("NOT MSRP AT ALL\r\n\r\n".repeat(50).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            bob.msrp.getOutputStream().flush();
            bob.msrp.getInputStream().readAllBytes(); // ends: the server closed the connection
            // bob offered only chat: without its connection his session is over
            bob.awaitBye();
            ServerLogs.await(") left room badroom@127.0.0.1: MSRP connection lost", java.time.Duration.ofSeconds(5));
            alice.send("alive001", "message/cpim", "To: <sip:badroom@127.0.0.1>\r\n\r\nContent-Type: text/plain\r\n\r\nanyone");
            alice.readUntil(m -> m.startsWith("MSRP alive001 200"), "the room still serves alice");
        }
    }

    /** RFC 3994 is-composing relayed to the others; a late joiner gets the history (spec §3.3-3.4). */
    @Test
    void composingIsRelayedAndLateJoinersGetTheHistory_rfc3994() throws Exception {
        try (ChatClient alice = new ChatClient("alice", "historyroom"); ChatClient bob = new ChatClient("bob", "historyroom")) {
            alice.join();
            bob.join();
            String composing = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">"
                    + "<state>active</state><contenttype>text/plain</contenttype></isComposing>";
            alice.send("comp0001", "message/cpim", "To: <sip:historyroom@127.0.0.1>\r\n\r\n"
                    + "Content-Type: application/im-iscomposing+xml\r\n\r\n" + composing);
            String atBob = bob.readUntil(m -> m.contains("isComposing"), "alice's composing indication");
            assertTrue(atBob.contains("From: <sip:alice@127.0.0.1>"), atBob);
            for (int i = 1; i <= 3; i++) {
                alice.send("hist000" + i, "message/cpim", "To: <sip:historyroom@127.0.0.1>\r\n\r\n"
                        + "Content-Type: text/plain\r\n\r\nremember " + i);
                int n = i;
                bob.readUntil(m -> m.contains("remember " + n), "message " + i);
            }
            try (ChatClient carol = new ChatClient("carol", "historyroom")) {
                carol.join();
                for (int i = 1; i <= 3; i++) {
                    int n = i;
                    // the history may come before the 200 to carol's binding SEND, while she waited for it
                    carol.awaitMessage(m -> m.contains("remember " + n) && m.contains("From: <sip:alice@127.0.0.1>"),
                            "history message " + i + " from its original sender");
                }
                assertTrue(carol.inbox.stream().noneMatch(m -> m.contains("isComposing")),
                        "composing indications are not history");
            }
        }
    }

    /**
     * Issue 11, one misbehaving peer never hurts the others: mallory joins the room's chat and never reads again
     * while alice sends 32 MiB of chat (in bursts bob keeps up with); bob gets every message, and the server
     * disconnects mallory once what waits for her is over send_queue_size (16 MiB by default).
     */
    @Test
    void aParticipantThatStopsReadingDoesNotHoldUpTheChat() throws Exception {
        try (ChatClient alice = new ChatClient("alice", "stallroom"); ChatClient bob = new ChatClient("bob", "stallroom");
             ChatClient mallory = new ChatClient("mallory", "stallroom")) {
            mallory.join();
            alice.join();
            bob.join();
            ServerLogs.await("bob@127.0.0.1 (", Duration.ofSeconds(10));
            Thread drain = new Thread(() -> {
                try {
                    alice.msrp.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException closed) {
                    // the test ends
                }
            });
            drain.setDaemon(true);
            drain.start();
            String padding = "x".repeat(8 * 1024);
            int bursts = 40;
            int perBurst = 100;
            long worst = 0;
            long start = System.nanoTime();
            for (int b = 0; b < bursts; b++) {
                long sent = System.nanoTime();
                for (int i = 0; i < perBurst; i++) {
                    alice.send(String.format("st%03d%03d", b, i), "message/cpim", "To: <sip:stallroom@127.0.0.1>\r\n\r\n"
                            + "Content-Type: text/plain\r\n\r\nburst " + b + " message " + i + " " + padding);
                }
                String last = "burst " + b + " message " + (perBurst - 1) + " ";
                bob.readUntil(m -> m.contains(last), "the last message of burst " + b);
                worst = Math.max(worst, System.nanoTime() - sent);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("ChatIT: %d messages of 8 KiB to bob over TLS in %.1f s (%.0f msg/s), a burst of %d "
                    + "delivered within %.0f ms at worst, with mallory not reading%n", bursts * perBurst, seconds,
                    bursts * perBurst / seconds, perBurst, worst / 1e6);
            assertTrue(bob.inbox.stream().filter(m -> m.contains("burst ")).count() == bursts * (perBurst - 1L),
                    "bob got every message");
            String closed = ServerLogs.await("send_queue_size): the peer does not read", Duration.ofSeconds(10));
            assertTrue(closed.contains("closed:"), closed);
        }
    }

    /**
     * Issue 11: a flood of idle MSRP connections from one address meets max_connections_per_address (50 by default:
     * the rest are closed at once, with one log line a second at most) while a chat from another address goes on.
     * (That idle connections are closed after bind_timeout is MsrpServerTest's: 30 s is too long here.)
     */
    @Test
    void aFloodOfIdleMsrpConnectionsMeetsTheCapWhileTheChatGoesOn() throws Exception {
        List<Socket> flood = new ArrayList<>();
        try (ChatClient alice = new ChatClient("alice", "floodroom"); ChatClient bob = new ChatClient("bob", "floodroom")) {
            alice.join();
            bob.join();
            Matcher port = Pattern.compile(":(\\d+)/").matcher(alice.serverPath);
            assertTrue(port.find(), alice.serverPath);
            InetSocketAddress flooder = new InetSocketAddress("127.0.0.2", 0);
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1)));
            int closed = 0;
            for (int i = 0; i < 60; i++) {
                Socket idle = new Socket();
                flood.add(idle);
                idle.bind(flooder);
                try {
                    idle.connect(server);
                } catch (SocketException resetBeforeConnectReturned) {
                    // The server resets a connection over the cap as soon as it accepts it, which can be before this
                    // thread returns from connect (the kernel then reports the reset as EPIPE or ECONNRESET).
                    if (i < 50) {
                        throw resetBeforeConnectReturned;
                    }
                    closed++;
                    continue;
                }
                idle.setSoTimeout(5000);
            }
            for (Socket idle : flood.subList(50, 60)) {
                if (!idle.isConnected()) {
                    continue;
                }
                try {
                    closed += idle.getInputStream().read() < 0 ? 1 : 0;
                } catch (SocketException reset) {
                    closed++;
                }
            }
            assertTrue(closed == 10, closed + " of the 10 over the cap closed");
            ServerLogs.await("are open, the limit (max_connections_per_address)", Duration.ofSeconds(5));
            alice.send("fl000001", "message/cpim", "To: <sip:floodroom@127.0.0.1>\r\n\r\n"
                    + "Content-Type: text/plain\r\n\r\nstill chatting");
            bob.readUntil(m -> m.contains("still chatting"), "alice's message during the flood");
        } finally {
            for (Socket idle : flood) {
                idle.close();
            }
        }
    }
}
