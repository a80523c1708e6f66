package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One participant of a conference room's chat, written for the tests: its SIP dialog over TCP (a chat-only
 * INVITE with {@code m=message TCP/TLS/MSRP}) and its MSRP connection over TLS to the path the server answers,
 * as the active side (RFC 4975 §5.4, RFC 6135).
 */
final class MsrpChatClient implements AutoCloseable {

    /**
     * SIP connections of closed clients, kept open until the test class is done: JAIN-SIP can confuse a closed
     * connection with a new one from the same client port (its table is keyed by address and port), which broke a
     * later test's BYE.
     */
    private static final List<SipConnection> OPEN = new CopyOnWriteArrayList<>();

    final String user;
    final SipConnection sip;
    /** Messages read while waiting for another one. */
    final List<String> inbox = new ArrayList<>();
    Socket msrp;
    private final String room;
    private final String callId;
    private final String ownPath;
    private final long unique = System.nanoTime();
    private String toTag;
    private String serverPath;
    private int cseq = 1;
    private boolean closed;

    /** @param room the user part of the room at the server under test */
    MsrpChatClient(String user, String room) throws IOException {
        this.user = user;
        this.room = room;
        this.sip = SipConnection.tcp(Sipp.SERVER, Sipp.SIP_PORT);
        this.callId = user + "-" + unique + "@127.0.0.1";
        this.ownPath = "msrps://127.0.0.1:9/" + user + "0001;tcp";
    }

    /** Closes the SIP connections of every client closed so far; for the end of a test class. */
    static void closeSipConnections() throws IOException {
        for (SipConnection connection : OPEN) {
            connection.close();
        }
        OPEN.clear();
    }

    private String headers(String method, int seq, String branch) {
        // branches and tags unique per client: a repeated branch would be taken for a retransmission
        return "Via: SIP/2.0/TCP 127.0.0.1:" + sip.localPort() + ";branch=z9hG4bK" + branch + unique + "\r\n"
                + "From: <sip:" + user + "@127.0.0.1>;tag=" + user + unique + "\r\n"
                + "To: <sip:" + room + "@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: " + seq + " " + method + "\r\nMax-Forwards: 70\r\n"
                + "Contact: <sip:" + user + "@127.0.0.1:" + sip.localPort() + ";transport=tcp>\r\n";
    }

    private String requestLine(String method) {
        return method + " sip:" + room + "@" + Sipp.SERVER + ":" + Sipp.SIP_PORT + " SIP/2.0\r\n";
    }

    /** Joins the room with a chat-only session and binds the MSRP connection; returns the 200 to the INVITE. */
    String join() throws Exception {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=message 9 TCP/TLS/MSRP *\r\na=accept-types:message/cpim text/plain\r\n"
                + "a=accept-wrapped-types:*\r\na=path:" + ownPath + "\r\na=setup:active\r\n";
        sip.send(requestLine("INVITE") + headers("INVITE", cseq, "inv" + user)
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp);
        String ok = sip.receiveFinal();
        assertTrue(ok.startsWith("SIP/2.0 200"), ok);
        Matcher tag = Pattern.compile("(?im)^To:.*;tag=([^;\\s]+)").matcher(ok);
        assertTrue(tag.find(), ok);
        toTag = tag.group(1);
        Matcher path = Pattern.compile("a=path:(\\S+)").matcher(ok);
        assertTrue(path.find(), "the answer has an MSRP path: " + ok);
        assertTrue(ok.contains("m=message ") && ok.contains("TCP/TLS/MSRP"), ok);
        serverPath = path.group(1);
        sip.send(requestLine("ACK") + headers("ACK", cseq, "ack" + user) + "Content-Length: 0\r\n\r\n");
        Matcher address = Pattern.compile("msrps://([^:/]+):(\\d+)/").matcher(serverPath);
        assertTrue(address.find(), serverPath);
        msrp = SipConnection.trustAll().getSocketFactory().createSocket(address.group(1),
                Integer.parseInt(address.group(2)));
        msrp.setSoTimeout(10_000);
        // RFC 4975 §5.4: the active side binds the connection with a first (empty) SEND
        send("bind" + user, null, (byte[]) null);
        readUntil(m -> m.startsWith("MSRP bind" + user + " 200"), "the bind SEND is answered");
        return ok;
    }

    /** RFC 7701 §6.1: asks for a nickname. */
    void nickname(String tid, String nickname) throws IOException {
        String m = "MSRP " + tid + " NICKNAME\r\nTo-Path: " + serverPath + "\r\nFrom-Path: " + ownPath
                + "\r\nUse-Nickname: \"" + nickname + "\"\r\n-------" + tid + "$\r\n";
        msrp.getOutputStream().write(m.getBytes(StandardCharsets.UTF_8));
        msrp.getOutputStream().flush();
    }

    void send(String tid, String contentType, String body) throws IOException {
        send(tid, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /** One SEND in a single chunk; {@code body} null sends an empty one. */
    void send(String tid, String contentType, byte[] body) throws IOException {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder("MSRP " + tid + " SEND\r\nTo-Path: " + serverPath + "\r\nFrom-Path: "
                + ownPath + "\r\nMessage-ID: msg" + tid + "\r\n");
        if (body == null) {
            head.append("Byte-Range: 1-0/0\r\n");
        } else {
            head.append("Byte-Range: 1-").append(body.length).append('/').append(body.length)
                    .append("\r\nContent-Type: ").append(contentType).append("\r\n\r\n");
        }
        m.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            m.writeBytes(body);
            m.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        m.writeBytes(("-------" + tid + "$\r\n").getBytes(StandardCharsets.US_ASCII));
        OutputStream out = msrp.getOutputStream();
        out.write(m.toByteArray());
        out.flush();
    }

    /** Reads messages until one matches (returned); the others are kept in {@link #inbox}. */
    String readUntil(Predicate<String> wanted, String what) throws IOException {
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

    /** Leaves the room with a BYE. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            sip.send(requestLine("BYE") + headers("BYE", ++cseq, "bye" + user) + "Content-Length: 0\r\n\r\n");
            // skip anything else (a 2xx to the INVITE sent again before our ACK arrived) until the BYE's answer
            String response;
            do {
                response = sip.receiveFinal();
            } while (!response.contains(" BYE\r\n"));
        } finally {
            OPEN.add(sip);
        }
    }
}
