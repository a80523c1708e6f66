package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Arrays;

import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpTransformer;

/** One m-line of a SIP phone in tests: an RTP and an RTCP socket on 127.0.0.1, optionally SDES-SRTP. */
final class SipPhone implements AutoCloseable {

    final DatagramSocket rtp;
    final DatagramSocket rtcp;
    final SdesCrypto localKey;
    private SrtpTransformer sending;
    private SrtpTransformer receiving;

    SipPhone(boolean sdes) throws IOException {
        rtp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        rtcp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        rtp.setSoTimeout(3000);
        rtcp.setSoTimeout(3000);
        localKey = sdes ? SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, new SecureRandom()) : null;
        if (sdes) {
            sending = SrtpTransformer.forSending(localKey);
        }
    }

    /** The peer's a=crypto line keys what we receive (RFC 4568 §5.1). */
    void peerKey(String cryptoValue) {
        receiving = SrtpTransformer.forReceiving(SdesCrypto.parse(cryptoValue));
    }

    /** The m= line and attributes for this phone. */
    String media(String kind, String payloadTypes, String... attributes) {
        StringBuilder out = new StringBuilder("m=").append(kind).append(' ').append(rtp.getLocalPort()).append(' ')
                .append(localKey == null ? "RTP/AVP" : "RTP/SAVP").append(' ').append(payloadTypes).append("\r\n")
                .append("a=rtcp:").append(rtcp.getLocalPort()).append("\r\n");
        for (String attribute : attributes) {
            out.append("a=").append(attribute).append("\r\n");
        }
        if (localKey != null) {
            out.append("a=crypto:").append(localKey.format()).append("\r\n");
        }
        return out.toString();
    }

    void send(byte[] packet, int bridgePort) throws Exception {
        byte[] out = sending == null ? packet : sending.protectRtp(packet, packet.length);
        rtp.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), bridgePort));
    }

    void sendRtcp(byte[] packet, int bridgeRtcpPort) throws Exception {
        byte[] out = sending == null ? packet : sending.protectRtcp(packet, packet.length);
        rtcp.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), bridgeRtcpPort));
    }

    void sendRaw(byte[] bytes, int port) throws IOException {
        rtp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
    }

    /** The next RTP packet (decrypted), or null after the socket timeout. */
    byte[] receive() throws Exception {
        return receive(rtp, false);
    }

    byte[] receiveRtcp() throws Exception {
        return receive(rtcp, true);
    }

    private byte[] receive(DatagramSocket socket, boolean isRtcp) throws Exception {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        byte[] bytes = Arrays.copyOf(buffer, packet.getLength());
        if (receiving == null) {
            return bytes;
        }
        return isRtcp ? receiving.unprotectRtcp(bytes, bytes.length) : receiving.unprotectRtp(bytes, bytes.length);
    }

    @Override
    public void close() {
        rtp.close();
        rtcp.close();
    }
}
