package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal SIP + MSRP conference participant for the tests (spec §3.4-3.5): its SIP dialog over TCP and its MSRP
 * connection over TLS, chat in CPIM, files in chunks.
 */
final class ChatClient implements AutoCloseable {

    private static final java.util.List<SipConnection> OPEN = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Closes the SIP connections of every client: at the end of a test class (see {@link #close}). */
    static void closeSipConnections() throws IOException {
        for (SipConnection connection : OPEN) {
            connection.close();
        }
        OPEN.clear();
    }

    final String user;
    final String room;
    /** The room's domain, or null for the server's address. */
    final String domain;
    private InputStream input;
    final SipConnection sip;
    final String callId;
    String toTag;
    Socket msrp;
    String serverPath;
    String ownPath;
    int cseq = 1;
    final java.util.List<String> inbox = new java.util.ArrayList<>();
    final long unique = System.nanoTime();

    ChatClient(String user) throws IOException {
        this(user, "chatroom");
    }

    ChatClient(String user, String room) throws IOException {
        this(user, room, null);
    }

    /** A participant of room {@code room@domain} (its requests still go to the server's address). */
    ChatClient(String user, String room, String domain) throws IOException {
        this(user, "127.0.0.1", room, domain, domain != null ? domain : "127.0.0.1", "");
    }

    /** Host of the From and of the To (whose user is {@link #room}). */
    private final String fromHost;
    private final String toHost;
    /** Header lines (each ending in CRLF) added to every request, e.g. {@code X-Sylk-App}. */
    private final String extraHeaders;

    /**
     * A SIP client {@code user@fromHost} whose INVITEs are for {@code room@toHost} (a room, or an account of the
     * gateway), sent to the server's address, with {@code extraHeaders} on each request.
     */
    ChatClient(String user, String fromHost, String room, String toHost, String extraHeaders) throws IOException {
        this(user, fromHost, room, null, toHost, extraHeaders);
    }

    /**
     * A SIP client {@code user@fromHost} whose INVITEs are for {@code room@domain} (its To at {@code toHost}), sent
     * to the server's address, with {@code extraHeaders} on each request.
     */
    ChatClient(String user, String fromHost, String room, String domain, String toHost, String extraHeaders)
            throws IOException {
        this.user = user;
        this.room = room;
        this.domain = domain;
        this.fromHost = fromHost;
        this.toHost = toHost;
        this.extraHeaders = extraHeaders;
        this.sip = SipConnection.tcp(Sipp.SERVER, Sipp.SIP_PORT);
        this.callId = user + "-" + System.nanoTime() + "@127.0.0.1";
        this.ownPath = "msrps://127.0.0.1:9/" + user + "0001;tcp";
    }

    /** The Request-URI of the room: at its domain, else at the server's address and port. */
    private String roomUri() {
        return "sip:" + room + "@" + (domain != null ? domain : Sipp.SERVER + ":" + Sipp.SIP_PORT);
    }

    String headers(String method, int seq, String branch) {
        // branches and tags unique per client: a repeated branch would be taken for a retransmission
        return "Via: SIP/2.0/TCP 127.0.0.1:" + sip.localPort() + ";branch=z9hG4bK" + branch + unique + "\r\n"
                + "From: <sip:" + user + "@" + fromHost + ">;tag=" + user + unique + "\r\n"
                + "To: <sip:" + room + "@" + toHost + ">" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + extraHeaders
                + "Call-ID: " + callId + "\r\nCSeq: " + seq + " " + method + "\r\nMax-Forwards: 70\r\n"
                + "Contact: <sip:" + user + "@127.0.0.1:" + sip.localPort() + ";transport=tcp>\r\n";
    }

    /** Joins the room with a chat-only session (m=message TCP/TLS/MSRP, CPIM) and binds its MSRP connection. */
    String join() throws Exception {
        String ok = invite("m=message 9 TCP/TLS/MSRP *\r\na=accept-types:message/cpim text/plain\r\n"
                + "a=accept-wrapped-types:*\r\na=path:" + ownPath + "\r\na=setup:active\r\n");
        assertTrue(ok.startsWith("SIP/2.0 200"), ok);
        assertTrue(ok.contains("a=chatroom:nickname private-messages"), ok);
        connect(ok);
        return ok;
    }

    /**
     * Joins offering {@code a=setup:passive} (RFC 6135): the client listens on a TLS port of its own and the room,
     * as the active side (spec §1.4), connects to it and binds the session with an empty SEND, which is answered.
     */
    String joinListening() throws Exception {
        try (javax.net.ssl.SSLServerSocket listener = listen()) {
            ownPath = "msrps://127.0.0.1:" + listener.getLocalPort() + "/" + user + "0002;tcp";
            String ok = invite("m=message " + listener.getLocalPort() + " TCP/TLS/MSRP *\r\n"
                    + "a=accept-types:message/cpim text/plain\r\na=accept-wrapped-types:*\r\na=path:" + ownPath
                    + "\r\na=setup:passive\r\n");
            assertTrue(ok.startsWith("SIP/2.0 200") && ok.contains("a=setup:active"), "the room connects: " + ok);
            Matcher path = Pattern.compile("a=path:(\\S+)").matcher(ok);
            assertTrue(path.find(), ok);
            serverPath = path.group(1);
            acceptBinding(listener);
            return ok;
        }
    }

    /** A TLS port of the client's own on the loopback interface, for MSRP peers that connect to it. */
    private static javax.net.ssl.SSLServerSocket listen() throws Exception {
        javax.net.ssl.SSLServerSocket listener = (javax.net.ssl.SSLServerSocket) listeningTls()
                .getServerSocketFactory().createServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
        listener.setSoTimeout(10_000);
        return listener;
    }

    /**
     * Takes the peer's connection on {@code listener} and answers its binding SEND (RFC 4975 §5.4); the peer's path
     * is the SEND's From-Path when the client did not learn it from the SDP.
     */
    private void acceptBinding(javax.net.ssl.SSLServerSocket listener) throws IOException {
        msrp = listener.accept();
        msrp.setSoTimeout(10_000);
        input = new java.io.BufferedInputStream(msrp.getInputStream(), 256 * 1024);
        String bind = readMessage();
        assertTrue(bind.contains(" SEND\r\n") && bind.contains("To-Path: " + ownPath), "the binding SEND: " + bind);
        java.util.Map<String, String> headers = headersOf(bind);
        if (serverPath == null) {
            serverPath = headers.get("from-path");
        }
        acknowledge(bind.substring(5, bind.indexOf(' ', 5)), headers);
    }

    /** The header fields of an MSRP message's text, by lower-case name (the first of each). */
    private static java.util.Map<String, String> headersOf(String message) {
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        int blank = message.indexOf("\r\n\r\n");
        for (String line : (blank > 0 ? message.substring(0, blank) : message).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).toLowerCase(java.util.Locale.ROOT),
                        line.substring(colon + 1).strip());
            }
        }
        return headers;
    }

    /**
     * A SIP user that the server calls (spec §5.4.3, XMPP-originated chat sessions): its requests come on
     * {@code sip} (a UDP port the server reaches by DNS), the client answers them ({@link #answerListening}).
     */
    static ChatClient called(String user, SipConnection sip) {
        return new ChatClient(user, sip);
    }

    private ChatClient(String user, SipConnection sip) {
        this.user = user;
        this.room = null;
        this.domain = null;
        this.fromHost = null;
        this.toHost = null;
        this.extraHeaders = "";
        this.sip = sip;
        this.callId = null;
        this.called = true;
    }

    /** Whether the server called this client (then {@link #close} ends no call of its own). */
    private boolean called;

    /**
     * Answers the server's {@code invite} with 200 and a chat stream (CPIM) that listens ({@code a=setup:passive},
     * RFC 6135), waits for the ACK (retransmissions of the INVITE are skipped), and takes the MSRP connection the
     * server makes to it and binds.
     */
    void answerListening(String invite) throws Exception {
        try (javax.net.ssl.SSLServerSocket listener = listen()) {
            ownPath = "msrps://127.0.0.1:" + listener.getLocalPort() + "/" + user + "0003;tcp";
            respond(invite, "200 OK", "called" + unique, "v=0\r\no=- 3 3 IN IP4 127.0.0.1\r\ns=-\r\n"
                    + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message " + listener.getLocalPort() + " TCP/TLS/MSRP *\r\n"
                    + "a=accept-types:message/cpim text/plain\r\na=accept-wrapped-types:*\r\na=path:" + ownPath
                    + "\r\na=setup:passive\r\n");
            awaitRequest("ACK");
            acceptBinding(listener);
        }
    }

    /**
     * Ends the call the server made ({@code invite}) with a BYE (RFC 3261 §15.1.1: to its Contact, From our To with
     * our tag, To its From) and waits for the 200.
     */
    void bye(String invite) throws IOException {
        Matcher contact = Pattern.compile("(?im)^(?:Contact|m):[^<\\r\\n]*<([^>]+)>").matcher(invite);
        assertTrue(contact.find(), invite);
        String from = header(invite, "From", "f");
        String to = header(invite, "To", "t");
        sip.send("BYE " + contact.group(1) + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + sip.localPort()
                + ";branch=z9hG4bKbye" + unique + "\r\nFrom: " + to + ";tag=called" + unique + "\r\nTo: " + from
                + "\r\nCall-ID: " + header(invite, "Call-ID", "i") + "\r\nCSeq: 1 BYE\r\nMax-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n");
        String response;
        do {
            response = sip.receive();
        } while (!(response.startsWith("SIP/2.0 ") && response.contains(" BYE\r\n") && response.charAt(8) != '1'));
        assertTrue(response.startsWith("SIP/2.0 200"), response);
    }

    /** The value of a request's header field (by its name or compact form). */
    private static String header(String message, String name, String compact) {
        Matcher field = Pattern.compile("(?im)^(?:" + name + "|" + compact + ")\\s*:\\s*(.*?)\\r?$").matcher(message);
        assertTrue(field.find(), "no " + name + " in " + message);
        return field.group(1);
    }

    /**
     * The next SEND with content on the MSRP connection, answered with 200 (RFC 4975 §7.2); responses, REPORTs and
     * empty SENDs before it are skipped.
     */
    String receiveSend() throws IOException {
        while (true) {
            String message = readMessage();
            if (message.substring(0, message.indexOf("\r\n")).endsWith(" SEND")) {
                java.util.Map<String, String> headers = headersOf(message);
                acknowledge(message.substring(5, message.indexOf(' ', 5)), headers);
                if (headers.containsKey("content-type")) {
                    return message;
                }
            }
        }
    }

    /** The success REPORT of a whole message {@code send} (RFC 4975 §7.1.2), as its receiver sends it. */
    void reportSuccess(String send) throws IOException {
        java.util.Map<String, String> headers = headersOf(send);
        String tid = "rep" + System.nanoTime();
        String total = headers.get("byte-range").substring(headers.get("byte-range").indexOf('/') + 1);
        String report = "MSRP " + tid + " REPORT\r\nTo-Path: " + headers.get("from-path") + "\r\nFrom-Path: "
                + ownPath + "\r\nMessage-ID: " + headers.get("message-id") + "\r\nByte-Range: 1-" + total + "/"
                + total + "\r\nStatus: 000 200 OK\r\n-------" + tid + "$\r\n";
        msrp.getOutputStream().write(report.getBytes(StandardCharsets.US_ASCII));
        msrp.getOutputStream().flush();
    }

    /** A TLS context with a self-signed certificate made by keytool, for a client that listens. */
    private static synchronized javax.net.ssl.SSLContext listeningTls() throws Exception {
        java.nio.file.Path store = java.nio.file.Path.of("target", "chat-client.p12");
        if (!java.nio.file.Files.exists(store)) {
            Process keytool = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool")
                    .toString(), "-genkeypair", "-alias", "client", "-keyalg", "EC", "-dname", "CN=chat-client",
                    "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "secret",
                    "-keypass", "secret").redirectErrorStream(true).start();
            keytool.getInputStream().readAllBytes();
            assertTrue(keytool.waitFor() == 0, "keytool made the client certificate");
        }
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(store)) {
            keys.load(in, "secret".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory managers = javax.net.ssl.KeyManagerFactory
                .getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, "secret".toCharArray());
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    /**
     * Sends an INVITE to the room with {@code media} (the SDP's media lines) and ACKs a 2xx; returns the final
     * response.
     */
    String invite(String media) throws Exception {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + media;
        sip.send("INVITE " + roomUri() + " SIP/2.0\r\n"
                + headers("INVITE", cseq, "inv" + user) + "Content-Type: application/sdp\r\nContent-Length: "
                + sdp.length() + "\r\n\r\n" + sdp);
        String response = sip.receiveFinal();
        if (!response.startsWith("SIP/2.0 2")) {
            return response;
        }
        Matcher tag = Pattern.compile("(?im)^To:.*;tag=([^;\\s]+)").matcher(response);
        assertTrue(tag.find(), response);
        toTag = tag.group(1);
        sip.send("ACK " + roomUri() + " SIP/2.0\r\n"
                + headers("ACK", cseq, "ack" + user) + "Content-Length: 0\r\n\r\n");
        return response;
    }

    /** Sends a re-INVITE in the dialog with {@code media} and ACKs a 2xx; returns the final response. */
    String reinvite(String media) throws Exception {
        String sdp = "v=0\r\no=- 1 " + (cseq + 1) + " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + media;
        int seq = ++cseq;
        sip.send("INVITE " + roomUri() + " SIP/2.0\r\n"
                + headers("INVITE", seq, "reinv" + seq + user) + "Content-Type: application/sdp\r\nContent-Length: "
                + sdp.length() + "\r\n\r\n" + sdp);
        String response = sip.receiveFinal();
        if (response.startsWith("SIP/2.0 2")) {
            sip.send("ACK " + roomUri() + " SIP/2.0\r\n"
                    + headers("ACK", seq, "reack" + seq + user) + "Content-Length: 0\r\n\r\n");
        }
        return response;
    }

    /** Connects to the MSRP path of the answer {@code ok} over TLS and binds the connection (RFC 4975 §5.4). */
    void connect(String ok) throws Exception {
        connect(ok, true);
    }

    /**
     * As {@link #connect(String)}; without {@code awaitBind} the 200 to the binding SEND is left to
     * {@link #receiveMessage}, for a session whose data may follow the bind before its answer.
     */
    void connect(String ok, boolean awaitBind) throws Exception {
        Matcher path = Pattern.compile("a=path:([^\\r\\n]+)").matcher(ok);
        assertTrue(path.find(), "the answer has an MSRP path: " + ok);
        assertTrue(ok.contains("m=message ") && ok.contains("TCP/TLS/MSRP"), ok);
        serverPath = path.group(1).strip();
        // the first hop: the room itself, or the relay it is reached through (plain TCP for msrp:)
        Matcher address = Pattern.compile("^(msrps?)://([^:/]+):(\\d+)").matcher(serverPath);
        assertTrue(address.find(), serverPath);
        msrp = address.group(1).equals("msrps")
                ? SipConnection.trustAll().getSocketFactory().createSocket(address.group(2), Integer.parseInt(address.group(3)))
                : new Socket(address.group(2), Integer.parseInt(address.group(3)));
        msrp.setSoTimeout(10_000);
        input = new java.io.BufferedInputStream(msrp.getInputStream(), 256 * 1024);
        // RFC 4975 §5.4: the active side binds the connection with a first (empty) SEND
        send("bind" + user, null, (byte[]) null);
        if (awaitBind) {
            readUntil(m -> m.startsWith("MSRP bind" + user + " 200"), "the bind SEND is answered");
        }
    }

    /**
     * Sends bytes {@code from} to {@code to} (0-based, exclusive) of {@code data} as one chunk of message
     * {@code messageId} (RFC 4975 §7.1.1), {@code total} -1 for '*'.
     */
    void sendChunk(String tid, String messageId, byte[] data, int from, int to, long total, char flag)
            throws IOException {
        String head = "MSRP " + tid + " SEND\r\nTo-Path: " + serverPath + "\r\nFrom-Path: " + ownPath
                + "\r\nMessage-ID: " + messageId + "\r\nSuccess-Report: yes\r\nByte-Range: " + (from + 1) + "-" + to
                + "/" + (total < 0 ? "*" : Long.toString(total)) + "\r\nContent-Type: application/octet-stream\r\n\r\n";
        OutputStream out = msrp.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(data, from, to - from);
        out.write(("\r\n-------" + tid + flag + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Receives one message sent in chunks (RFC 4975 §5.1) on the MSRP connection, answering each chunk with 200
     * (§7.2), and returns its bytes; requests other than SEND (REPORT) are skipped.
     */
    byte[] receiveMessage() throws IOException {
        java.io.ByteArrayOutputStream whole = null;
        byte[] data = null;
        long received = 0;
        while (true) {
            String start = line();
            String[] words = start.split(" ");
            String tid = words[1];
            java.util.Map<String, String> headers = new java.util.HashMap<>();
            String header;
            while (!(header = line()).isEmpty() && !header.startsWith("-------" + tid)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).toLowerCase(java.util.Locale.ROOT), header.substring(colon + 1).strip());
            }
            if (header.startsWith("-------" + tid)) {
                if (words[2].equals("SEND") && headers.getOrDefault("byte-range", "").endsWith("/0")) {
                    acknowledge(tid, headers);
                    return new byte[0]; // an empty message is one SEND without content
                }
                continue; // no body: a response, a REPORT or a keep-alive
            }
            String[] range = headers.get("byte-range").split("[-/]");
            long first = Long.parseLong(range[0]) - 1;
            long total = Long.parseLong(range[2]);
            int length = (int) (Long.parseLong(range[1]) - first);
            if (data == null) {
                data = new byte[(int) total];
            }
            int at = 0;
            while (at < length) {
                int n = input.read(data, (int) first + at, length - at);
                if (n < 0) {
                    throw new IOException("MSRP connection closed in a chunk");
                }
                at += n;
            }
            received += length;
            String end = line();
            if (end.isEmpty()) {
                end = line(); // the CRLF that ends the content
            }
            assertTrue(end.startsWith("-------" + tid), "the end-line follows the chunk: " + end);
            if (words[2].equals("SEND")) {
                acknowledge(tid, headers);
            }
            char flag = end.charAt(end.length() - 1);
            if (flag == '$' && received >= total) {
                return data;
            }
            if (flag == '#') {
                throw new IOException("the sender interrupted the message");
            }
        }
    }

    /** The 200 to a SEND (RFC 4975 §7.2), to the first hop of its From-Path. */
    private void acknowledge(String tid, java.util.Map<String, String> headers) throws IOException {
        String ok = "MSRP " + tid + " 200 OK\r\nTo-Path: " + headers.get("from-path").split(" ")[0]
                + "\r\nFrom-Path: " + ownPath + "\r\n-------" + tid + "$\r\n";
        msrp.getOutputStream().write(ok.getBytes(StandardCharsets.US_ASCII));
        msrp.getOutputStream().flush();
    }

    /** One CRLF-terminated line of the MSRP connection, without the CRLF. */
    private String line() throws IOException {
        StringBuilder text = new StringBuilder();
        int b;
        while ((b = input.read()) >= 0) {
            if (b == '\n' && text.length() > 0 && text.charAt(text.length() - 1) == '\r') {
                return text.substring(0, text.length() - 1);
            }
            text.append((char) b);
        }
        throw new IOException("MSRP connection closed; read so far: " + text);
    }

    /** Waits for a BYE from the room and answers it; the client is done when it ends its own session. */
    void awaitBye() throws IOException {
        String request = awaitRequest("BYE");
        respond(request, "200 OK", null, null);
        if (request.contains("Call-ID: " + callId + "\r\n")) {
            closed = true;
            OPEN.add(sip);
        }
    }

    /** The next request of {@code method} the room sends on this client's SIP connection. */
    String awaitRequest(String method) throws IOException {
        String request;
        do {
            request = sip.receive();
        } while (!request.startsWith(method + " "));
        return request;
    }

    /** Answers {@code request} with {@code status} (e.g. "200 OK"), a To tag if {@code tag} is given, and SDP. */
    void respond(String request, String status, String tag, String sdp) throws IOException {
        StringBuilder response = new StringBuilder("SIP/2.0 " + status + "\r\n");
        for (String line : request.split("\r\n")) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("to:") && tag != null && !lower.contains(";tag=")) {
                response.append(line).append(";tag=").append(tag).append("\r\n");
            } else if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("to:")
                    || lower.startsWith("call-id:") || lower.startsWith("cseq:")) {
                response.append(line).append("\r\n");
            }
        }
        if (sdp != null) {
            response.append("Contact: <sip:").append(user).append("@127.0.0.1:").append(sip.localPort())
                    .append(";transport=").append(sip.transport()).append(">\r\nContent-Type: application/sdp\r\nContent-Length: ")
                    .append(sdp.length()).append("\r\n\r\n").append(sdp);
        } else {
            response.append("Content-Length: 0\r\n\r\n");
        }
        sip.send(response.toString());
    }

    /**
     * Accepts a file the room pushes (spec §3.5) with {@code a=setup:active}: answers the INVITE, connects to the
     * room's path and binds; this client's MSRP connection is the transfer's from now on.
     */
    void acceptPush(String invite) throws Exception {
        String sdp = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=message 9 TCP/TLS/MSRP *\r\na=recvonly\r\na=accept-types:*\r\na=path:" + ownPath
                + "\r\na=setup:active\r\n";
        respond(invite, "200 OK", "push" + unique, sdp);
        connect(invite, false);
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

    /** One SEND in a single chunk; {@code body} null for the empty SEND that binds or keeps alive. */
    void send(String tid, String contentType, byte[] body) throws IOException {
        send(tid, contentType, body, "");
    }

    /** One SEND in a single chunk with {@code headers} (CRLF-terminated lines, e.g. Success-Report: yes). */
    void send(String tid, String contentType, byte[] body, String headers) throws IOException {
        java.io.ByteArrayOutputStream m = new java.io.ByteArrayOutputStream();
        StringBuilder head = new StringBuilder("MSRP " + tid + " SEND\r\nTo-Path: " + serverPath + "\r\nFrom-Path: "
                + ownPath + "\r\nMessage-ID: msg" + tid + "\r\n" + headers);
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

    /** A message already read (and kept in {@link #inbox}) that matches, else the next one that does. */
    String awaitMessage(java.util.function.Predicate<String> wanted, String what) throws IOException {
        for (String seen : inbox) {
            if (wanted.test(seen)) {
                inbox.remove(seen);
                return seen;
            }
        }
        return readUntil(wanted, what);
    }

    /** Reads messages until one matches (returned); the others are kept in {@link #inbox}. */
    String readUntil(java.util.function.Predicate<String> wanted, String what) throws IOException {
        for (int i = 0; i < 1000; i++) {
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
        InputStream in = input;
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
            if (tid != null && b == '\n') {
                String end = "-------" + tid + "$\r\n";
                int from = text.length() - end.length();
                if (from >= 0 && text.indexOf(end, from) == from) {
                    return text.toString();
                }
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
        if (called) {
            if (msrp != null) {
                msrp.close();
            }
            sip.close();
            return;
        }
        try {
            sip.send("BYE " + roomUri() + " SIP/2.0\r\n"
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
