package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.UnparsedIQ;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.codec.Resampler;
import org.sylkserver.media.codec.ToneDetector;
import org.sylkserver.media.dtls.DtlsTestClient;
import org.sylkserver.media.dtls.Fingerprint;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpTransformer;

/**
 * Spec §5.7 end to end: an XMPP user of Prosody (a Smack client) calls a SIP user of our domain ({@code localhost})
 * with Jingle RTP audio over raw UDP (XEP-0166, XEP-0167, XEP-0177); the gateway calls the SIP user (baresip, on
 * port 5060 of the host {@code localhost} names) and relays the media. The Jingle party's RTP is the test's own: a
 * UDP socket sending a 1000 Hz PCMU tone to the candidate of our session-accept and decoding what arrives, where
 * baresip's 400 Hz tone must be; baresip's recording must hold the 1000 Hz tone. Each side's hang-up ends the other.
 * The other way, baresip as a user of {@code localhost} calls the XMPP user, routed to the gateway by the application
 * map entry for {@code xmpp.test} (arquillian.xml). Over ICE-UDP, the Jingle party's socket is an ice4j agent's.
 */
@ExtendWith(ArquillianExtension.class)
class XmppJingleIT {

    private static final Logger LOG = Logger.getLogger(XmppJingleIT.class.getName());
    private static final String JINGLE = "urn:xmpp:jingle:1";
    private static final Duration SETUP = Duration.ofSeconds(30);
    private static final double SIP_TONE = 400;
    private static final double JINGLE_TONE = 1000;
    /** The rate of the Jingle party's received audio as analysed. */
    private static final int HEARD_RATE = 8000;
    private static Prosody prosody;
    private static XMPPTCPConnection romeo;
    /** The Jingle requests the gateway sent romeo (their {@code <jingle/>} element's XML). */
    private static final LinkedBlockingQueue<String> AT_ROMEO = new LinkedBlockingQueue<>();
    /** The conference-info IQs (XEP-0298 §6) the gateway sent romeo: their child's XML. */
    private static final LinkedBlockingQueue<String> CONFERENCE_INFO = new LinkedBlockingQueue<>();

    @TempDir
    Path work;

    @Deployment(testable = false)
    static EnterpriseArchive all() {
        Prosody.writeGatewayConfig("trace_xmpp = true\n");
        return Archives.all();
    }

    /** A Jingle IQ set romeo sends: the {@code <jingle/>} element's attributes and children as given. */
    private static final class JingleIq extends IQ {
        private final String attributes;
        private final String children;

        JingleIq(String to, String attributes, String children) {
            super("jingle", JINGLE);
            this.attributes = attributes;
            this.children = children;
            setType(Type.set);
            setTo(JidCreate.fromOrThrowUnchecked(to));
        }

        @Override
        protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
            xml.append(" ").append(attributes);
            xml.rightAngleBracket();
            xml.append(children);
            return xml;
        }
    }

    @BeforeAll
    static void xmppWorld() throws Exception {
        // the gateway's Jingle IQs reach the handler unparsed (as their XML): Smack's own Jingle model is not needed
        ProviderManager.removeIQProvider("jingle", JINGLE);
        prosody = Prosody.start(Files.createTempDirectory("prosody"));
        romeo = Prosody.client("romeo", "phone");
        romeo.registerIQRequestHandler(new AbstractIqRequestHandler("jingle", JINGLE, IQ.Type.set,
                IQRequestHandler.Mode.async) {
            @Override
            public IQ handleIQRequest(IQ request) {
                AT_ROMEO.add(request instanceof UnparsedIQ unparsed ? unparsed.getContent().toString()
                        : request.toXML().toString());
                return IQ.createResultIQ(request);
            }
        });
        romeo.registerIQRequestHandler(new AbstractIqRequestHandler("conference-info",
                "urn:ietf:params:xml:ns:conference-info", IQ.Type.set, IQRequestHandler.Mode.async) {
            @Override
            public IQ handleIQRequest(IQ request) {
                CONFERENCE_INFO.add(request instanceof UnparsedIQ unparsed ? unparsed.getContent().toString()
                        : request.toXML().toString());
                return IQ.createResultIQ(request);
            }
        });
        // XEP-0167 §10: romeo's client says it takes Jingle RTP audio over raw UDP (the gateway asks before ringing)
        ServiceDiscoveryManager disco = ServiceDiscoveryManager.getInstanceFor(romeo);
        for (String feature : List.of(JINGLE, "urn:xmpp:jingle:apps:rtp:1", "urn:xmpp:jingle:apps:rtp:audio",
                "urn:xmpp:jingle:transports:raw-udp:1")) {
            disco.addFeature(feature);
        }
        romeo.connect().login();
    }

    @AfterAll
    static void stop() throws Exception {
        if (romeo != null) {
            romeo.disconnect();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    /** The next Jingle request of the gateway with {@code action}; others (ringing) are skipped. */
    private static String nextJingle(String action) throws InterruptedException {
        long deadline = System.nanoTime() + SETUP.toNanos();
        while (System.nanoTime() < deadline) {
            String jingle = AT_ROMEO.poll(1, TimeUnit.SECONDS);
            if (jingle != null && jingle.matches("(?s).*action=['\"]" + action + "['\"].*")) {
                return jingle;
            }
            if (jingle != null) {
                LOG.info("romeo got " + jingle);
            }
        }
        throw new AssertionError("no Jingle " + action + " reached romeo within " + SETUP + "; Prosody's log:\n"
                + prosody.log());
    }

    private static String attribute(String xml, String element, String name) {
        Matcher m = Pattern.compile("<" + element + "\\b[^>]*\\s" + name + "=['\"]([^'\"]*)['\"]").matcher(xml);
        assertTrue(m.find(), () -> "no " + element + " " + name + " in " + xml);
        return m.group(1);
    }

    /**
     * Romeo's client: its RTP socket, a 1000 Hz tone sent every 20 ms in its one codec (PCMU unless told), and the
     * decoded audio it receives.
     */
    private static final class JingleParty implements AutoCloseable {
        final DatagramSocket socket;
        /** One codec instance per direction (the sender's and the receiver's threads): codecs keep state. */
        private final AudioCodec codec;
        private final AudioCodec decoder;
        private final int payloadType;
        /** The codec's sample rate; 20 ms frames of it. */
        private final int rate;
        private final int frameLength;
        private final short[] heard;
        private int heardLength;
        /** What it hears is kept at 8 kHz, whatever its codec: the tone search costs too much at 48 kHz. */
        private final Resampler toHeardRate;
        /** SRTP keyed by its DTLS handshake (XEP-0320), or null for plain RTP. */
        private final DtlsTestClient.Srtp srtp;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final java.util.concurrent.atomic.AtomicInteger sentFrames = new java.util.concurrent.atomic.AtomicInteger();
        private Thread sender;
        private final Thread receiver = new Thread(this::receive, "jingle-party-rtp-in");

        JingleParty() throws IOException {
            this("PCMU", 8000, 0);
        }

        JingleParty(String encodingName, int clockRate, int payloadType) throws IOException {
            this(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), encodingName,
                    clockRate, payloadType);
        }

        /** On {@code socket}: an ICE agent's socket of the selected pair. */
        JingleParty(DatagramSocket socket) throws IOException {
            this(socket, "PCMU", 8000, 0, null);
        }

        /** On an ICE agent's socket, with SRTP keyed by the DTLS handshake done on it (XEP-0320, RFC 5764). */
        JingleParty(DatagramSocket socket, DtlsTestClient.Srtp srtp) throws IOException {
            this(socket, "PCMU", 8000, 0, srtp);
        }

        private JingleParty(DatagramSocket socket, String encodingName, int clockRate, int payloadType)
                throws IOException {
            this(socket, encodingName, clockRate, payloadType, null);
        }

        private JingleParty(DatagramSocket socket, String encodingName, int clockRate, int payloadType,
                            DtlsTestClient.Srtp srtp) throws IOException {
            this.socket = socket;
            this.srtp = srtp;
            this.codec = AudioCodecs.create(encodingName, clockRate).orElseThrow();
            this.decoder = AudioCodecs.create(encodingName, clockRate).orElseThrow();
            this.payloadType = payloadType;
            rate = codec.sampleRate();
            frameLength = rate / 50;
            heard = new short[HEARD_RATE * 30];
            toHeardRate = rate == HEARD_RATE ? null : new Resampler(rate, HEARD_RATE);
            socket.setSoTimeout(200);
            receiver.setDaemon(true);
            receiver.start();
        }

        /** The seconds of tone sent so far. */
        double secondsSent() {
            return sentFrames.get() * 0.02;
        }

        void sendTo(InetSocketAddress target) {
            sender = new Thread(() -> {
                short[] frame = new short[frameLength];
                long start = System.nanoTime();
                for (int n = 0; running.get(); n++) {
                    for (int i = 0; i < frame.length; i++) {
                        frame[i] = (short) Math.round(0.4 * Short.MAX_VALUE
                                * Math.sin(2 * Math.PI * JINGLE_TONE * (n * frameLength + i) / rate));
                    }
                    byte[] payload = codec.encode(frame);
                    byte[] packet = new byte[12 + payload.length];
                    packet[0] = (byte) 0x80;
                    packet[1] = (byte) payloadType;
                    packet[2] = (byte) (n >> 8);
                    packet[3] = (byte) n;
                    int ts = n * (frameLength * codec.rtpClockRate() / rate);
                    packet[4] = (byte) (ts >> 24);
                    packet[5] = (byte) (ts >> 16);
                    packet[6] = (byte) (ts >> 8);
                    packet[7] = (byte) ts;
                    packet[11] = 42; // SSRC
                    System.arraycopy(payload, 0, packet, 12, payload.length);
                    try {
                        if (srtp != null) {
                            packet = srtp.sending().protectRtp(packet, packet.length);
                        }
                        socket.send(new DatagramPacket(packet, packet.length, target));
                        sentFrames.incrementAndGet();
                        long due = start + (n + 1) * 20_000_000L;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    } catch (Exception e) {
                        return; // closed, interrupted
                    }
                }
            }, "jingle-party-rtp-out");
            sender.setDaemon(true);
            sender.start();
        }

        private void receive() {
            byte[] buffer = new byte[1500];
            while (running.get()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    return;
                }
                byte[] rtp = Arrays.copyOf(buffer, packet.getLength());
                if (srtp != null) {
                    try {
                        rtp = srtp.receiving().unprotectRtp(rtp, rtp.length);
                    } catch (Exception e) {
                        continue; // SRTCP, a late DTLS record, or a packet that does not authenticate
                    }
                }
                if (rtp.length <= 12 || (rtp[1] & 0x7f) != payloadType) {
                    continue; // RTCP or another payload type
                }
                short[] decoded = decoder.decode(Arrays.copyOfRange(rtp, 12, rtp.length));
                short[] pcm = toHeardRate == null ? decoded : toHeardRate.process(decoded);
                synchronized (heard) {
                    int n = Math.min(pcm.length, heard.length - heardLength);
                    System.arraycopy(pcm, 0, heard, heardLength, n);
                    heardLength += n;
                }
            }
        }

        /** The seconds of audio received so far. */
        double secondsHeard() {
            synchronized (heard) {
                return heardLength / (double) HEARD_RATE;
            }
        }

        /** What was received after the first {@code skipSeconds}. */
        short[] heardAfter(double skipSeconds) {
            synchronized (heard) {
                int from = (int) Math.min(heardLength, skipSeconds * HEARD_RATE);
                return Arrays.copyOfRange(heard, from, heardLength);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            if (sender != null) {
                sender.join(2000);
            }
            receiver.join(2000);
            socket.close();
            codec.close();
            decoder.close();
        }

        /** The one payload type of its Jingle offer or answer (XEP-0167 §4). */
        String payloadTypeXml() {
            return "<payload-type id='" + payloadType + "' name='" + codec.encodingName() + "' clockrate='"
                    + codec.rtpClockRate() + "' channels='" + (payloadType == 0 ? 1 : 2) + "'/>";
        }
    }

    /**
     * Romeo calls alice: session-initiate acknowledged, the gateway's session-accept names its RTP address, the
     * audio flows both ways (each party's tone reaches the other, by frequency and level); returns the sid.
     */
    private String callAlice(Baresip alice, JingleParty party, String sid) throws Exception {
        String offer = "<content creator='initiator' name='voice' senders='both'>"
                + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                + party.payloadTypeXml() + "</description>"
                + "<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>"
                + "<candidate component='1' generation='0' id='r1' ip='127.0.0.1' port='" + party.socket.getLocalPort()
                + "'/></transport></content>";
        String accept = initiateAndAwaitAccept(sid, offer);
        assertTrue(accept.matches("(?s).*<payload-type\\b[^>]*name=['\"]" + party.codec.encodingName() + "['\"].*"),
                () -> "the session-accept takes the Jingle party's codec: " + accept);
        alice.await(line -> line.contains("Call established"), SETUP, "the gateway's call");
        String ip = attribute(accept, "candidate", "ip");
        int port = Integer.parseInt(attribute(accept, "candidate", "port"));
        party.sendTo(new InetSocketAddress(InetAddress.getByName(ip), port));
        assertTheJinglePartyHearsBaresip(party);
        return sid;
    }

    /**
     * Romeo's session-initiate with {@code offer} to alice, acknowledged (XEP-0166 §6.3); the gateway's session-accept
     * (its XML) once the SIP side answered.
     */
    private static String initiateAndAwaitAccept(String sid, String offer) throws Exception {
        IQ ack = romeo.createStanzaCollectorAndSend(new JingleIq("alice@localhost/jingle",
                "action='session-initiate' initiator='" + romeo.getUser() + "' sid='" + sid + "'", offer))
                .nextResultOrThrow(SETUP.toMillis());
        assertEquals(IQ.Type.result, ack.getType());
        String accept = nextJingle("session-accept");
        LOG.info("session-accept: " + accept);
        return accept;
    }

    /**
     * The start of a sipp scenario: a conference focus's INVITE to romeo (From room {@code room} of our MUC domain,
     * Contact {@code contact} with isfocus, Referred-By alice, a PCMU offer on {@code rtpPort}), its 100 and 180.
     */
    private static String focusInvite(String room, String contact, int rtpPort) {
        return """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="focus">
                  <send retrans="500"><![CDATA[

                INVITE sip:romeo@%1$s SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Conference Call" <sip:%2$s@conference.localhost>;tag=[call_number]
                To: <sip:romeo@%1$s>
                Call-ID: [call_id]
                CSeq: 1 INVITE
                Max-Forwards: 70
                Contact: <sip:%2$s@%3$s>;isfocus
                Referred-By: <sip:alice@localhost>
                X-Sylk-App: xmppgateway
                Content-Type: application/sdp
                Content-Length: [len]

                v=0
                o=- 1 1 IN IP4 127.0.0.1
                s=-
                c=IN IP4 127.0.0.1
                t=0 0
                m=audio %4$d RTP/AVP 0
                a=rtpmap:0 PCMU/8000
                a=sendrecv
                  ]]></send>
                  <recv response="100" optional="true"/>
                  <recv response="180" optional="true"/>
                """.formatted(Prosody.DOMAIN, room, contact, rtpPort);
    }

    /** Romeo's answer to the gateway's session-initiate {@code initiate}: PCMU at {@code party}'s raw-UDP socket. */
    private static String rawUdpAnswer(String initiate, JingleParty party) {
        return "<content creator='initiator' name='" + attribute(initiate, "content", "name")
                + "' senders='both'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                + "<payload-type id='0' name='PCMU' clockrate='8000' channels='1'/></description>"
                + "<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'><candidate component='1' generation='0'"
                + " id='r1' ip='127.0.0.1' port='" + party.socket.getLocalPort() + "'/></transport></content>";
    }

    /** At least 2 s of baresip's tone, by frequency and level, after the first second of the call. */
    private static void assertTheJinglePartyHearsBaresip(JingleParty party) throws InterruptedException {
        long deadline = System.nanoTime() + SETUP.toNanos();
        while (party.secondsHeard() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        short[] settled = party.heardAfter(1.0);
        assertTrue(settled.length >= HEARD_RATE * 2, () -> "the Jingle party heard " + party.secondsHeard() + " s");
        assertEquals(SIP_TONE, ToneDetector.dominantFrequency(settled, HEARD_RATE), 5,
                "baresip's tone at the Jingle party");
        double level = ToneDetector.levelDb(settled, HEARD_RATE, SIP_TONE);
        LOG.info(() -> "the Jingle party hears baresip's " + SIP_TONE + " Hz at " + level + " dBFS");
        assertTrue(level > -20, "level " + level);
    }

    private static void assertBaresipHeardTheJingleParty(Baresip alice) throws Exception {
        Baresip.Recording heard = alice.hangUpAndRecording();
        short[] settled = heard.after(1.0);
        assertTrue(heard.seconds() >= 2.5, "baresip recorded " + heard.seconds() + " s");
        assertEquals(JINGLE_TONE, ToneDetector.dominantFrequency(settled, heard.sampleRate()), 5,
                "the Jingle party's tone at baresip");
        double level = ToneDetector.levelDb(settled, heard.sampleRate(), JINGLE_TONE);
        LOG.info(() -> "baresip hears the Jingle party's " + JINGLE_TONE + " Hz at " + level + " dBFS");
        assertTrue(level > -20, "level " + level);
    }

    /**
     * Spec §5.7 SIP → XMPP: alice (baresip, a user of our domain {@code localhost}) calls romeo's bare JID; Prosody
     * lists no resources in disco#items, so the gateway rings the resource whose presence reached it (romeo's
     * directed presence to alice) once its disco#info shows Jingle RTP. Romeo's ringing and session-accept (its
     * candidate the test's RTP socket) answer baresip's INVITE; each party hears the other's tone; romeo's
     * session-terminate ends the SIP call with BYE.
     */
    @Test
    void aSipUsersCallRingsTheXmppUsersJingleClient_5_7() throws Exception {
        romeo.sendStanza(StanzaBuilder.buildPresence().to(JidCreate.bareFrom("alice@localhost")).build());
        // the gateway's disco#info answer comes over the same S2S link as the presence, so after it
        ServiceDiscoveryManager.getInstanceFor(romeo).discoverInfo(JidCreate.bareFrom("alice@localhost"));
        try (Baresip alice = Baresip.dialAs(work.resolve("alice"), "alice@localhost", Baresip.Codec.PCMU, SIP_TONE,
                "sip:romeo@" + Prosody.DOMAIN, Sipp.SERVER + ":" + Sipp.SIP_PORT);
             JingleParty party = new JingleParty()) {
            String initiate = nextJingle("session-initiate");
            LOG.info("session-initiate: " + initiate);
            String sid = attribute(initiate, "jingle", "sid");
            String caller = attribute(initiate, "jingle", "initiator");
            assertTrue(caller.startsWith("alice@localhost/"), caller);
            String ip = attribute(initiate, "candidate", "ip");
            int port = Integer.parseInt(attribute(initiate, "candidate", "port"));

            romeo.createStanzaCollectorAndSend(new JingleIq(caller, "action='session-info' sid='" + sid + "'",
                    "<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>")).nextResultOrThrow(SETUP.toMillis());
            alice.await(line -> line.toLowerCase(java.util.Locale.ROOT).contains("ringing"), SETUP, "180 Ringing");
            String answer = rawUdpAnswer(initiate, party);
            IQ ack = romeo.createStanzaCollectorAndSend(new JingleIq(caller, "action='session-accept' responder='"
                    + romeo.getUser() + "' sid='" + sid + "'", answer)).nextResultOrThrow(SETUP.toMillis());
            assertEquals(IQ.Type.result, ack.getType());
            alice.await(line -> line.contains("Call established"), SETUP, "the answer");
            party.sendTo(new InetSocketAddress(InetAddress.getByName(ip), port));
            assertTheJinglePartyHearsBaresip(party);

            romeo.createStanzaCollectorAndSend(new JingleIq(caller, "action='session-terminate' sid='" + sid + "'",
                    "<reason><success/></reason>")).nextResultOrThrow(SETUP.toMillis());
            alice.await(line -> line.contains("terminated"), SETUP, "the gateway's BYE");
            assertBaresipHeardTheJingleParty(alice);
        }
    }

    /**
     * Spec §5.7: a conference focus (sipp: From room muc7 of our MUC domain, Contact isfocus, Referred-By alice)
     * calling romeo with audio only is a Jingle call, not a MUC invitation: romeo's client gets a session-initiate
     * from the room's JID carrying XEP-0298 §5's {@code <conference-info xmlns='urn:xmpp:coin:1' isfocus='true'/>};
     * romeo declines, and the focus's INVITE ends with 603 (XEP-0166 §7.4 decline).
     */
    @Test
    void aConferencesAudioCallIsAJingleCallMarkedAsFocus_XEP0298_5() throws Exception {
        romeo.sendStanza(StanzaBuilder.buildPresence().to(JidCreate.bareFrom("alice@localhost")).build());
        ServiceDiscoveryManager.getInstanceFor(romeo).discoverInfo(JidCreate.bareFrom("alice@localhost"));
        Sipp.Running focus = Sipp.scenario(work, focusInvite("muc7", "[local_ip]:[local_port]", 41996) + """
                  <recv response="603"/>
                  <send><![CDATA[

                ACK sip:romeo@%1$s SIP/2.0
                [last_Via:]
                From: "Conference Call" <sip:muc7@conference.localhost>;tag=[call_number]
                [last_To:]
                Call-ID: [call_id]
                CSeq: 1 ACK
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                </scenario>
                """.formatted(Prosody.DOMAIN)).start();
        String initiate = nextJingle("session-initiate");
        LOG.info("session-initiate from the focus: " + initiate);
        String caller = attribute(initiate, "jingle", "initiator");
        assertTrue(caller.startsWith("muc7@conference.localhost/"), caller);
        // (Smack's unparsed content leaves out the children's namespaces; JingleDialTest checks urn:xmpp:coin:1)
        assertEquals("true", attribute(initiate, "conference-info", "isfocus"));
        romeo.createStanzaCollectorAndSend(new JingleIq(caller, "action='session-terminate' sid='"
                + attribute(initiate, "jingle", "sid") + "'", "<reason><decline/></reason>"))
                .nextResultOrThrow(SETUP.toMillis());
        Sipp.Result result = focus.await();
        assertEquals(0, result.exitCode(), result::toString);
    }

    /**
     * XEP-0298 §6, spec §5.7: a conference focus's answered call carries the room's state to the Jingle party. The
     * focus (sipp: From room muc8, Contact isfocus at a second sipp that plays the room's conference event package)
     * calls romeo, who accepts; the gateway subscribes there (RFC 4575), and the NOTIFY's document reaches romeo as an
     * IQ set whose conference-info names the Jingle session's sid and the NOTIFY's user. The focus's BYE then ends
     * the Jingle session (and the subscription).
     */
    @Test
    void aFocusCallsConferenceInfoReachesTheJingleParty_XEP0298_6() throws Exception {
        romeo.sendStanza(StanzaBuilder.buildPresence().to(JidCreate.bareFrom("alice@localhost")).build());
        ServiceDiscoveryManager.getInstanceFor(romeo).discoverInfo(JidCreate.bareFrom("alice@localhost"));
        int eventPort = Sipp.freePort();
        Sipp.Running events = Sipp.scenario(work.resolve("events"), """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="conference event package">
                  <recv request="SUBSCRIBE" rrs="true">
                    <action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="subscriber"/></action>
                  </recv>
                  <send><![CDATA[

                SIP/2.0 200 OK
                [last_Via:]
                [last_From:]
                [last_To:];tag=events[call_number]
                [last_Call-ID:]
                [last_CSeq:]
                Contact: <sip:muc8@[local_ip]:[local_port]>
                Expires: 600
                Content-Length: 0

                  ]]></send>
                  <send retrans="500"><![CDATA[

                NOTIFY [next_url] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:muc8@conference.localhost>;tag=events[call_number]
                To: [$subscriber]
                [last_Call-ID:]
                CSeq: 1 NOTIFY
                Max-Forwards: 70
                Event: conference
                Subscription-State: active;expires=600
                Contact: <sip:muc8@[local_ip]:[local_port]>
                Content-Type: application/conference-info+xml
                Content-Length: [len]

                <?xml version="1.0" encoding="UTF-8"?>
                <conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:muc8@conference.localhost" state="full" version="1"><users><user entity="sip:carol@localhost" state="full"><display-text>Carol</display-text></user></users></conference-info>
                  ]]></send>
                  <recv response="200"/>
                  <recv request="SUBSCRIBE" timeout="10000" ontimeout="done"/>
                """ + Scenarios.OK_TO_LAST_REQUEST + """
                  <label id="done"/>
                </scenario>
                """).waitingForRequests().localPort(eventPort).start();
        Sipp.Running focus = Sipp.scenario(work.resolve("focus"),
                focusInvite("muc8", "[local_ip]:" + eventPort, 41994) + """
                  <recv response="200" rrs="true"/>
                  <send><![CDATA[

                ACK [next_url] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Conference Call" <sip:muc8@conference.localhost>;tag=[call_number]
                [last_To:]
                Call-ID: [call_id]
                CSeq: 1 ACK
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                  <pause milliseconds="6000"/>
                  <send retrans="500"><![CDATA[

                BYE [next_url] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Conference Call" <sip:muc8@conference.localhost>;tag=[call_number]
                [last_To:]
                Call-ID: [call_id]
                CSeq: 2 BYE
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                  <recv response="200"/>
                </scenario>
                """).start();
        try (JingleParty party = new JingleParty()) {
            String initiate = nextJingle("session-initiate");
            String caller = attribute(initiate, "jingle", "initiator");
            String sid = attribute(initiate, "jingle", "sid");
            String answer = rawUdpAnswer(initiate, party);
            romeo.createStanzaCollectorAndSend(new JingleIq(caller, "action='session-accept' responder='"
                    + romeo.getUser() + "' sid='" + sid + "'", answer)).nextResultOrThrow(SETUP.toMillis());

            String info = CONFERENCE_INFO.poll(SETUP.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(info, "no conference-info reached romeo");
            LOG.info("conference-info: " + info);
            assertEquals(sid, attribute(info, "conference-info", "sid"));
            assertEquals("sip:carol@localhost", attribute(info, "user", "entity"));
            nextJingle("session-terminate"); // the focus's BYE
            Sipp.Result result = focus.await();
            assertEquals(0, result.exitCode(), result::toString);
            Sipp.Result subscription = events.await();
            assertEquals(0, subscription.exitCode(), subscription::toString);
        }
    }

    /** Spec §5.7: the XMPP user hangs up (session-terminate): the gateway ends the SIP call with BYE. */
    @Test
    void anXmppUsersJingleCallReachesASipUserAndTheXmppSideHangsUp_5_7() throws Exception {
        try (Baresip alice = Baresip.listenOnDefaultPortAs(work.resolve("alice"), "alice@localhost",
                Baresip.Codec.PCMU, SIP_TONE);
             JingleParty party = new JingleParty()) {
            Thread.sleep(500); // let baresip bind its port
            String sid = callAlice(alice, party, "call-xmpp-hangs-up");
            IQ ack = romeo.createStanzaCollectorAndSend(new JingleIq("alice@localhost/jingle",
                    "action='session-terminate' sid='" + sid + "'", "<reason><success/></reason>"))
                    .nextResultOrThrow(SETUP.toMillis());
            assertEquals(IQ.Type.result, ack.getType());
            alice.await(line -> line.contains("terminated"), SETUP, "the gateway's BYE");
            assertBaresipHeardTheJingleParty(alice);
        }
    }

    /**
     * XEP-0167 §7 and spec §1.3 ("SDES optional"): romeo's raw-UDP offer requires SRTP with an SDES key; the
     * gateway's session-accept carries its own key for the same tag and suite, and its offer to alice (baresip with
     * best-effort SRTP, {@code mediaenc=srtp}) a key on RTP/AVP, which baresip takes: both legs are SDES-SRTP, each
     * keyed on its own, and each party hears the other's tone through them.
     */
    @Test
    void anSdesKeyedJingleCallReachesAnSrtpPhone_XEP0167_7() throws Exception {
        SdesCrypto romeoKey = SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, new SecureRandom());
        String[] key = romeoKey.format().split(" ");
        try (Baresip alice = Baresip.listenOnDefaultPortAs(work.resolve("alice"), "alice@localhost",
                Baresip.Codec.PCMU, SIP_TONE, "srtp");
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread.sleep(500); // let baresip bind its port
            String offer = "<content creator='initiator' name='voice' senders='both'>"
                    + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                    + "<payload-type id='0' name='PCMU' clockrate='8000' channels='1'/><encryption required='1'>"
                    + "<crypto crypto-suite='" + key[1] + "' key-params='" + key[2] + "' tag='" + key[0] + "'/>"
                    + "</encryption></description><transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>"
                    + "<candidate component='1' generation='0' id='r1' ip='127.0.0.1' port='" + socket.getLocalPort()
                    + "'/></transport></content>";
            String sid = "call-sdes";
            String accept = initiateAndAwaitAccept(sid, offer);
            SdesCrypto gatewayKey = SdesCrypto.parse(attribute(accept, "crypto", "tag") + " "
                    + attribute(accept, "crypto", "crypto-suite") + " " + attribute(accept, "crypto", "key-params"));
            assertEquals(List.of(romeoKey.tag(), romeoKey.suite()), List.of(gatewayKey.tag(), gatewayKey.suite()));
            alice.await(line -> line.contains("Call established"), SETUP, "the gateway's call");
            int port = Integer.parseInt(attribute(accept, "candidate", "port"));
            String media = ServerLogs.await("Jingle media " + port + " <-> ", SETUP);
            assertTrue(media.contains("Jingle leg SDES-SRTP") && media.contains("SIP leg SDES-SRTP"), media);
            try (JingleParty party = new JingleParty(socket, new DtlsTestClient.Srtp(
                    SrtpTransformer.forSending(romeoKey), SrtpTransformer.forReceiving(gatewayKey)))) {
                party.sendTo(new InetSocketAddress(InetAddress.getByName(attribute(accept, "candidate", "ip")), port));
                assertTheJinglePartyHearsBaresip(party);
                romeo.createStanzaCollectorAndSend(new JingleIq("alice@localhost/jingle", "action='session-terminate'"
                        + " sid='" + sid + "'", "<reason><success/></reason>")).nextResultOrThrow(SETUP.toMillis());
                alice.await(line -> line.contains("terminated"), SETUP, "the gateway's BYE");
                assertBaresipHeardTheJingleParty(alice);
            }
        }
    }

    /**
     * Spec §5.7, media through the media engine with transcoding: romeo's client offers only Opus, alice's baresip
     * takes only PCMU; the gateway offers baresip PCMU among the codecs it transcodes to, answers romeo with his Opus,
     * and each hears the other's tone (frequency and level, as above) through the transcoding.
     */
    @Test
    void anOpusOnlyJingleClientAndAPcmuOnlySipPhoneHearEachOther_5_7() throws Exception {
        try (Baresip alice = Baresip.listenOnDefaultPortAs(work.resolve("alice"), "alice@localhost",
                Baresip.Codec.PCMU, SIP_TONE);
             JingleParty party = new JingleParty("opus", 48000, 111)) {
            Thread.sleep(500);
            String sid = callAlice(alice, party, "call-transcoded");
            IQ ack = romeo.createStanzaCollectorAndSend(new JingleIq("alice@localhost/jingle",
                    "action='session-terminate' sid='" + sid + "'", "<reason><success/></reason>"))
                    .nextResultOrThrow(SETUP.toMillis());
            assertEquals(IQ.Type.result, ack.getType());
            alice.await(line -> line.contains("terminated"), SETUP, "the gateway's BYE");
            assertBaresipHeardTheJingleParty(alice);
        }
    }

    /**
     * Spec §5.7 hold mapping: baresip's hold (a re-INVITE sendonly) reaches romeo as session-info hold, its resume
     * as active (XEP-0167 §8.1-8.2); then the SIP user hangs up (BYE): the gateway terminates the Jingle session with
     * reason success.
     */
    @Test
    void theSipUserHangsUpAndTheJingleSessionEnds_5_7() throws Exception {
        try (Baresip alice = Baresip.listenOnDefaultPortAs(work.resolve("alice"), "alice@localhost",
                Baresip.Codec.PCMU, SIP_TONE);
             JingleParty party = new JingleParty()) {
            Thread.sleep(500);
            String sid = callAlice(alice, party, "call-sip-hangs-up");
            alice.command("/hold");
            assertTrue(nextJingle("session-info").contains("<hold"), "hold");
            alice.command("/resume");
            assertTrue(nextJingle("session-info").contains("<active"), "active");
            alice.command("/hangup");
            String terminate = nextJingle("session-terminate");
            assertEquals(sid, attribute(terminate, "jingle", "sid"));
            assertTrue(terminate.contains("<success"), terminate);
            assertBaresipHeardTheJingleParty(alice);
        }
    }

    /**
     * Spec §5.7 over ICE-UDP (XEP-0176), the transport of today's clients: romeo's client offers ICE-UDP (its
     * ufrag, pwd and host candidates, XEP-0176 §5.3) from a full, controlling ice4j agent; the gateway's session-accept
     * carries its credentials and host candidate (§5.4); the agent checks that candidate and nominates the pair
     * (§5.6, RFC 8445 §7.2, §8.1.1) against the gateway's lite agent, and the tones flow over the nominated pair
     * both ways; romeo hangs up.
     */
    @Test
    void anXmppUsersIceUdpCallIsConnectedByTheClientsIceAgent_XEP0176_5_6() throws Exception {
        Agent agent = new Agent();
        agent.setControlling(true);
        try (Baresip alice = Baresip.listenOnDefaultPortAs(work.resolve("alice"), "alice@localhost",
                Baresip.Codec.PCMU, SIP_TONE)) {
            IceMediaStream stream = agent.createMediaStream("audio");
            Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
            String candidates = candidates(component);
            String offer = "<content creator='initiator' name='voice' senders='both'>"
                    + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                    + "<payload-type id='0' name='PCMU' clockrate='8000' channels='1'/><rtcp-mux/></description>"
                    + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='" + agent.getLocalUfrag()
                    + "' pwd='" + agent.getLocalPassword() + "'>" + candidates + "</transport></content>";
            Thread.sleep(500); // let baresip bind its port
            String sid = "call-over-ice";
            String accept = initiateAndAwaitAccept(sid, offer);
            assertTrue(accept.contains(" ufrag="), "XEP-0176 §5.4: the answer's transport has our ufrag: " + accept);
            alice.await(line -> line.contains("Call established"), SETUP, "the gateway's call");
            TransportAddress selected = connect(agent, stream, component, accept);
            try (JingleParty party = new JingleParty(component.getSocket())) {
                party.sendTo(new InetSocketAddress(selected.getAddress(), selected.getPort()));
                assertTheJinglePartyHearsBaresip(party);
                awaitFourSecondsSent(party);
                romeo.createStanzaCollectorAndSend(new JingleIq("alice@localhost/jingle",
                        "action='session-terminate' sid='" + sid + "'", "<reason><success/></reason>"))
                        .nextResultOrThrow(SETUP.toMillis());
                alice.await(line -> line.contains("terminated"), SETUP, "the gateway's BYE");
            }
            assertBaresipHeardTheJingleParty(alice);
        } finally {
            agent.free();
        }
    }

    /** The IPv4 host candidates of an ice4j agent's component as XEP-0176 §5.3 candidate elements. */
    private static String candidates(Component component) {
        StringBuilder candidates = new StringBuilder();
        int n = 0;
        for (LocalCandidate c : component.getLocalCandidates()) {
            TransportAddress address = c.getTransportAddress();
            if (!address.isIPv6()) {
                candidates.append("<candidate component='1' foundation='").append(c.getFoundation())
                        .append("' generation='0' id='ice").append(++n).append("' ip='")
                        .append(address.getHostAddress()).append("' network='0' port='").append(address.getPort())
                        .append("' priority='").append(c.getPriority()).append("' protocol='udp' type='host'/>");
            }
        }
        return candidates.toString();
    }

    /**
     * Runs the agent's ICE towards the gateway's credentials and (first, component 1) candidate in {@code jingle}
     * until a pair is selected (XEP-0176 §5.6); returns the gateway's address of that pair.
     */
    private static TransportAddress connect(Agent agent, IceMediaStream stream, Component component, String jingle)
            throws InterruptedException {
        stream.setRemoteUfrag(attribute(jingle, "transport", "ufrag"));
        stream.setRemotePassword(attribute(jingle, "transport", "pwd"));
        component.addRemoteCandidate(new RemoteCandidate(new TransportAddress(attribute(jingle, "candidate", "ip"),
                Integer.parseInt(attribute(jingle, "candidate", "port")), Transport.UDP), component,
                CandidateType.HOST_CANDIDATE, attribute(jingle, "candidate", "foundation"),
                Long.parseLong(attribute(jingle, "candidate", "priority")), null));
        agent.startConnectivityEstablishment();
        long deadline = System.nanoTime() + SETUP.toNanos();
        while (agent.getState() != IceProcessingState.COMPLETED && agent.getState() != IceProcessingState.TERMINATED) {
            assertTrue(agent.getState() != IceProcessingState.FAILED && System.nanoTime() < deadline,
                    "ICE " + agent.getState());
            Thread.sleep(10);
        }
        LOG.info("ICE selected " + component.getSelectedPair());
        return component.getSelectedPair().getRemoteCandidate().getTransportAddress();
    }

    /**
     * Waits until the party sent 4 s of its tone: an ICE agent's socket keeps what arrives from the first check on,
     * so the party may have heard 4 s before it sent as much.
     */
    private static void awaitFourSecondsSent(JingleParty party) throws InterruptedException {
        long deadline = System.nanoTime() + SETUP.toNanos();
        while (party.secondsSent() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /**
     * Spec §5.7 SIP → XMPP over ICE-UDP: romeo's client lists ICE-UDP (XEP-0176 §7.1), so alice's call reaches it as
     * an ICE-UDP offer with the gateway's credentials and host candidates (§5.3); romeo accepts with its own from a
     * full ice4j agent, which, as the answerer, is the controlled agent: its check of the gateway's candidate passes
     * and the gateway nominates that pair (RFC 8445 §8.1.1); the tones flow both ways over it; alice hangs up.
     */
    @Test
    void aSipUsersCallReachesAnIceUdpClientAndTheGatewayNominates_XEP0176_5_6() throws Exception {
        ServiceDiscoveryManager disco = ServiceDiscoveryManager.getInstanceFor(romeo);
        disco.addFeature("urn:xmpp:jingle:transports:ice-udp:1");
        Agent agent = new Agent();
        agent.setControlling(false);
        try {
            romeo.sendStanza(StanzaBuilder.buildPresence().to(JidCreate.bareFrom("alice@localhost")).build());
            disco.discoverInfo(JidCreate.bareFrom("alice@localhost"));
            try (Baresip alice = Baresip.dialAs(work.resolve("alice"), "alice@localhost", Baresip.Codec.PCMU,
                    SIP_TONE, "sip:romeo@" + Prosody.DOMAIN, Sipp.SERVER + ":" + Sipp.SIP_PORT)) {
                String initiate = nextJingle("session-initiate");
                LOG.info("session-initiate: " + initiate);
                assertTrue(initiate.contains(" ufrag="), "XEP-0176 §5.3: our offer has our ufrag: " + initiate);
                String sid = attribute(initiate, "jingle", "sid");
                String caller = attribute(initiate, "jingle", "initiator");
                IceMediaStream stream = agent.createMediaStream("audio");
                Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
                String answer = "<content creator='initiator' name='" + attribute(initiate, "content", "name")
                        + "' senders='both'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                        + "<payload-type id='0' name='PCMU' clockrate='8000' channels='1'/><rtcp-mux/></description>"
                        + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='" + agent.getLocalUfrag()
                        + "' pwd='" + agent.getLocalPassword() + "'>" + candidates(component) + "</transport></content>";
                IQ ack = romeo.createStanzaCollectorAndSend(new JingleIq(caller, "action='session-accept' responder='"
                        + romeo.getUser() + "' sid='" + sid + "'", answer)).nextResultOrThrow(SETUP.toMillis());
                assertEquals(IQ.Type.result, ack.getType());
                alice.await(line -> line.contains("Call established"), SETUP, "the answer");
                TransportAddress selected = connect(agent, stream, component, initiate);
                try (JingleParty party = new JingleParty(component.getSocket())) {
                    party.sendTo(new InetSocketAddress(selected.getAddress(), selected.getPort()));
                    assertTheJinglePartyHearsBaresip(party);
                    awaitFourSecondsSent(party);
                    alice.command("/hangup");
                    String terminate = nextJingle("session-terminate");
                    assertEquals(sid, attribute(terminate, "jingle", "sid"));
                }
                assertBaresipHeardTheJingleParty(alice);
            }
        } finally {
            disco.removeFeature("urn:xmpp:jingle:transports:ice-udp:1");
            agent.free();
        }
    }

    /** The fingerprint of a party's {@code <fingerprint/>} (XEP-0320 §1) in {@code jingle}, with its hash function. */
    private static Fingerprint fingerprint(String jingle) throws Exception {
        Matcher m = Pattern.compile("<fingerprint\\b[^>]*>\\s*([0-9A-Fa-f:]+)\\s*</fingerprint>").matcher(jingle);
        assertTrue(m.find(), () -> "XEP-0320 §1: no fingerprint in " + jingle);
        return Fingerprint.of(attribute(jingle, "fingerprint", "hash"), m.group(1));
    }

    /** Romeo's fingerprint element (XEP-0320 §1) for its DTLS client's certificate with {@code setup}. */
    private static String fingerprintXml(DtlsTestClient client, String setup) {
        return "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='" + setup + "'>"
                + client.fingerprint().hexPairs() + "</fingerprint>";
    }

    /**
     * XEP-0320, XMPP → SIP, as Conversations and Dino call: romeo's ICE-UDP offer carries its DTLS fingerprint with
     * setup actpass; the gateway's session-accept carries its own with setup passive (RFC 8842 §5.3: we are the
     * DTLS server); after ICE, romeo's DTLS client (BouncyCastle, its own key slicing) completes the handshake
     * against that fingerprint (RFC 5763 §5) over the selected pair, and the tones flow both ways as SRTP with the
     * exported keys (RFC 5764 §4.2), plain RTP on the SIP leg.
     */
    @Test
    void anXmppUsersDtlsSrtpCallIsKeyedByTheHandshake_XEP0320() throws Exception {
        Agent agent = new Agent();
        agent.setControlling(true);
        DtlsTestClient client = new DtlsTestClient();
        try (Baresip alice = Baresip.listenOnDefaultPortAs(work.resolve("alice"), "alice@localhost",
                Baresip.Codec.PCMU, SIP_TONE)) {
            IceMediaStream stream = agent.createMediaStream("audio");
            Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
            String offer = "<content creator='initiator' name='voice' senders='both'>"
                    + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                    + "<payload-type id='0' name='PCMU' clockrate='8000' channels='1'/><rtcp-mux/></description>"
                    + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='" + agent.getLocalUfrag()
                    + "' pwd='" + agent.getLocalPassword() + "'>" + fingerprintXml(client, "actpass")
                    + candidates(component) + "</transport></content>";
            Thread.sleep(500); // let baresip bind its port
            String sid = "call-over-dtls";
            String accept = initiateAndAwaitAccept(sid, offer);
            assertEquals("passive", attribute(accept, "fingerprint", "setup"), "RFC 8842 §5.3: we are the server");
            Fingerprint gateway = fingerprint(accept);
            alice.await(line -> line.contains("Call established"), SETUP, "the gateway's call");
            TransportAddress selected = connect(agent, stream, component, accept);
            InetSocketAddress pair = new InetSocketAddress(selected.getAddress(), selected.getPort());
            DtlsTestClient.Srtp srtp = client.handshake(component.getSocket(), pair, gateway);
            try (JingleParty party = new JingleParty(component.getSocket(), srtp)) {
                party.sendTo(pair);
                assertTheJinglePartyHearsBaresip(party);
                awaitFourSecondsSent(party);
                romeo.createStanzaCollectorAndSend(new JingleIq("alice@localhost/jingle",
                        "action='session-terminate' sid='" + sid + "'", "<reason><success/></reason>"))
                        .nextResultOrThrow(SETUP.toMillis());
                alice.await(line -> line.contains("terminated"), SETUP, "the gateway's BYE");
            }
            assertBaresipHeardTheJingleParty(alice);
        } finally {
            agent.free();
        }
    }

    /**
     * XEP-0320, SIP → XMPP: alice's call reaches romeo's ICE-UDP client as an offer with the gateway's fingerprint
     * and setup actpass (RFC 8842 §5.3); romeo accepts with its own fingerprint and setup active (the DTLS client,
     * RFC 5763 §5's recommended answer), so the gateway is the server; after ICE (the gateway nominating) romeo's
     * handshake succeeds against the offer's fingerprint and the tones flow both ways as SRTP; alice hangs up.
     */
    @Test
    void aSipUsersCallToADtlsClientIsKeyedByTheHandshake_XEP0320() throws Exception {
        ServiceDiscoveryManager disco = ServiceDiscoveryManager.getInstanceFor(romeo);
        disco.addFeature("urn:xmpp:jingle:transports:ice-udp:1");
        disco.addFeature("urn:xmpp:jingle:apps:dtls:0");
        Agent agent = new Agent();
        agent.setControlling(false);
        DtlsTestClient client = new DtlsTestClient();
        try {
            romeo.sendStanza(StanzaBuilder.buildPresence().to(JidCreate.bareFrom("alice@localhost")).build());
            assertTrue(disco.discoverInfo(JidCreate.bareFrom("alice@localhost")).containsFeature(
                    "urn:xmpp:jingle:apps:dtls:0"), "XEP-0320 §2: our users advertise DTLS-SRTP");
            try (Baresip alice = Baresip.dialAs(work.resolve("alice"), "alice@localhost", Baresip.Codec.PCMU,
                    SIP_TONE, "sip:romeo@" + Prosody.DOMAIN, Sipp.SERVER + ":" + Sipp.SIP_PORT)) {
                String initiate = nextJingle("session-initiate");
                LOG.info("session-initiate: " + initiate);
                assertEquals("actpass", attribute(initiate, "fingerprint", "setup"));
                Fingerprint gateway = fingerprint(initiate);
                String sid = attribute(initiate, "jingle", "sid");
                String caller = attribute(initiate, "jingle", "initiator");
                IceMediaStream stream = agent.createMediaStream("audio");
                Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
                String answer = "<content creator='initiator' name='" + attribute(initiate, "content", "name")
                        + "' senders='both'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                        + "<payload-type id='0' name='PCMU' clockrate='8000' channels='1'/><rtcp-mux/></description>"
                        + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='" + agent.getLocalUfrag()
                        + "' pwd='" + agent.getLocalPassword() + "'>" + fingerprintXml(client, "active")
                        + candidates(component) + "</transport></content>";
                romeo.createStanzaCollectorAndSend(new JingleIq(caller, "action='session-accept' responder='"
                        + romeo.getUser() + "' sid='" + sid + "'", answer)).nextResultOrThrow(SETUP.toMillis());
                alice.await(line -> line.contains("Call established"), SETUP, "the answer");
                TransportAddress selected = connect(agent, stream, component, initiate);
                InetSocketAddress pair = new InetSocketAddress(selected.getAddress(), selected.getPort());
                DtlsTestClient.Srtp srtp = client.handshake(component.getSocket(), pair, gateway);
                try (JingleParty party = new JingleParty(component.getSocket(), srtp)) {
                    party.sendTo(pair);
                    assertTheJinglePartyHearsBaresip(party);
                    awaitFourSecondsSent(party);
                    alice.command("/hangup");
                    assertEquals(sid, attribute(nextJingle("session-terminate"), "jingle", "sid"));
                }
                assertBaresipHeardTheJingleParty(alice);
            }
        } finally {
            disco.removeFeature("urn:xmpp:jingle:transports:ice-udp:1");
            disco.removeFeature("urn:xmpp:jingle:apps:dtls:0");
            agent.free();
        }
    }
}
