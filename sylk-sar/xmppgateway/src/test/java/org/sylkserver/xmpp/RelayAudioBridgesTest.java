package org.sylkserver.xmpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.G711;
import org.sylkserver.media.codec.SineWave;
import org.sylkserver.media.codec.ToneDetector;
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.sylkserver.media.dtls.DtlsTestClient;
import org.sylkserver.media.ice.ConnectivityCheck;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpPolicy;
import org.sylkserver.media.srtp.SrtpTransformer;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.xmpp.jingle.DtlsFingerprint;
import org.sylkserver.xmpp.jingle.JingleCalls;
import org.sylkserver.xmpp.jingle.JingleSdp;
import org.sylkserver.xmpp.jingle.JingleTransport;
import org.sylkserver.xmpp.jingle.RtpDescription;

/** Spec §5.7: the media of a Jingle call relayed between the Jingle party and the SIP party by the media engine. */
class RelayAudioBridgesTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private MediaEngine engine;
    private DatagramSocket jingleParty;
    private DatagramSocket sipParty;

    @AfterEach
    void stop() throws Exception {
        if (jingleParty != null) {
            jingleParty.close();
        }
        if (sipParty != null) {
            sipParty.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /**
     * A media engine on RTP ports {@code low} to {@code high} with {@code policy}, and the two parties' sockets, which
     * wait 3 s for a packet.
     */
    private void start(int low, int high, RtpPolicy policy) throws Exception {
        engine = new MediaEngine(LOOPBACK, low, high, Duration.ZERO, policy);
        jingleParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        sipParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        jingleParty.setSoTimeout(3000);
        sipParty.setSoTimeout(3000);
    }

    /** The bridges of the engine with the default policy, {@code opportunistic} (spec §1.3). */
    private RelayAudioBridges bridges() {
        return new RelayAudioBridges(engine, LOOPBACK, SrtpPolicy.OPPORTUNISTIC);
    }

    /** The SIP party's PCMU stream from its socket, plain RTP: an offer or an answer. */
    private SessionDescription sipPcmu() throws Exception {
        return SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + sipParty.getLocalPort() + " RTP/AVP 0\r\na=sendrecv\r\n");
    }

    private static JingleSdp.Media offer(int port, RtpDescription.PayloadType... types) {
        return new JingleSdp.Media(new RtpDescription("audio", List.of(types), List.of(), false, false),
                new JingleTransport.RawUdp(List.of(new JingleTransport.RawCandidate(1, 0, "c1", "127.0.0.1", port))),
                "sendrecv");
    }

    private static byte[] rtp(int payloadType, int seq) {
        byte[] packet = new byte[12 + 160];
        packet[0] = (byte) 0x80;
        packet[1] = (byte) payloadType;
        packet[3] = (byte) seq;
        packet[11] = 7; // SSRC 7
        return packet;
    }

    private static DatagramPacket receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        try {
            socket.receive(packet);
            return packet;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /**
     * RTP flows both ways between the Jingle party's candidate and the SIP party's answer address, through our two
     * endpoints; the SIP party's number for the codec (RFC 3264 §6.1 allows another) is rewritten to the Jingle
     * party's and back.
     */
    @Test
    void rtpIsRelayedBothWaysWithEachSidesPayloadTypeNumbers() throws Exception {
        start(43700, 43720, RtpPolicy.OPEN);
        RelayAudioBridges bridges = bridges();
        JingleCalls.AudioBridge bridge = bridges.open(offer(jingleParty.getLocalPort(),
                new RtpDescription.PayloadType(0, "PCMU", 8000, 1),
                new RtpDescription.PayloadType(101, "telephone-event", 8000, 1, 0, 0, Map.of("0-15", ""))), reason -> { });
        assertNotNull(bridge);
        SessionDescription sipOffer = bridge.sipOffer();
        int sipSide = sipOffer.media().get(0).port();
        // the Jingle party's codecs first, then ours to transcode to (CodecChoice), with their telephone-event
        assertEquals(List.of("0", "101", "96", "97", "9", "8"), sipOffer.media().get(0).formats());

        SessionDescription sipAnswer = SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + sipParty.getLocalPort() + " RTP/AVP 0 96\r\n"
                + "a=rtpmap:96 telephone-event/8000\r\na=sendrecv\r\n");
        JingleSdp.Media jingleAnswer = bridge.answer(sipAnswer, LOOPBACK);
        JingleTransport.RawCandidate ours = ((JingleTransport.RawUdp) jingleAnswer.transport()).candidates().get(0);
        assertEquals(List.of(0, 101), jingleAnswer.description().payloadTypes().stream()
                .map(RtpDescription.PayloadType::id).toList());

        // Jingle party -> SIP party: PCMU stays 0, telephone-event 101 becomes the SIP party's 96
        InetSocketAddress jingleEndpoint = new InetSocketAddress(LOOPBACK, ours.port());
        jingleParty.send(new DatagramPacket(rtp(0, 1), 172, jingleEndpoint));
        DatagramPacket atSip = receive(sipParty);
        assertNotNull(atSip, "the SIP party got nothing");
        assertEquals(0, atSip.getData()[1] & 0x7f);
        jingleParty.send(new DatagramPacket(rtp(101 | 0x80, 2), 172, jingleEndpoint));
        atSip = receive(sipParty);
        assertNotNull(atSip);
        assertEquals(96 | 0x80, atSip.getData()[1] & 0xff, "renumbered, marker kept");
        assertEquals(sipSide, atSip.getPort(), "sent from the endpoint the SIP party was offered");

        // SIP party -> Jingle party: 96 back to 101; a payload type nobody agreed is not relayed
        InetSocketAddress sipEndpoint = new InetSocketAddress(LOOPBACK, sipSide);
        sipParty.send(new DatagramPacket(rtp(8, 1), 172, sipEndpoint));
        sipParty.send(new DatagramPacket(rtp(96, 2), 172, sipEndpoint));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertEquals(101, atJingle.getData()[1] & 0x7f);
        assertEquals(2, atJingle.getData()[3], "the PCMA packet (not agreed) was dropped");

        bridge.close();
        jingleParty.send(new DatagramPacket(rtp(0, 3), 172, jingleEndpoint));
        jingleParty.setSoTimeout(300);
        sipParty.setSoTimeout(300);
        assertNull(receive(sipParty), "closed: nothing relayed");
    }

    /**
     * Spec §5.7 SIP → XMPP: the SIP party's offer is relayed to the Jingle party as our raw-UDP offer with the SIP
     * party's codecs; the Jingle answer's numbers (RFC 3264 §6.1 lets an answerer pick its own) become our SDP
     * answer in the SIP party's numbering, and RTP flows both ways renumbered; an RTP/SAVP offer without a key we
     * can use (RFC 4568 §6.1) or an ICE offer is refused.
     */
    @Test
    void aSipOfferIsRelayedToTheJingleParty() throws Exception {
        start(43700, 43720, RtpPolicy.OPEN);
        RelayAudioBridges bridges = bridges();
        String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + sipParty.getLocalPort() + " RTP/AVP 0 96\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:96 telephone-event/8000\r\na=sendrecv\r\n";
        assertNull(bridges.open(SessionDescription.parse(offer.replace("RTP/AVP", "RTP/SAVP")
                + "a=crypto:1 F8_128_HMAC_SHA1_80 inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2\r\n"),
                LOOPBACK, reason -> { }), "SRTP without a usable key");
        assertNull(bridges.open(SessionDescription.parse(offer + "a=ice-ufrag:abcd\r\na=ice-pwd:"
                + "0123456789012345678901\r\n"), LOOPBACK, reason -> { }), "ICE: no agent on this path");

        JingleCalls.SipOfferBridge bridge = bridges.open(SessionDescription.parse(offer), LOOPBACK, reason -> { });
        assertNotNull(bridge);
        JingleSdp.Media jingleOffer = bridge.jingleOffer(false);
        assertEquals(List.of(0, 96, 97, 98, 9, 8), jingleOffer.description().payloadTypes().stream()
                .map(RtpDescription.PayloadType::id).toList());
        int jingleSide = ((JingleTransport.RawUdp) jingleOffer.transport()).candidates().get(0).port();

        SessionDescription sipAnswer = bridge.answer(offer(jingleParty.getLocalPort(),
                new RtpDescription.PayloadType(0, "PCMU", 8000, 1),
                new RtpDescription.PayloadType(101, "telephone-event", 8000, 1)));
        assertEquals(List.of("0", "96"), sipAnswer.media().get(0).formats());
        assertEquals("sendrecv", sipAnswer.direction(sipAnswer.media().get(0)));
        int sipSide = sipAnswer.media().get(0).port();

        sipParty.send(new DatagramPacket(rtp(96, 1), 172, new InetSocketAddress(LOOPBACK, sipSide)));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertEquals(101, atJingle.getData()[1] & 0x7f);
        assertEquals(jingleSide, atJingle.getPort(), "sent from the endpoint the Jingle party was offered");

        jingleParty.send(new DatagramPacket(rtp(101, 2), 172, new InetSocketAddress(LOOPBACK, jingleSide)));
        DatagramPacket atSip = receive(sipParty);
        assertNotNull(atSip, "the SIP party got nothing");
        assertEquals(96, atSip.getData()[1] & 0x7f);
        bridge.close();
    }

    /**
     * Spec §5.7 SIP → XMPP over ICE-UDP (XEP-0176): our offer carries our ufrag, pwd and host candidates for RTP and
     * RTCP with rtcp-mux offered (§5.3); the Jingle party answers as the controlled agent (RFC 8445 §6.1.1). Its check
     * is answered and triggers our nominating check on that pair (USE-CANDIDATE, ICE-CONTROLLING, keyed with its
     * password, RFC 8445 §8.1.1); once it answers that, media flows both ways through the pair. The offer proposes
     * DTLS-SRTP (our sha-256 fingerprint, setup actpass: XEP-0320 §1, RFC 8842 §5.3); an answer without a
     * fingerprint keeps to plain RTP (XEP-0320 §1: the fingerprint is optional), as this one does.
     */
    @Test
    void aSipOfferGoesToTheJinglePartyOverIceAndWeNominateThePairItChecked_XEP0176_5_6() throws Exception {
        start(43780, 43800, RtpPolicy.DEFAULTS);
        RelayAudioBridges bridges = bridges();
        JingleCalls.SipOfferBridge bridge = bridges.open(SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
                + "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + sipParty.getLocalPort() + " RTP/AVP 0\r\n"
                + "a=sendrecv\r\n"), LOOPBACK, reason -> { });
        JingleSdp.Media offer = bridge.jingleOffer(true);
        JingleTransport.IceUdp ours = (JingleTransport.IceUdp) offer.transport();
        assertTrue(offer.description().rtcpMux());
        assertEquals(List.of(1, 2), ours.candidates().stream().map(JingleTransport.IceCandidate::component).toList());
        int jingleSide = ours.candidates().get(0).port();
        assertEquals(jingleSide + 1, ours.candidates().get(1).port());
        assertEquals(List.of("sha-256", "actpass"), List.of(ours.fingerprint().hash(), ours.fingerprint().setup()));

        SessionDescription sipAnswer = bridge.answer(new JingleSdp.Media(new RtpDescription("audio",
                List.of(new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), List.of(), false, true),
                new JingleTransport.IceUdp("peerfrag", "peerpasswordpeerpassword", List.of(
                        new JingleTransport.IceCandidate(1, "1", 0, "c1", "127.0.0.1", 0, jingleParty.getLocalPort(),
                                2130706431L, "udp", "host", null, 0))), "sendrecv"));
        int sipSide = sipAnswer.media().get(0).port();

        InetSocketAddress jingleEndpoint = new InetSocketAddress(LOOPBACK, jingleSide);
        byte[] check = ConnectivityCheck.request(ours.ufrag(), ours.pwd(), false);
        jingleParty.send(new DatagramPacket(check, check.length, jingleEndpoint));
        DatagramPacket response = receive(jingleParty);
        assertNotNull(response, "the check was not answered");
        ConnectivityCheck.mapped(check, java.util.Arrays.copyOf(response.getData(), response.getLength()));
        DatagramPacket ourCheck = receive(jingleParty);
        assertNotNull(ourCheck, "no nominating check of ours");
        byte[] nomination = java.util.Arrays.copyOf(ourCheck.getData(), ourCheck.getLength());
        assertTrue(ConnectivityCheck.isNomination(nomination, ours.ufrag(), "peerfrag", "peerpasswordpeerpassword"));
        byte[] success = ConnectivityCheck.answer(nomination, jingleEndpoint, "peerfrag", "peerpasswordpeerpassword");
        jingleParty.send(new DatagramPacket(success, success.length, jingleEndpoint));

        sipParty.send(new DatagramPacket(rtp(0, 1), 172, new InetSocketAddress(LOOPBACK, sipSide)));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertEquals(1, atJingle.getData()[3]);
        jingleParty.send(new DatagramPacket(rtp(0, 2), 172, jingleEndpoint));
        DatagramPacket atSip = receive(sipParty);
        assertNotNull(atSip, "the SIP party got nothing");
        assertEquals(2, atSip.getData()[3]);
        bridge.close();
    }

    /**
     * A SIP offer the relay fails on after opening its endpoints (RTP on port 65535: no port for RTCP at +1,
     * RFC 3550 §11) gets no bridge and leaves no endpoint open: a caller cannot make the gateway hold ports.
     */
    @Test
    void aFailedSipOfferLeavesNoEndpointOpen() throws Exception {
        engine = new MediaEngine(LOOPBACK, 43700, 43720, Duration.ZERO, RtpPolicy.OPEN);
        RelayAudioBridges bridges = bridges();
        String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 65535 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
        assertNull(bridges.open(SessionDescription.parse(offer), LOOPBACK, reason -> { }));
        assertEquals(0, engine.openEndpoints(), "endpoints left open");
    }

    /**
     * Spec §5.7, media through the media engine with transcoding: a Jingle party offering only Opus and a SIP party
     * answering only PCMU (one of the codecs we added to its offer) hear each other: each one's tone arrives in its
     * own codec, at its frequency and level within 1 dB, from an endpoint of ours; our answer to the Jingle party
     * names its Opus. An answer with no codec we can use fails (the caller then ends the call).
     */
    @Test
    void partiesWithNoCommonCodecAreTranscoded() throws Exception {
        engine = new MediaEngine(LOOPBACK, 43700, 43720, Duration.ZERO, RtpPolicy.OPEN);
        jingleParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        sipParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        jingleParty.setSoTimeout(2000);
        sipParty.setSoTimeout(2000);
        RelayAudioBridges bridges = bridges();
        RtpDescription.PayloadType opus = new RtpDescription.PayloadType(111, "opus", 48000, 2);
        JingleCalls.AudioBridge refused = bridges.open(offer(jingleParty.getLocalPort(), opus), reason -> { });
        org.junit.jupiter.api.Assertions.assertThrows(org.sylkserver.protocols.sdp.SdpException.class,
                () -> refused.answer(SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                        + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 18\r\n"), LOOPBACK), "G.729 only");
        refused.close();

        JingleCalls.AudioBridge bridge = bridges.open(offer(jingleParty.getLocalPort(), opus), reason -> { });
        SessionDescription sipOffer = bridge.sipOffer();
        assertEquals(List.of("111", "9", "0", "8"), sipOffer.media().get(0).formats());
        JingleSdp.Media jingleAnswer = bridge.answer(SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
                + "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + sipParty.getLocalPort() + " RTP/AVP 0\r\n"
                + "a=sendrecv\r\n"), LOOPBACK);
        assertEquals(List.of(opus), jingleAnswer.description().payloadTypes());
        InetSocketAddress jingleSide = new InetSocketAddress(LOOPBACK,
                ((JingleTransport.RawUdp) jingleAnswer.transport()).candidates().get(0).port());
        InetSocketAddress sipSide = new InetSocketAddress(LOOPBACK, sipOffer.media().get(0).port());

        try (AudioCodec opusCodec = AudioCodecs.create("opus", 48000).orElseThrow()) {
            short[][] sipTone = SineWave.frames(SineWave.tone(400, 8000, 0.6, 0.3), 160);
            short[][] jingleTone = SineWave.frames(SineWave.tone(1000, 48000, 0.6, 0.3), 960);
            for (int n = 0; n < sipTone.length; n++) {
                sipParty.send(packet(0, n, 160L * n, G711.PCMU.encode(sipTone[n]), sipSide));
                jingleParty.send(packet(111, n, 960L * n, opusCodec.encode(jingleTone[n]), jingleSide));
                Thread.sleep(20); // in real time, as parties send (see the SIP offer's test below)
            }
            short[] atJingle = heard(jingleParty, 111, opusCodec, sipTone.length);
            short[] atSip = heard(sipParty, 0, G711.PCMU, jingleTone.length);
            short[] jingleSettled = Arrays.copyOfRange(atJingle, 9600, 9600 + 12000); // 0.25 s: 100 cycles
            short[] sipSettled = Arrays.copyOfRange(atSip, 1600, 1600 + 2000);
            assertEquals(400, ToneDetector.dominantFrequency(jingleSettled, 48000), 2);
            assertEquals(-10.5, ToneDetector.levelDb(jingleSettled, 48000, 400), 1.0);
            assertEquals(1000, ToneDetector.dominantFrequency(sipSettled, 8000), 2);
            assertEquals(-10.5, ToneDetector.levelDb(sipSettled, 8000, 1000), 1.0);
        }
        bridge.close();
    }

    /**
     * Spec §5.7 SIP → XMPP with transcoding: a SIP offer of PCMU and telephone-event reaches the Jingle party with our
     * Opus (and telephone-event at 48 kHz, RFC 4733 §2.1) added; a Jingle answer of Opus alone, numbered its own way,
     * is answered to the SIP party with PCMU alone (no events: the Jingle party takes none), the SIP party's tone
     * reaches the Jingle party as Opus, and our hold re-offer keeps PCMU (RFC 3264 §8.4).
     */
    @Test
    void aSipOfferIsTranscodedForAJinglePartyWithoutItsCodecs() throws Exception {
        engine = new MediaEngine(LOOPBACK, 43700, 43720, Duration.ZERO, RtpPolicy.OPEN);
        jingleParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        sipParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        jingleParty.setSoTimeout(2000);
        String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + sipParty.getLocalPort() + " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
        JingleCalls.SipOfferBridge bridge = bridges()
                .open(SessionDescription.parse(offer), LOOPBACK, reason -> { });
        JingleSdp.Media jingleOffer = bridge.jingleOffer(false);
        assertEquals(List.of("0 PCMU", "101 telephone-event", "96 opus", "97 telephone-event", "9 G722", "8 PCMA"),
                jingleOffer.description().payloadTypes().stream().map(p -> p.id() + " " + p.name()).toList());

        SessionDescription sipAnswer = bridge.answer(offer(jingleParty.getLocalPort(),
                new RtpDescription.PayloadType(111, "opus", 48000, 2)));
        assertEquals(List.of("0"), sipAnswer.media().get(0).formats());
        int sipSide = sipAnswer.media().get(0).port();

        short[][] tone = SineWave.frames(SineWave.tone(400, 8000, 0.6, 0.3), 160);
        for (int n = 0; n < tone.length; n++) {
            sipParty.send(packet(0, n, 160L * n, G711.PCMU.encode(tone[n]),
                    new InetSocketAddress(LOOPBACK, sipSide)));
            Thread.sleep(20); // in real time: a burst beyond the transcoder's queue would lose its oldest packets
        }
        try (AudioCodec opus = AudioCodecs.create("opus", 48000).orElseThrow()) {
            short[] settled = Arrays.copyOfRange(heard(jingleParty, 111, opus, tone.length), 9600, 9600 + 12000);
            assertEquals(400, ToneDetector.dominantFrequency(settled, 48000), 2);
            assertEquals(-10.5, ToneDetector.levelDb(settled, 48000, 400), 1.0);
        }
        SessionDescription hold = bridge.sipReOffer(true);
        assertEquals(List.of("0"), hold.media().get(0).formats());
        bridge.close();
    }

    /**
     * An offer with no codec at all (telephone-event alone, RFC 4733 §2.1: events go with an audio codec) is refused
     * on either side, so the call fails at once (unsupported-applications, 488) with no endpoint left open, rather
     * than ringing the other party with an offer nobody can answer.
     */
    @Test
    void anOfferWithoutAnyCodecIsRefused() throws Exception {
        engine = new MediaEngine(LOOPBACK, 43700, 43720, Duration.ZERO, RtpPolicy.OPEN);
        RelayAudioBridges bridges = bridges();
        assertNull(bridges.open(offer(40000, new RtpDescription.PayloadType(101, "telephone-event", 8000, 1)),
                reason -> { }));
        assertNull(bridges.open(SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 101\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\n"), LOOPBACK, reason -> { }));
        assertEquals(0, engine.openEndpoints(), "endpoints left open");
    }

    private static DatagramPacket packet(int payloadType, int n, long timestamp, byte[] payload,
                                         InetSocketAddress to) {
        byte[] packet = new byte[12 + payload.length];
        packet[0] = (byte) 0x80;
        packet[1] = (byte) payloadType;
        packet[2] = (byte) (n >> 8);
        packet[3] = (byte) n;
        packet[4] = (byte) (timestamp >> 24);
        packet[5] = (byte) (timestamp >> 16);
        packet[6] = (byte) (timestamp >> 8);
        packet[7] = (byte) timestamp;
        packet[11] = 9;
        System.arraycopy(payload, 0, packet, 12, payload.length);
        return new DatagramPacket(packet, packet.length, to);
    }

    /** The audio of {@code packets} RTP packets of {@code payloadType} arriving at {@code socket}, decoded. */
    private static short[] heard(DatagramSocket socket, int payloadType, AudioCodec codec, int packets)
            throws Exception {
        short[] all = new short[0];
        for (int i = 0; i < packets; i++) {
            DatagramPacket packet = receive(socket);
            assertNotNull(packet, "packet " + i + " of " + packets + " missing");
            assertEquals(payloadType, packet.getData()[1] & 0x7f);
            short[] pcm = codec.decode(Arrays.copyOfRange(packet.getData(), 12, packet.getLength()));
            short[] joined = Arrays.copyOf(all, all.length + pcm.length);
            System.arraycopy(pcm, 0, joined, all.length, pcm.length);
            all = joined;
        }
        return all;
    }

    /**
     * A SIP party whose SDP names another address than the one it sends from (baresip names the host's public
     * interface and sends from loopback; a phone behind NAT its private address) is latched by the address its
     * answer came from, without [RTP] latch_any_source.
     */
    @Test
    void theSipPartyIsLatchedFromTheAddressItsAnswerCameFrom() throws Exception {
        start(43700, 43720, RtpPolicy.DEFAULTS);
        JingleCalls.AudioBridge bridge = bridges().open(offer(jingleParty.getLocalPort(),
                new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), reason -> { });
        int sipSide = bridge.sipOffer().media().get(0).port();
        bridge.answer(SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.99\r\ns=-\r\nc=IN IP4 192.0.2.99\r\n"
                + "t=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"), LOOPBACK);

        sipParty.send(new DatagramPacket(rtp(0, 1), 172, new InetSocketAddress(LOOPBACK, sipSide)));
        assertNotNull(receive(jingleParty), "the SIP party's RTP from loopback was dropped");
    }

    /**
     * A party that stops sending once the call is answered is reported (the call is then ended), after the
     * engine's RTP timeout; a call still ringing is not (nobody sends before the answer).
     */
    @Test
    void silenceAfterTheAnswerIsReported() throws Exception {
        engine = new MediaEngine(LOOPBACK, 43700, 43720, Duration.ofMillis(400), RtpPolicy.OPEN);
        java.util.concurrent.CountDownLatch silent = new java.util.concurrent.CountDownLatch(1);
        JingleCalls.AudioBridge bridge = bridges().open(offer(40000,
                new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), reason -> silent.countDown());
        assertEquals(false, silent.await(1200, java.util.concurrent.TimeUnit.MILLISECONDS), "reported while ringing");

        bridge.answer(SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                + "t=0 0\r\nm=audio 40002 RTP/AVP 0\r\n"), LOOPBACK);
        assertEquals(true, silent.await(3, java.util.concurrent.TimeUnit.SECONDS), "silence not reported");
        bridge.close();
    }

    /**
     * Spec §5.7 hold mapping on the SIP leg (RFC 3264 §8.4): our hold re-offer is sendonly with the SIP party's
     * payload type numbers and a higher o= version (RFC 3264 §8); its sendonly re-offer is answered recvonly; a
     * re-offer moving the media is refused.
     */
    @Test
    void holdReOffersAndReAnswers_rfc3264_8_4() throws Exception {
        engine = new MediaEngine(LOOPBACK, 43700, 43720, Duration.ZERO, RtpPolicy.OPEN);
        JingleCalls.AudioBridge bridge = bridges().open(offer(40000,
                new RtpDescription.PayloadType(101, "telephone-event", 8000, 1),
                new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), reason -> { });
        SessionDescription first = bridge.sipOffer();
        String answered = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40002 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\n";
        bridge.answer(SessionDescription.parse(answered + "a=sendrecv\r\n"), LOOPBACK);

        SessionDescription hold = bridge.sipReOffer(true);
        assertEquals("sendonly", hold.direction(hold.media().get(0)));
        assertEquals(List.of("0", "96"), hold.media().get(0).formats());
        assertEquals(Long.parseLong(version(first)) + 1, Long.parseLong(version(hold)));

        SessionDescription held = bridge.sipReAnswer(SessionDescription.parse(answered + "a=sendonly\r\n"));
        assertEquals("recvonly", held.direction(held.media().get(0)));
        org.junit.jupiter.api.Assertions.assertThrows(org.sylkserver.protocols.sdp.SdpException.class,
                () -> bridge.sipReAnswer(SessionDescription.parse(answered.replace("40002", "40010"))));
        bridge.close();
    }

    private static String version(SessionDescription sdp) {
        return sdp.sessionLines().stream().filter(l -> l.type() == 'o').findFirst().orElseThrow().value()
                .split(" ")[2];
    }

    /** Offers this relay cannot serve are refused (the caller then gets unsupported-applications). */
    @Test
    void iceWithoutCredentialsAndHostNameCandidatesAreRefused() throws Exception {
        engine = new MediaEngine(LOOPBACK, 43700, 43720, Duration.ZERO, RtpPolicy.OPEN);
        RelayAudioBridges bridges = bridges();
        RtpDescription pcmu = new RtpDescription("audio", List.of(new RtpDescription.PayloadType(0, "PCMU", 8000, 1)),
                List.of(), false, false);
        assertNull(bridges.open(new JingleSdp.Media(pcmu, new JingleTransport.IceUdp(null, null, List.of()),
                "sendrecv"), reason -> { }), "XEP-0176 §5.3: ufrag and pwd are required");
        assertNull(bridges.open(new JingleSdp.Media(pcmu, new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(1, 0, "c1", "client.example", 4000))), "sendrecv"), reason -> { }));
        assertEquals(0, engine.openEndpoints());
    }

    /**
     * XEP-0176 §5.4 (response), §5.6 (connectivity checks): the Jingle party offers ICE-UDP with rtcp-mux; our answer
     * carries our ufrag and pwd and one host candidate (component 1 only: rtcp-mux is answered, RFC 5761 §5.1.1) on
     * the Jingle-side endpoint, priority 2130706431 (RFC 8445 §5.1.2.1 for a host candidate of component 1). The
     * party's nominating check there is answered (RFC 8445 §7.3), after which media flows both ways through the
     * checked address; before it, the SIP party's RTP goes nowhere.
     */
    @Test
    void anIceOfferIsAnsweredWithOurCredentialsAndHostCandidateAndItsCheckedPairCarriesTheMedia_XEP0176_5_6()
            throws Exception {
        start(43740, 43760, RtpPolicy.DEFAULTS);
        RelayAudioBridges bridges = bridges();
        JingleTransport.IceUdp offered = new JingleTransport.IceUdp("peer", "peerpasswordpeerpassword", List.of(
                new JingleTransport.IceCandidate(1, "1", 0, "c1", "127.0.0.1", 0, jingleParty.getLocalPort(),
                        2130706431L, "udp", "host", null, 0)));
        JingleCalls.AudioBridge bridge = bridges.open(new JingleSdp.Media(new RtpDescription("audio",
                List.of(new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), List.of(), false, true), offered,
                "sendrecv"), reason -> { });
        assertNotNull(bridge);
        int sipSide = bridge.sipOffer().media().get(0).port();
        JingleSdp.Media answer = bridge.answer(sipPcmu(), LOOPBACK);
        JingleTransport.IceUdp ours = (JingleTransport.IceUdp) answer.transport();
        assertNotNull(ours.ufrag());
        assertTrue(ours.pwd().length() >= 22, "RFC 8445 §5.3: at least 128 bits of password");
        assertEquals(1, ours.candidates().size(), ours.candidates().toString());
        JingleTransport.IceCandidate host = ours.candidates().get(0);
        assertEquals(List.of(1, "127.0.0.1", "host", "udp", 2130706431L),
                List.of(host.component(), host.ip(), host.type(), host.protocol(), host.priority()));
        assertTrue(answer.description().rtcpMux(), "rtcp-mux answered");
        InetSocketAddress jingleEndpoint = new InetSocketAddress(LOOPBACK, host.port());

        InetSocketAddress sipEndpoint = new InetSocketAddress(LOOPBACK, sipSide);
        sipParty.send(new DatagramPacket(rtp(0, 1), 172, sipEndpoint));
        jingleParty.setSoTimeout(300);
        assertNull(receive(jingleParty), "no media to the Jingle party before its check (RFC 7675 consent)");

        byte[] check = ConnectivityCheck.request(ours.ufrag(), ours.pwd(), true);
        jingleParty.setSoTimeout(3000);
        jingleParty.send(new DatagramPacket(check, check.length, jingleEndpoint));
        DatagramPacket response = receive(jingleParty);
        assertNotNull(response, "the check was not answered");
        assertEquals(jingleParty.getLocalPort(), ConnectivityCheck.mapped(check,
                java.util.Arrays.copyOf(response.getData(), response.getLength())).getPort());

        jingleParty.send(new DatagramPacket(rtp(0, 2), 172, jingleEndpoint));
        DatagramPacket atSip = receive(sipParty);
        assertNotNull(atSip, "the SIP party got nothing");
        assertEquals(2, atSip.getData()[3]);
        sipParty.send(new DatagramPacket(rtp(0, 3), 172, sipEndpoint));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertEquals(3, atJingle.getData()[3]);
        bridge.close();
    }

    /**
     * XEP-0320 §1, XMPP → SIP: an ICE-UDP offer with a fingerprint (setup actpass) is answered with ours and setup
     * passive (RFC 8842 §5.3: we are the DTLS server). After the party's check, its DTLS client (written apart from
     * ours) completes the handshake against the fingerprint of our answer (RFC 5763 §5); its SRTP reaches the SIP
     * party as plain RTP, and the SIP party's RTP reaches it as SRTP with the exported keys (RFC 5764 §4.2).
     */
    @Test
    void aDtlsOfferIsAnsweredPassiveAndTheHandshakeKeysTheJingleSide_XEP0320_1() throws Exception {
        start(46130, 46150, RtpPolicy.DEFAULTS);
        DtlsTestClient client = new DtlsTestClient();
        java.util.concurrent.LinkedBlockingQueue<JingleReason.Reason> failures =
                new java.util.concurrent.LinkedBlockingQueue<>();
        JingleCalls.AudioBridge bridge = iceOffer(DtlsFingerprint.of(client.fingerprint(), "actpass"), true, failures);
        assertNotNull(bridge);
        assertHandshakeKeysTheJingleSide(bridge, client, failures);
    }

    /**
     * Our answer to a Jingle DTLS offer names our fingerprint and setup passive (RFC 8842 §5.3: we are the DTLS
     * server); after the party's check, its DTLS client (written apart from ours) completes the handshake against that
     * fingerprint (RFC 5763 §5); its SRTP reaches the SIP party as plain RTP, and the SIP party's RTP reaches it as
     * SRTP with the exported keys (RFC 5764 §4.2); nothing fails.
     */
    private void assertHandshakeKeysTheJingleSide(JingleCalls.AudioBridge bridge, DtlsTestClient client,
                                                  java.util.Queue<JingleReason.Reason> failures) throws Exception {
        int sipSide = bridge.sipOffer().media().get(0).port();
        JingleTransport.IceUdp ours = (JingleTransport.IceUdp) answerFromSip(bridge).transport();
        assertEquals("passive", ours.fingerprint().setup());
        InetSocketAddress jingleEndpoint = new InetSocketAddress(LOOPBACK, ours.candidates().get(0).port());
        checkPasses(ours, jingleEndpoint);

        DtlsTestClient.Srtp srtp = client.handshake(jingleParty, jingleEndpoint, ours.fingerprint().fingerprint());
        // our side keys itself just after sending its last flight: the client may be a moment ahead, as a real
        // client is, and its first packets are dropped (nothing in clear, RFC 5764 §4.1), so it sends on
        DatagramPacket atSip = null;
        sipParty.setSoTimeout(100);
        for (int seq = 1; atSip == null && seq < 30; seq++) {
            byte[] protectedRtp = srtp.sending().protectRtp(rtp(0, seq), 172);
            jingleParty.send(new DatagramPacket(protectedRtp, protectedRtp.length, jingleEndpoint));
            atSip = receive(sipParty);
        }
        assertNotNull(atSip, "the SIP party got nothing");
        assertArrayEquals(rtp(0, atSip.getData()[3]), Arrays.copyOf(atSip.getData(), atSip.getLength()));
        sipParty.send(new DatagramPacket(rtp(0, 3), 172, new InetSocketAddress(LOOPBACK, sipSide)));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertArrayEquals(rtp(0, 3), srtp.receiving().unprotectRtp(Arrays.copyOf(atJingle.getData(),
                atJingle.getLength()), atJingle.getLength()));
        assertNull(failures.poll());
        bridge.close();
    }

    /**
     * RFC 5763 §5: a party whose certificate is not the one its fingerprint names is refused in the handshake, and
     * the call ends with security-error (XEP-0166 §7.4).
     */
    @Test
    void aCertificateThatIsNotTheFingerprintsEndsTheCallWithSecurityError_rfc5763_5() throws Exception {
        engine = new MediaEngine(LOOPBACK, 46130, 46150, Duration.ZERO, RtpPolicy.DEFAULTS);
        jingleParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        sipParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        jingleParty.setSoTimeout(3000);
        java.util.concurrent.LinkedBlockingQueue<JingleReason.Reason> failures =
                new java.util.concurrent.LinkedBlockingQueue<>();
        JingleCalls.AudioBridge bridge = iceOffer(DtlsFingerprint.of(DtlsTestClient.someOtherFingerprint(), "actpass"),
                true, failures);
        JingleTransport.IceUdp ours = (JingleTransport.IceUdp) answerFromSip(bridge).transport();
        InetSocketAddress jingleEndpoint = new InetSocketAddress(LOOPBACK, ours.candidates().get(0).port());
        checkPasses(ours, jingleEndpoint);
        DtlsTestClient client = new DtlsTestClient();
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> client.handshake(jingleParty, jingleEndpoint, ours.fingerprint().fingerprint()));
        assertEquals(JingleReason.Reason.security_error, failures.poll(3, java.util.concurrent.TimeUnit.SECONDS));
        bridge.close();
    }

    /**
     * A PCMU ICE-UDP offer from the Jingle party's socket with {@code fingerprint} (null for none, XEP-0320 §1) and
     * {@code rtcpMux}; null when refused.
     */
    private JingleCalls.AudioBridge iceOffer(DtlsFingerprint fingerprint, boolean rtcpMux,
                                             java.util.Queue<JingleReason.Reason> failures) {
        return bridges().open(new JingleSdp.Media(
                new RtpDescription("audio", List.of(new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), List.of(),
                        false, rtcpMux), iceTransport(fingerprint), "sendrecv"), failures::add);
    }

    /** The Jingle party's ICE-UDP transport: its credentials, its socket's host candidate, {@code fingerprint}. */
    private JingleTransport.IceUdp iceTransport(DtlsFingerprint fingerprint) {
        return new JingleTransport.IceUdp("peer", "peerpasswordpeerpassword", List.of(new JingleTransport.IceCandidate(
                1, "1", 0, "c1", "127.0.0.1", 0, jingleParty.getLocalPort(), 2130706431L, "udp", "host", null, 0)),
                fingerprint);
    }

    /**
     * A DTLS fingerprint the Jingle party sends in a transport-info after a session-initiate without one (XEP-0320
     * §1 makes it a child of the ICE-UDP transport, which XEP-0176 §5.5's transport-info carries) is its DTLS offer
     * while our answer is still to go out: the answer takes DTLS-SRTP and the handshake keys the Jingle side, as for
     * a fingerprint in the initiate. Once our plain answer went out, a late one changes nothing (not even a broken
     * one).
     */
    @Test
    void aFingerprintInATransportInfoBeforeOurAnswerIsTheDtlsOffer_XEP0320_1() throws Exception {
        start(46130, 46150, RtpPolicy.DEFAULTS);
        DtlsTestClient client = new DtlsTestClient();
        java.util.concurrent.LinkedBlockingQueue<JingleReason.Reason> failures =
                new java.util.concurrent.LinkedBlockingQueue<>();
        JingleCalls.AudioBridge bridge = iceOffer(null, true, failures);
        assertNotNull(bridge);
        bridge.transportInfo(iceTransport(DtlsFingerprint.of(client.fingerprint(), "actpass")));
        assertHandshakeKeysTheJingleSide(bridge, client, failures);

        JingleCalls.AudioBridge plain = iceOffer(null, true, failures);
        answerFromSip(plain);
        plain.transportInfo(iceTransport(new DtlsFingerprint("x-whirl-512", "actpass", "02:1A")));
        assertNull(failures.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS), "ignored after our answer");
        plain.close();
    }

    /**
     * DTLS-SRTP with RTCP on its own ICE component (no rtcp-mux, RFC 5761) would need a second handshake for that
     * component, which the relay does not run: such an offer is refused with incompatible-parameters (XEP-0166 §7.4)
     * and holds no endpoint; a session-accept to our DTLS offer without rtcp-mux is unusable, as is a fingerprint a
     * Jingle party without rtcp-mux trickles (XEP-0320 §1).
     */
    @Test
    void dtlsWithRtcpOnItsOwnComponentIsRefused_XEP0320() throws Exception {
        engine = new MediaEngine(LOOPBACK, 46130, 46150, Duration.ZERO, RtpPolicy.DEFAULTS);
        jingleParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        sipParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        DtlsFingerprint theirs = DtlsFingerprint.of(new DtlsTestClient().fingerprint(), "actpass");
        java.util.concurrent.LinkedBlockingQueue<JingleReason.Reason> failures =
                new java.util.concurrent.LinkedBlockingQueue<>();
        assertNull(iceOffer(theirs, false, failures));
        assertEquals(JingleReason.Reason.incompatible_parameters, failures.poll());
        assertEquals(0, engine.openEndpoints());

        JingleCalls.AudioBridge trickling = iceOffer(null, false, failures);
        trickling.transportInfo(iceTransport(theirs));
        assertEquals(JingleReason.Reason.incompatible_parameters, failures.poll());
        trickling.close();

        JingleCalls.SipOfferBridge dialled = bridges()
                .open(sipPcmu(), LOOPBACK, failures::add);
        dialled.jingleOffer(true);
        org.junit.jupiter.api.Assertions.assertThrows(org.sylkserver.protocols.sdp.SdpException.class,
                () -> dialled.answer(new JingleSdp.Media(new RtpDescription("audio", List.of(
                        new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), List.of(), false, false),
                        iceTransport(DtlsFingerprint.of(new DtlsTestClient().fingerprint(), "active")), "sendrecv")));
        dialled.close();
    }

    /**
     * XEP-0320 §1, SIP → XMPP: the called party's session-accept to our DTLS offer had no fingerprint (plain RTP so
     * far), then it sends one in a transport-info: the handshake starts from it, so a fingerprint we cannot check
     * (RFC 8122 §5) ends the call with security-error.
     */
    @Test
    void aFingerprintTrickledAfterAPlainAcceptStartsDtls_XEP0320_1() throws Exception {
        engine = new MediaEngine(LOOPBACK, 46130, 46150, Duration.ZERO, RtpPolicy.DEFAULTS);
        jingleParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        sipParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        java.util.concurrent.LinkedBlockingQueue<JingleReason.Reason> failures =
                new java.util.concurrent.LinkedBlockingQueue<>();
        JingleCalls.SipOfferBridge bridge = bridges()
                .open(sipPcmu(), LOOPBACK, failures::add);
        bridge.jingleOffer(true);
        bridge.answer(new JingleSdp.Media(new RtpDescription("audio", List.of(new RtpDescription.PayloadType(0, "PCMU",
                8000, 1)), List.of(), false, true), iceTransport(null), "sendrecv"));
        assertNull(failures.poll());
        bridge.transportInfo(iceTransport(new DtlsFingerprint("x-whirl-512", "active", "02:1A")));
        assertEquals(JingleReason.Reason.security_error, failures.poll(3, java.util.concurrent.TimeUnit.SECONDS));
        bridge.close();
    }

    private JingleSdp.Media answerFromSip(JingleCalls.AudioBridge bridge) throws Exception {
        return bridge.answer(sipPcmu(), LOOPBACK);
    }

    /** The Jingle party's nominating check of our candidate, answered (RFC 8445 §7.3): DTLS may come from there. */
    private void checkPasses(JingleTransport.IceUdp ours, InetSocketAddress jingleEndpoint) throws Exception {
        byte[] check = ConnectivityCheck.request(ours.ufrag(), ours.pwd(), true);
        jingleParty.send(new DatagramPacket(check, check.length, jingleEndpoint));
        assertNotNull(receive(jingleParty), "the check was not answered");
    }

    /**
     * The SIP leg may be SRTP (RFC 4568): a SIP party's RTP/SAVP offer with an SDES key is answered with a key of
     * ours of the same tag and suite (§7.1.2) on RTP/SAVP; its SRTP reaches the Jingle party as plain RTP, the Jingle
     * party's RTP reaches it as SRTP under our key. The Jingle party is offered no key of the SIP party's.
     */
    @Test
    void aSipOfferWithSdesKeysGetsSrtpOnTheSipLeg_rfc4568_7_1_2() throws Exception {
        start(46130, 46150, RtpPolicy.DEFAULTS);
        SdesCrypto sipKey = SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80,
                new java.security.SecureRandom());
        JingleCalls.SipOfferBridge bridge = bridges().open(SessionDescription.parse(
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio "
                        + sipParty.getLocalPort() + " RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=crypto:"
                        + sipKey.format() + "\r\na=sendrecv\r\n"), LOOPBACK, reason -> { });
        assertNotNull(bridge);
        JingleSdp.Media jingleOffer = bridge.jingleOffer(false);
        SdesCrypto offeredToJingle = SdesCrypto.parse(line(jingleOffer.description().crypto().get(0)));
        assertFalse(Arrays.equals(sipKey.masterKey(), offeredToJingle.masterKey()),
                "the SIP party's key stays on the SIP leg: the Jingle party is offered one of ours");
        int jingleSide = ((JingleTransport.RawUdp) jingleOffer.transport()).candidates().get(0).port();
        SessionDescription sipAnswer = bridge.answer(offer(jingleParty.getLocalPort(),
                new RtpDescription.PayloadType(0, "PCMU", 8000, 1)));
        assertEquals("RTP/SAVP", sipAnswer.media().get(0).proto());
        SdesCrypto ours = SdesCrypto.parse(sipAnswer.media().get(0).attributes("crypto").get(0));
        assertEquals(List.of(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80), List.of(ours.tag(), ours.suite()));
        InetSocketAddress sipSide = new InetSocketAddress(LOOPBACK, sipAnswer.media().get(0).port());

        SrtpTransformer toUs = SrtpTransformer.forSending(sipKey);
        byte[] protectedRtp = toUs.protectRtp(rtp(0, 1), 172);
        sipParty.send(new DatagramPacket(protectedRtp, protectedRtp.length, sipSide));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertArrayEquals(rtp(0, 1), Arrays.copyOf(atJingle.getData(), atJingle.getLength()));

        jingleParty.send(new DatagramPacket(rtp(0, 2), 172, new InetSocketAddress(LOOPBACK, jingleSide)));
        DatagramPacket atSip = receive(sipParty);
        assertNotNull(atSip, "the SIP party got nothing");
        assertArrayEquals(rtp(0, 2), SrtpTransformer.forReceiving(ours).unprotectRtp(Arrays.copyOf(atSip.getData(),
                atSip.getLength()), atSip.getLength()));
        bridge.close();
    }

    /** A Jingle {@code <crypto/>} (or a parsed a=crypto) as the value of an a=crypto line (RFC 4568 §9.1). */
    private static String line(RtpDescription.Crypto c) {
        return c.tag() + " " + c.suite() + " " + c.keyParams() + (c.sessionParams() != null ? " " + c.sessionParams()
                : "");
    }

    /** {@code key} as a Jingle {@code <crypto/>} (XEP-0167 §7). */
    private static RtpDescription.Crypto crypto(SdesCrypto key) {
        String[] parts = key.format().split(" ", 3);
        return new RtpDescription.Crypto(parts[0], parts[1], parts[2], null);
    }

    private static SdesCrypto newKey(int tag) {
        return SdesCrypto.generate(tag, CryptoSuite.AES_CM_128_HMAC_SHA1_80, new java.security.SecureRandom());
    }

    /** A PCMU raw-UDP Jingle offer from the Jingle party's socket with {@code keys}. */
    private JingleSdp.Media keyedOffer(boolean required, RtpDescription.Crypto... keys) {
        return new JingleSdp.Media(new RtpDescription("audio", List.of(new RtpDescription.PayloadType(0, "PCMU",
                8000, 1)), List.of(keys), required, false), new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(1, 0, "c1", "127.0.0.1", jingleParty.getLocalPort()))), "sendrecv");
    }

    /**
     * XEP-0167 §7, XMPP → SIP: a Jingle party's offer with SDES keys (an unknown suite first, skipped as RFC 4568
     * §7.1.2 lets an answerer) is answered with a key of ours for the first usable one's tag and suite; its SRTP
     * reaches the SIP party as RTP and the SIP party's RTP reaches it as SRTP under our key. The SIP party is offered
     * a key of its own on RTP/AVP ("SDES optional", spec §1.3) and keeps to plain RTP by answering without one.
     */
    @Test
    void aJingleOfferWithSdesKeysGetsSrtpOnTheJingleLeg_XEP0167_7() throws Exception {
        start(46130, 46150, RtpPolicy.DEFAULTS);
        SdesCrypto partyKey = newKey(2);
        JingleCalls.AudioBridge bridge = bridges().open(
                keyedOffer(false, new RtpDescription.Crypto("1", "F8_128_HMAC_SHA1_80",
                        "inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2", null), crypto(partyKey)), reason -> { });
        assertNotNull(bridge);
        SessionDescription sipOffer = bridge.sipOffer();
        assertEquals("RTP/AVP", sipOffer.media().get(0).proto());
        SdesCrypto offeredToSip = SdesCrypto.parse(sipOffer.media().get(0).attributes("crypto").get(0));
        assertFalse(Arrays.equals(partyKey.masterKey(), offeredToSip.masterKey()), "each leg has its own keys");

        JingleSdp.Media answer = bridge.answer(sipPcmu(), LOOPBACK);
        assertEquals(1, answer.description().crypto().size(), answer.description().toString());
        SdesCrypto ours = SdesCrypto.parse(line(answer.description().crypto().get(0)));
        assertEquals(List.of(2, CryptoSuite.AES_CM_128_HMAC_SHA1_80), List.of(ours.tag(), ours.suite()));
        InetSocketAddress jingleSide = new InetSocketAddress(LOOPBACK,
                ((JingleTransport.RawUdp) answer.transport()).candidates().get(0).port());

        byte[] protectedRtp = SrtpTransformer.forSending(partyKey).protectRtp(rtp(0, 1), 172);
        jingleParty.send(new DatagramPacket(protectedRtp, protectedRtp.length, jingleSide));
        DatagramPacket atSip = receive(sipParty);
        assertNotNull(atSip, "the SIP party got nothing");
        assertArrayEquals(rtp(0, 1), Arrays.copyOf(atSip.getData(), atSip.getLength()), "plain RTP on the SIP leg");

        sipParty.send(new DatagramPacket(rtp(0, 2), 172, new InetSocketAddress(LOOPBACK,
                sipOffer.media().get(0).port())));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertArrayEquals(rtp(0, 2), SrtpTransformer.forReceiving(ours).unprotectRtp(Arrays.copyOf(
                atJingle.getData(), atJingle.getLength()), atJingle.getLength()));
        bridge.close();
    }

    /**
     * XEP-0167 §7: the responder may proceed unencrypted, or terminate with security-error; which is our policy's
     * ({@code srtp_encryption}). Required keys we cannot use (an unknown suite only), or any required keys when SRTP
     * is disabled, are refused with security-error and hold no endpoint; keys that are not required, under
     * {@code disabled}, get a plain answer, and so does an offer without keys under {@code sdes} (SDES optional).
     */
    @Test
    void aJingleOfferWhoseEncryptionCannotBeMetIsASecurityError_XEP0167_7() throws Exception {
        engine = new MediaEngine(LOOPBACK, 46130, 46150, Duration.ZERO, RtpPolicy.DEFAULTS);
        jingleParty = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        RtpDescription.Crypto f8 = new RtpDescription.Crypto("1", "F8_128_HMAC_SHA1_80",
                "inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2", null);
        java.util.concurrent.LinkedBlockingQueue<JingleReason.Reason> failures =
                new java.util.concurrent.LinkedBlockingQueue<>();
        RelayAudioBridges opportunistic = bridges();
        RelayAudioBridges disabled = new RelayAudioBridges(engine, LOOPBACK, SrtpPolicy.DISABLED);
        RelayAudioBridges sdesOptional = new RelayAudioBridges(engine, LOOPBACK, SrtpPolicy.SDES);

        assertNull(opportunistic.open(keyedOffer(true, f8), failures::add), "required, no usable suite");
        assertNull(disabled.open(keyedOffer(true, crypto(newKey(1))), failures::add), "required, SRTP disabled");
        assertEquals(List.of(JingleReason.Reason.security_error, JingleReason.Reason.security_error),
                List.copyOf(failures));
        assertEquals(0, engine.openEndpoints());

        JingleCalls.AudioBridge unkeyed = sdesOptional.open(keyedOffer(false), failures::add);
        assertNotNull(unkeyed, "sdes is SDES optional (spec §1.3): a party without keys gets plain RTP");
        unkeyed.close();

        JingleCalls.AudioBridge plain = disabled.open(keyedOffer(false, crypto(newKey(1))), failures::add);
        assertNotNull(plain, "keys not required: the call may stay unencrypted");
        assertTrue(plain.sipOffer().media().get(0).attributes("crypto").isEmpty(), "disabled: no key offered");
        plain.close();
    }

    /**
     * Spec §1.3 and RFC 4568 §7.1.3, XMPP → SIP: our offer to the SIP party carries our key on RTP/AVP; a phone that
     * answers with a key for it gets SRTP (the Jingle party's RTP reaches it protected with our key, its SRTP reaches
     * the Jingle party as RTP), and our later SDPs (a hold re-offer) keep the key; an answer whose key names another
     * tag is unusable.
     */
    @Test
    void ourSipOfferCarriesAKeyAndAKeyedAnswerGetsSrtp_rfc4568_7_1_3() throws Exception {
        start(46130, 46150, RtpPolicy.DEFAULTS);
        RelayAudioBridges bridges = bridges();
        SdesCrypto phoneKey = newKey(1);
        String answer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio "
                + sipParty.getLocalPort() + " RTP/AVP 0\r\na=crypto:" + phoneKey.format() + "\r\na=sendrecv\r\n";

        JingleCalls.AudioBridge wrongTag = bridges.open(offer(jingleParty.getLocalPort(),
                new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), reason -> { });
        wrongTag.sipOffer();
        org.junit.jupiter.api.Assertions.assertThrows(org.sylkserver.protocols.sdp.SdpException.class,
                () -> wrongTag.answer(SessionDescription.parse(answer.replace("a=crypto:1 ", "a=crypto:7 ")),
                        LOOPBACK));
        wrongTag.close();

        JingleCalls.AudioBridge bridge = bridges.open(offer(jingleParty.getLocalPort(),
                new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), reason -> { });
        SessionDescription sipOffer = bridge.sipOffer();
        assertEquals("RTP/AVP", sipOffer.media().get(0).proto());
        SdesCrypto ours = SdesCrypto.parse(sipOffer.media().get(0).attributes("crypto").get(0));
        assertEquals(List.of(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80), List.of(ours.tag(), ours.suite()));
        JingleSdp.Media jingleAnswer = bridge.answer(SessionDescription.parse(answer), LOOPBACK);
        assertTrue(jingleAnswer.description().crypto().isEmpty(), "the Jingle party offered no key");
        InetSocketAddress jingleSide = new InetSocketAddress(LOOPBACK,
                ((JingleTransport.RawUdp) jingleAnswer.transport()).candidates().get(0).port());

        jingleParty.send(new DatagramPacket(rtp(0, 1), 172, jingleSide));
        DatagramPacket atSip = receive(sipParty);
        assertNotNull(atSip, "the SIP party got nothing");
        assertArrayEquals(rtp(0, 1), SrtpTransformer.forReceiving(ours).unprotectRtp(Arrays.copyOf(atSip.getData(),
                atSip.getLength()), atSip.getLength()));
        byte[] protectedRtp = SrtpTransformer.forSending(phoneKey).protectRtp(rtp(0, 2), 172);
        sipParty.send(new DatagramPacket(protectedRtp, protectedRtp.length, new InetSocketAddress(LOOPBACK,
                sipOffer.media().get(0).port())));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertArrayEquals(rtp(0, 2), Arrays.copyOf(atJingle.getData(), atJingle.getLength()));

        SessionDescription hold = bridge.sipReOffer(true);
        assertEquals(ours, SdesCrypto.parse(hold.media().get(0).attributes("crypto").get(0)));
        bridge.close();
    }

    /**
     * XEP-0167 §7, SIP → XMPP: our raw-UDP offer to the Jingle party carries our key, not required; a session-accept
     * that mirrors it with the party's key makes the Jingle leg SRTP both ways, while the SIP leg stays plain.
     */
    @Test
    void ourJingleOfferCarriesAKeyAndAKeyedAcceptGetsSrtp_XEP0167_7() throws Exception {
        start(46130, 46150, RtpPolicy.DEFAULTS);
        JingleCalls.SipOfferBridge bridge = bridges()
                .open(sipPcmu(), LOOPBACK, reason -> { });
        JingleSdp.Media offer = bridge.jingleOffer(false);
        assertFalse(offer.description().encryptionRequired());
        SdesCrypto ours = SdesCrypto.parse(line(offer.description().crypto().get(0)));
        SdesCrypto partyKey = newKey(ours.tag());
        int jingleSide = ((JingleTransport.RawUdp) offer.transport()).candidates().get(0).port();

        SessionDescription sipAnswer = bridge.answer(keyedOffer(false, crypto(partyKey)));
        assertEquals("RTP/AVP", sipAnswer.media().get(0).proto());
        assertTrue(sipAnswer.media().get(0).attributes("crypto").isEmpty(), "the SIP party offered no key");

        byte[] protectedRtp = SrtpTransformer.forSending(partyKey).protectRtp(rtp(0, 1), 172);
        jingleParty.send(new DatagramPacket(protectedRtp, protectedRtp.length, new InetSocketAddress(LOOPBACK,
                jingleSide)));
        DatagramPacket atSip = receive(sipParty);
        assertNotNull(atSip, "the SIP party got nothing");
        assertArrayEquals(rtp(0, 1), Arrays.copyOf(atSip.getData(), atSip.getLength()));
        sipParty.send(new DatagramPacket(rtp(0, 2), 172, new InetSocketAddress(LOOPBACK,
                sipAnswer.media().get(0).port())));
        DatagramPacket atJingle = receive(jingleParty);
        assertNotNull(atJingle, "the Jingle party got nothing");
        assertArrayEquals(rtp(0, 2), SrtpTransformer.forReceiving(ours).unprotectRtp(Arrays.copyOf(
                atJingle.getData(), atJingle.getLength()), atJingle.getLength()));
        bridge.close();
    }
}
