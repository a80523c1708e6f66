package org.sylkserver.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A SIP peer over a stream connection (TCP or TLS) that writes requests as text and reads whole messages
 * (headers, then Content-Length bytes of body). Used where sipp cannot go: Debian's sipp is built without
 * TLS, and malformed messages must be sent byte for byte. Over UDP ({@link #udp}) it is a SIP user's port that the
 * server's requests reach by DNS (RFC 3263 §4.1: no NAPTR or SRV, UDP), one message per datagram, answering whoever
 * sent the last one.
 */
final class SipConnection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final DatagramSocket datagrams;
    /** Over UDP: where the last datagram came from, where {@link #send} goes. */
    private SocketAddress peer;

    private SipConnection(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.datagrams = null;
    }

    private SipConnection(DatagramSocket datagrams) throws IOException {
        this.socket = null;
        this.in = null;
        this.out = null;
        this.datagrams = datagrams;
        datagrams.setSoTimeout(20_000);
    }

    /**
     * A UDP port on {@code host} that waits for the server's requests. A well-known port (5060) may still be held for
     * a moment by the peer process of an earlier test class (sipp, baresip) as it exits: binding is retried for up to
     * 30 s, and if the port stays taken the failure names its holder.
     */
    static SipConnection udp(String host, int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return new SipConnection(new DatagramSocket(new InetSocketAddress(host, port)));
            } catch (BindException taken) {
                if (System.nanoTime() > deadline) {
                    BindException named = new BindException(taken.getMessage() + ": UDP " + host + ":" + port
                            + " still held after 30 s by " + holderOf(port));
                    named.initCause(taken);
                    throw named;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw taken;
                }
            }
        }
    }

    /** What {@code ss} says holds a UDP port, for a failure message. */
    private static String holderOf(int port) {
        try {
            Process ss = new ProcessBuilder("ss", "-uanp", "sport = :" + port).redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            ss.waitFor(5, TimeUnit.SECONDS);
            return out.isEmpty() ? "(ss shows nothing)" : out;
        } catch (IOException | InterruptedException e) {
            return "(ss failed: " + e + ")";
        }
    }

    static SipConnection tcp(String host, int port) throws IOException {
        return new SipConnection(new Socket(host, port));
    }

    /** A TLS connection that accepts the server's self-signed certificate and reports it. */
    static SipConnection tls(String host, int port) throws Exception {
        SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket(host, port);
        socket.startHandshake();
        return new SipConnection(socket);
    }

    /** A TLS context that accepts any server certificate: the test server's is self-signed. */
    static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return context;
    }

    /** The certificate the server presented (TLS only). */
    X509Certificate peerCertificate() throws IOException {
        return (X509Certificate) ((SSLSocket) socket).getSession().getPeerCertificates()[0];
    }

    /** The TLS version negotiated (TLS only). */
    String protocol() {
        return ((SSLSocket) socket).getSession().getProtocol();
    }

    int localPort() {
        return socket != null ? socket.getLocalPort() : datagrams.getLocalPort();
    }

    /** The transport for a Contact that reaches this peer. */
    String transport() {
        return datagrams != null ? "udp" : "tcp";
    }

    void send(String message) throws IOException {
        byte[] bytes = message.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        if (datagrams != null) {
            datagrams.send(new DatagramPacket(bytes, bytes.length, peer));
            return;
        }
        out.write(bytes);
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next message, or {@code null} if the server closed the connection. */
    String receive() throws IOException {
        if (datagrams != null) {
            DatagramPacket packet = new DatagramPacket(new byte[65_535], 65_535);
            datagrams.receive(packet);
            peer = packet.getSocketAddress();
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return head.size() == 0 ? null : head.toString(StandardCharsets.UTF_8);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headers = head.toString(StandardCharsets.UTF_8);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:") || lower.startsWith("l:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Reads messages until a response with a final status (>= 200) arrives; returns it. */
    String receiveFinal() throws IOException {
        while (true) {
            String message = receive();
            if (message == null) {
                throw new IOException("connection closed before a final response");
            }
            if (message.startsWith("SIP/2.0 ") && message.charAt(8) != '1') {
                return message;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (datagrams != null) {
            datagrams.close();
            return;
        }
        socket.close();
    }
}
