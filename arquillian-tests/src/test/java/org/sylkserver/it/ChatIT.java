package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conference chat (spec §3.4, issue 5) with a minimal SIP + MSRP client written for the test: two participants
 * join a room with a chat-only session (m=message TCP/TLS/MSRP), connect to the path the server answers over TLS,
 * and what one says in CPIM reaches the other re-originated by the room.
 */
@ExtendWith(ArquillianExtension.class)
class ChatIT {

    private static final java.util.List<SipConnection> OPEN = new java.util.concurrent.CopyOnWriteArrayList<>();

    @org.junit.jupiter.api.AfterAll
    static void closeSipConnections() throws IOException {
        for (SipConnection connection : OPEN) {
            connection.close();
        }
    }

    @Deployment(testable = false)
    static WebArchive conference() {
        return Archives.conference();
    }

    /** One chat participant: its SIP dialog (over TCP) and its MSRP connection (over TLS). */
    private static final class ChatClient implements AutoCloseable {
        final String user;
        final SipConnection sip;
        final String callId;
        String toTag;
        Socket msrp;
        String serverPath;
        final String ownPath;
        int cseq = 1;
        final java.util.List<String> inbox = new java.util.ArrayList<>();
        final long unique = System.nanoTime();

        ChatClient(String user) throws IOException {
            this.user = user;
            this.sip = SipConnection.tcp(Sipp.SERVER, Sipp.SIP_PORT);
            this.callId = user + "-" + System.nanoTime() + "@127.0.0.1";
            this.ownPath = "msrps://127.0.0.1:9/" + user + "0001;tcp";
        }

        String headers(String method, int seq, String branch) {
            // branches and tags unique per client: a repeated branch would be taken for a retransmission
            return "Via: SIP/2.0/TCP 127.0.0.1:" + sip.localPort() + ";branch=z9hG4bK" + branch + unique + "\r\n"
                    + "From: <sip:" + user + "@127.0.0.1>;tag=" + user + unique + "\r\n"
                    + "To: <sip:chatroom@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                    + "Call-ID: " + callId + "\r\nCSeq: " + seq + " " + method + "\r\nMax-Forwards: 70\r\n"
                    + "Contact: <sip:" + user + "@127.0.0.1:" + sip.localPort() + ";transport=tcp>\r\n";
        }

        void join() throws Exception {
            String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=message 9 TCP/TLS/MSRP *\r\na=accept-types:message/cpim text/plain\r\n"
                    + "a=accept-wrapped-types:*\r\na=path:" + ownPath + "\r\na=setup:active\r\n";
            sip.send("INVITE sip:chatroom@" + Sipp.SERVER + ":" + Sipp.SIP_PORT + " SIP/2.0\r\n"
                    + headers("INVITE", cseq, "inv" + user) + "Content-Type: application/sdp\r\nContent-Length: "
                    + sdp.length() + "\r\n\r\n" + sdp);
            String ok = sip.receiveFinal();
            assertTrue(ok.startsWith("SIP/2.0 200"), ok);
            Matcher tag = Pattern.compile("(?im)^To:.*;tag=([^;\\s]+)").matcher(ok);
            assertTrue(tag.find(), ok);
            toTag = tag.group(1);
            Matcher path = Pattern.compile("a=path:(\\S+)").matcher(ok);
            assertTrue(path.find(), "the answer has an MSRP path: " + ok);
            assertTrue(ok.contains("m=message ") && ok.contains("TCP/TLS/MSRP"), ok);
            assertTrue(ok.contains("a=chatroom:nickname private-messages"), ok);
            serverPath = path.group(1);
            sip.send("ACK sip:chatroom@" + Sipp.SERVER + ":" + Sipp.SIP_PORT + " SIP/2.0\r\n"
                    + headers("ACK", cseq, "ack" + user) + "Content-Length: 0\r\n\r\n");
            Matcher address = Pattern.compile("msrps://([^:/]+):(\\d+)/").matcher(serverPath);
            assertTrue(address.find(), serverPath);
            msrp = SipConnection.trustAll().getSocketFactory().createSocket(address.group(1), Integer.parseInt(address.group(2)));
            msrp.setSoTimeout(10_000);
            // RFC 4975 §5.4: the active side binds the connection with a first (empty) SEND
            send("bind" + user, null, null);
            readUntil(m -> m.startsWith("MSRP bind" + user + " 200"), "the bind SEND is answered");
        }

        /** RFC 7701 §6.1: asks for a nickname. */
        void nickname(String tid, String nickname) throws IOException {
            String m = "MSRP " + tid + " NICKNAME\r\nTo-Path: " + serverPath + "\r\nFrom-Path: " + ownPath
                    + "\r\nUse-Nickname: \"" + nickname + "\"\r\n-------" + tid + "$\r\n";
            msrp.getOutputStream().write(m.getBytes(StandardCharsets.UTF_8));
            msrp.getOutputStream().flush();
        }

        void send(String tid, String contentType, String body) throws IOException {
            StringBuilder m = new StringBuilder("MSRP " + tid + " SEND\r\nTo-Path: " + serverPath + "\r\nFrom-Path: "
                    + ownPath + "\r\nMessage-ID: msg" + tid + "\r\n");
            if (body == null) {
                m.append("Byte-Range: 1-0/0\r\n");
            } else {
                m.append("Byte-Range: 1-").append(body.getBytes(StandardCharsets.UTF_8).length).append('/')
                        .append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\nContent-Type: ")
                        .append(contentType).append("\r\n\r\n").append(body).append("\r\n");
            }
            m.append("-------").append(tid).append("$\r\n");
            OutputStream out = msrp.getOutputStream();
            out.write(m.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Reads messages until one matches (returned); the others are kept in {@link #inbox}. */
        String readUntil(java.util.function.Predicate<String> wanted, String what) throws IOException {
            for (int i = 0; i < 20; i++) {
                String message = readMessage();
                if (wanted.test(message)) {
                    return message;
                }
                inbox.add(message);
            }
            throw new AssertionError(user + ": no " + what + "; got " + inbox);
        }

        /** The next MSRP message as text (up to and including its end-line). */
        String readMessage() throws IOException {
            InputStream in = msrp.getInputStream();
            StringBuilder text = new StringBuilder();
            String tid = null;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("MSRP connection closed; read so far: " + text);
                }
                text.append((char) b);
                if (tid == null && text.length() > 5 && text.charAt(text.length() - 1) == ' '
                        && text.indexOf(" ", 5) == text.length() - 1) {
                    tid = text.substring(5, text.length() - 1);
                }
                if (tid != null && text.toString().endsWith("-------" + tid + "$\r\n")) {
                    return text.toString();
                }
            }
        }

        private boolean closed;

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                sip.send("BYE sip:chatroom@" + Sipp.SERVER + ":" + Sipp.SIP_PORT + " SIP/2.0\r\n"
                        + headers("BYE", ++cseq, "bye" + user) + "Content-Length: 0\r\n\r\n");
                // skip anything else (a 2xx to the INVITE sent again before our ACK arrived) until the BYE's answer
                String response;
                do {
                    response = sip.receiveFinal();
                } while (!response.contains(" BYE\r\n"));
            } finally {
                // kept open until the class is done: JAIN-SIP can confuse a closed connection with a new one from
                // the same client port (its table is keyed by address and port), which broke a later test's BYE
                OPEN.add(sip);
            }
        }
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
}
