package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torture messages of RFC 4475 §3, byte for byte as the RFC gives them (src/test/resources/rfc4475, the RFC's
 * file names), sent over UDP and over TCP to the server with every application deployed as ./sylk-server
 * runs it. Each gets the handling its section of the RFC asks of an endpoint (accepted, 400, 416, 420, 505, ...,
 * or dropped), and after each batch the server still answers an echo call. Only what replaying the messages
 * against one server needs is changed, so that nothing leaves loopback: the host of the Request-URI becomes the
 * test server, the top Via's transport and sent-by become this test's socket (where UDP responses go), and its
 * branch gets a suffix that makes it unique (the RFC's messages share branches such as z9hG4bKkdjuw, which one
 * server would take for retransmissions of one transaction), except in §3.2.1 whose point is the empty branch.
 * Where the container answers otherwise than the RFC asks, the safe handling it gives is asserted and
 * docs/torture.md says why.
 */
@ExtendWith(ArquillianExtension.class)
class TortureIT {

    @Deployment(name = "conference", testable = false, order = 1)
    static WebArchive conference() {
        return Archives.conference();
    }

    @Deployment(name = "echo", testable = false, order = 2)
    static WebArchive echo() {
        return Archives.echo();
    }

    @Deployment(name = "notfound", testable = false, order = 3)
    static WebArchive notFound() {
        return Archives.notFound();
    }

    @Deployment(name = "webrtcgateway", testable = false, order = 4)
    static WebArchive webrtcGateway() {
        return Archives.webrtcGateway();
    }

    /** What the server did with a message: a status code, or one of these. */
    private static final String DROPPED = "dropped";
    private static final String CLOSED = "closed";
    /** Any final response but 400 and 5xx: the message was taken as well formed and handled. */
    private static final String ACCEPTED = "accepted";
    /**
     * How long a message may go unanswered before it counts as dropped: the server answers over loopback in
     * milliseconds even on a loaded machine; 18 of the 98 exchanges are dropped, so this is most of the test's time.
     */
    private static final int QUIET_MILLIS = 1500;

    /** One message of RFC 4475 §3 and the handlings its section allows for an endpoint. */
    private record Torture(String section, String file, Set<String> allowed) {
    }

    private static Torture torture(String section, String file, String... allowed) {
        return new Torture(section, file, Set.of(allowed));
    }

    private static final List<Torture> TORTURES = List.of(
            // 3.1.1: valid messages, "elements should accept"
            // over TCP, JAIN-SIP's non-blocking reader (needed for the connection caps) closes the connection on
            // these two valid messages instead of parsing them (docs/torture.md)
            torture("3.1.1.1", "wsinv", ACCEPTED, CLOSED),
            torture("3.1.1.2", "intmeth", "501"), // "Endpoints will generate a 501"
            torture("3.1.1.3", "esc01", ACCEPTED, CLOSED),
            torture("3.1.1.4", "escnull", ACCEPTED),
            torture("3.1.1.5", "esc02", "501"), // "An endpoint would reject this message with a 501"
            torture("3.1.1.6", "lwsdisp", ACCEPTED),
            torture("3.1.1.7", "longreq", ACCEPTED),
            // one UDP datagram; over TCP the extra octets are a second request, without Contact (docs/torture.md)
            torture("3.1.1.8", "dblreq", ACCEPTED, CLOSED),
            torture("3.1.1.9", "semiuri", ACCEPTED),
            torture("3.1.1.10", "transports", ACCEPTED),
            torture("3.1.1.11", "mpart01", ACCEPTED),
            torture("3.1.1.12", "unreason", DROPPED), // a response without a transaction: nothing to answer
            torture("3.1.1.13", "noreason", DROPPED),
            // 3.1.2: invalid messages
            torture("3.1.2.1", "badinv01", "400", DROPPED),
            torture("3.1.2.2", "clerr", "400", DROPPED),
            torture("3.1.2.3", "ncl", "400", DROPPED, CLOSED), // "over TCP ... the connection should be closed"
            torture("3.1.2.4", "scalar02", "400", DROPPED),
            torture("3.1.2.5", "scalarlg", DROPPED), // a response: "simply discard it"
            torture("3.1.2.6", "quotbal", "400", DROPPED),
            torture("3.1.2.7", "ltgtruri", "400", DROPPED, ACCEPTED), // liberal elements may ignore the brackets
            torture("3.1.2.8", "lwsruri", "400", DROPPED, ACCEPTED),
            torture("3.1.2.9", "lwsstart", "400", DROPPED, ACCEPTED),
            torture("3.1.2.10", "trws", "400", DROPPED, ACCEPTED),
            torture("3.1.2.11", "escruri", "400", DROPPED, ACCEPTED),
            torture("3.1.2.12", "baddate", "400", DROPPED, ACCEPTED),
            torture("3.1.2.13", "regbadct", "400", DROPPED, ACCEPTED),
            torture("3.1.2.14", "badaspec", "400", DROPPED, ACCEPTED),
            torture("3.1.2.15", "baddn", "400", DROPPED, ACCEPTED), // "may ... infer the missing quotes"
            torture("3.1.2.16", "badvers", "505", DROPPED),
            torture("3.1.2.17", "mismatch01", "400", DROPPED),
            torture("3.1.2.18", "mismatch02", "501", "400", DROPPED),
            torture("3.1.2.19", "bigcode", DROPPED), // a response: "simply drop it"
            // 3.2: transaction layer
            torture("3.2.1", "badbranch", "400", DROPPED, ACCEPTED), // or fall back to RFC 2543 matching
            // 3.3: application layer
            torture("3.3.1", "insuf", "400", DROPPED),
            torture("3.3.2", "unkscm", "416"),
            torture("3.3.3", "novelsc", "416"),
            torture("3.3.4", "unksm2", "400", ACCEPTED), // a registrar refuses the non-SIP To; others handle it
            torture("3.3.5", "bext01", "420"),
            torture("3.3.6", "invut", "415"),
            torture("3.3.7", "regaut01", ACCEPTED), // "Endpoints ... will simply reject the request. A 405"
            // "would respond with a 400": the container keeps the first of each duplicated header (docs/torture.md)
            torture("3.3.8", "multi01", "400", DROPPED, ACCEPTED),
            // "should respond with an error": over TCP the stack closes the connection; over UDP it frames the
            // datagram by its end and the request is answered (docs/torture.md)
            torture("3.3.9", "mcl01", "400", DROPPED, CLOSED, ACCEPTED),
            torture("3.3.10", "bcast", DROPPED), // a response with no transaction
            torture("3.3.11", "zeromf", ACCEPTED), // an endpoint processes it as if Max-Forwards were positive
            torture("3.3.12", "cparam01", ACCEPTED),
            torture("3.3.13", "cparam02", ACCEPTED),
            torture("3.3.14", "regescrt", ACCEPTED),
            torture("3.3.15", "sdp01", "406", "415", "488"), // the response could not carry SDP
            // 3.4: backward compatibility
            // accepted by elements that keep RFC 2543 compatibility; the container refuses the INVITE without
            // Contact with a single 500 before any application sees it (docs/torture.md)
            torture("3.4.1", "inv2543", ACCEPTED, "500"));

    private static final String SERVER = Sipp.SERVER + ":" + Sipp.SIP_PORT;

    @TempDir
    Path work;

    @Test
    void everyTortureMessageOverUdpGetsTheHandlingTheRfcAsks_rfc4475() throws Exception {
        assertHandled("UDP");
    }

    @Test
    void everyTortureMessageOverTcpGetsTheHandlingTheRfcAsks_rfc4475() throws Exception {
        assertHandled("TCP");
    }

    private void assertHandled(String transport) throws Exception {
        List<String> wrong = new ArrayList<>();
        StringBuilder seen = new StringBuilder();
        for (Torture torture : TORTURES) {
            String outcome;
            try (Peer peer = "UDP".equals(transport) ? new UdpPeer() : new TcpPeer()) {
                outcome = peer.exchange(adapt(load(torture.file()), transport, peer.localPort(),
                        "badbranch".equals(torture.file()) ? "" : "-" + transport + System.nanoTime()));
            }
            seen.append(torture.section()).append(' ').append(torture.file()).append(": ").append(outcome).append('\n');
            if (!allows(torture.allowed(), outcome)) {
                wrong.add("RFC 4475 §" + torture.section() + " " + torture.file() + " over " + transport + ": got "
                        + outcome + ", the RFC allows " + torture.allowed());
            }
        }
        System.out.println("RFC 4475 over " + transport + ":\n" + seen);
        assertEchoCallSucceeds(transport);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    private static boolean allows(Set<String> allowed, String outcome) {
        if (allowed.contains(outcome)) {
            return true;
        }
        if (CLOSED.equals(outcome)) {
            // over TCP the stack drops a message it cannot parse by closing the connection: its framing is lost
            return allowed.contains(DROPPED);
        }
        if (!allowed.contains(ACCEPTED) || !outcome.matches("\\d{3}")) {
            return false;
        }
        int status = Integer.parseInt(outcome);
        return status != 400 && status < 500;
    }

    private void assertEchoCallSucceeds(String transport) throws Exception {
        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Sipp.Result call = Sipp.scenario(work.resolve("echo-" + transport),
                    Scenarios.audioCall("echo", media.getLocalPort(), work.resolve("port-" + transport), 500))
                    .transport("UDP".equals(transport) ? "u1" : "t1").run();
            assertEquals(0, call.exitCode(), call::toString);
        }
    }

    private static byte[] load(String file) throws IOException {
        try (InputStream in = TortureIT.class.getResourceAsStream("/rfc4475/" + file + ".dat")) {
            return in.readAllBytes();
        }
    }

    // the top Via, with the LWS and line folding RFC 4475 §3.1.1.1 puts in it
    private static final Pattern TOP_VIA = Pattern.compile(
            "(?im)^((?:via|v)[ \\t]*:[ \\t\\r\\n]*SIP[ \\t\\r\\n]*/[ \\t\\r\\n]*\\d\\.\\d[ \\t\\r\\n]*/[ \\t\\r\\n]*)"
                    + "([A-Za-z]+)([ \\t\\r\\n]+)([^;,\\s]+)");
    // the rest of the top Via up to the end of its branch value (parameters before it, LWS and folding included)
    private static final String LWS = "(?:[ \\t]|\\r\\n[ \\t])*";
    private static final Pattern BRANCH = Pattern.compile(
            "(?i)(?:[^,\\r\\n]|\\r\\n[ \\t])*?;" + LWS + "branch" + LWS + "=" + LWS + "[^;,\\s]+");
    // method, SP(s), an optional '<' (§3.1.2.7), sip: or sips:, user part, then the host and port to replace
    private static final Pattern REQUEST_URI_HOST = Pattern.compile(
            "^(\\S+[ ]+<?sips?:(?:[^@\\s>]*@)?)([^;?>\\s]+)");

    /**
     * The message with the Request-URI's host aimed at the test server and the top Via naming this test's socket
     * and transport; the rest byte for byte (ISO-8859-1 keeps every byte as one char).
     */
    static byte[] adapt(byte[] message, String transport, int localPort, String branchSuffix) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        if (text.startsWith("SIP/2.0 ")) {
            return message; // a response: it is never answered, so it needs nobody's address
        }
        int lineEnd = text.indexOf("\r\n");
        Matcher uri = REQUEST_URI_HOST.matcher(text.substring(0, lineEnd));
        if (uri.find()) {
            text = uri.group(1) + SERVER + text.substring(uri.end(2));
        }
        Matcher via = TOP_VIA.matcher(text);
        if (via.find()) {
            String rest = text.substring(via.end());
            Matcher branch = BRANCH.matcher(rest);
            if (branch.lookingAt()) {
                rest = rest.substring(0, branch.end()) + branchSuffix + rest.substring(branch.end());
            }
            text = text.substring(0, via.start()) + via.group(1) + transport + via.group(3) + "127.0.0.1:" + localPort
                    + rest;
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A SIP peer that sends one torture message and reports what the server did with it. */
    private abstract static class Peer implements AutoCloseable {

        abstract int localPort();

        abstract void send(byte[] message) throws IOException;

        /** The next message from the server, null if none came in {@code millis}, "" if it closed the connection. */
        abstract String receive(int millis) throws IOException;

        /**
         * Sends {@code message} and returns the status of the server's answer (a final response, or the first
         * provisional response but 100 to an INVITE, which is then cancelled), {@link #DROPPED} or {@link #CLOSED}.
         */
        String exchange(byte[] message) throws IOException {
            send(message);
            boolean invite = new String(message, 0, Math.min(7, message.length), StandardCharsets.ISO_8859_1)
                    .equals("INVITE ");
            long deadline = System.currentTimeMillis() + 8_000;
            String answer;
            do {
                answer = receive(QUIET_MILLIS);
                if (answer == null) {
                    return DROPPED;
                }
                if (answer.isEmpty()) {
                    return CLOSED;
                }
            } while (System.currentTimeMillis() < deadline && answer.startsWith("SIP/2.0 1")
                    && !(invite && !answer.startsWith("SIP/2.0 100")));
            String status = answer.substring(8, 11);
            if (invite) {
                end(requestUri(message), answer);
            }
            return status;
        }

        /** Ends the INVITE transaction or call that {@code answer} belongs to, so that nothing is left behind. */
        private void end(String requestUri, String answer) throws IOException {
            String last = answer;
            if (answer.startsWith("SIP/2.0 1")) {
                send(inDialog("CANCEL", requestUri, answer, false));
                last = awaitFinal("INVITE");
            }
            if (last == null) {
                return;
            }
            if (last.startsWith("SIP/2.0 2")) {
                String contact = header(last, "Contact").replaceAll(".*<([^>]*)>.*", "$1");
                send(inDialog("ACK", contact, last, true));
                send(inDialog("BYE", contact, last, true));
                awaitFinal("BYE");
            } else {
                send(inDialog("ACK", requestUri, last, false));
            }
        }

        private String awaitFinal(String method) throws IOException {
            for (int i = 0; i < 10; i++) {
                String message = receive(4_000);
                if (message == null || message.isEmpty()) {
                    return null;
                }
                if (message.startsWith("SIP/2.0 ") && !message.startsWith("SIP/2.0 1")
                        && header(message, "CSeq").endsWith(method)) {
                    return message;
                }
            }
            return null;
        }

        /**
         * A CANCEL or ACK of the INVITE (same top Via, RFC 3261 §9.1, §17.1.1.3) or, with {@code newTransaction},
         * an ACK of a 2xx or a BYE (RFC 3261 §13.2.2.4, §15.1.1), from the headers of the server's response.
         */
        private byte[] inDialog(String method, String uri, String response, boolean newTransaction) {
            String via = header(response, "Via");
            if (newTransaction) {
                via = via.replaceAll(";branch=[^;]*", ";branch=z9hG4bK-torture-" + method + System.nanoTime());
            }
            String to = header(response, "To");
            if ("CANCEL".equals(method)) {
                to = to.replaceAll(";tag=[^;]*", "");
            }
            String cseq = header(response, "CSeq").replaceAll("\\D*(\\d+).*", "$1");
            if ("BYE".equals(method)) {
                cseq = String.valueOf(Long.parseLong(cseq) + 1);
            }
            return (method + " " + uri + " SIP/2.0\r\nVia: " + via + "\r\nFrom: " + header(response, "From")
                    + "\r\nTo: " + to + "\r\nCall-ID: " + header(response, "Call-ID") + "\r\nCSeq: " + cseq + " "
                    + method + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        }

        private static String requestUri(byte[] request) {
            String line = new String(request, StandardCharsets.ISO_8859_1).split("\r\n", 2)[0].strip();
            return line.substring(line.indexOf(' ') + 1, line.lastIndexOf(' ')).strip().replaceAll("^<|>$", "");
        }

        private static String header(String message, String name) {
            for (String line : message.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return "";
        }

        @Override
        public abstract void close() throws IOException;
    }

    private static final class UdpPeer extends Peer {
        private final DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        private final InetAddress server = InetAddress.getByName(Sipp.SERVER);

        UdpPeer() throws IOException {
        }

        @Override
        int localPort() {
            return socket.getLocalPort();
        }

        @Override
        void send(byte[] message) throws IOException {
            socket.send(new DatagramPacket(message, message.length, server, Sipp.SIP_PORT));
        }

        @Override
        String receive(int millis) throws IOException {
            socket.setSoTimeout(millis);
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException quiet) {
                return null;
            }
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static final class TcpPeer extends Peer {
        private final Socket socket = new Socket(Sipp.SERVER, Sipp.SIP_PORT);
        private final InputStream in = socket.getInputStream();

        TcpPeer() throws IOException {
        }

        @Override
        int localPort() {
            return socket.getLocalPort();
        }

        @Override
        void send(byte[] message) throws IOException {
            socket.getOutputStream().write(message);
            socket.getOutputStream().flush();
        }

        /** Reads one message framed by its Content-Length (RFC 3261 §18.3). */
        @Override
        String receive(int millis) throws IOException {
            socket.setSoTimeout(millis);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            try {
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return "";
                    }
                    head.write(b);
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                String headers = head.toString(StandardCharsets.UTF_8);
                int length = 0;
                for (String line : headers.split("\r\n")) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:") || lower.startsWith("l:")) {
                        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
                    }
                }
                return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
            } catch (SocketTimeoutException quiet) {
                return null;
            } catch (IOException reset) {
                return "";
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
