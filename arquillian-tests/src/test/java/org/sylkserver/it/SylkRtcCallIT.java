package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * sylkRTC calls (spec §4.5.3-4.5.7) end to end: a plain WebSocket client as the browser (its SDP a real WebRTC
 * offer's shape) and sipp as the SIP party, the gateway a B2BUA between them. Needs the WebRTC media bridge.
 */
@ExtendWith(ArquillianExtension.class)
class SylkRtcCallIT {

    private static final int PEER_PORT;

    static {
        try {
            PEER_PORT = Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A browser offer as Chrome makes it (audio only, one host candidate), JSON-escaped. */
    static final String BROWSER_OFFER = String.join("\\r\\n", "v=0",
            "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
            "a=msid-semantic: WMS", "m=audio 9 UDP/TLS/RTP/SAVPF 111 0", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
            "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
            "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
            "a=rtpmap:0 PCMU/8000", "") ;

    /** Outgoing calls go to the sipp peer as the outbound proxy. */
    @Deployment(testable = false)
    static EnterpriseArchive gateway() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PEER_PORT
                + ";transport=udp\nsip_domains = example.com\n[Janus]\ndecline_code = 603\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    private static SylkRtcClient aliceClient() throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"t0\",\"account\":\"alice@example.com\","
                + "\"password\":\"6a1c2f0e8d6f3c5b0a9e1d2c3b4a5f60\",\"display_name\":\"Alice\"}");
        assertEquals(ack("t0"), client.next());
        return client;
    }

    /** A client whose account alice@example.com has the HA1 of password "secret" in realm example.com. */
    private static SylkRtcClient aliceClientWithSecret() throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        String ha1 = md5("alice:example.com:secret");
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"t0\",\"account\":\"alice@example.com\","
                + "\"password\":\"" + ha1 + "\"}");
        assertEquals(ack("t0"), client.next());
        return client;
    }

    /** Alice (password "secret") calls bob; progress, ringing and accepted come as for any outgoing call. */
    private static SylkRtcClient acceptedCallWithSecret() throws Exception {
        SylkRtcClient client = aliceClientWithSecret();
        client.send(create("t1", "s1", "alice@example.com", BROWSER_OFFER));
        assertEquals(state("s1", "progress") + "}", client.next());
        assertEquals(ack("t1"), client.next());
        assertEquals(state("s1", "ringing") + "}", client.next(Duration.ofSeconds(10)));
        expectStart(client, state("s1", "accepted") + ",\"sdp\":\"v=0");
        return client;
    }

    /** The client hangs up session s1 with request {@code transaction}: terminated by the BYE's 200. */
    private static void hangUp(SylkRtcClient client, String transaction) throws Exception {
        client.send("{\"sylkrtc\":\"session-terminate\",\"transaction\":\"" + transaction + "\",\"session\":\"s1\"}");
        assertEquals(state("s1", "terminated") + ",\"reason\":\"200 OK\"}", client.next());
        assertEquals(ack(transaction), client.next());
    }

    static String ack(String transaction) {
        return "{\"sylkrtc\":\"ack\",\"transaction\":\"" + transaction + "\"}";
    }

    static String state(String session, String state) {
        return "{\"sylkrtc\":\"session-event\",\"session\":\"" + session + "\",\"event\":\"state\",\"state\":\""
                + state + "\"";
    }

    private static String create(String transaction, String session, String account, String sdp) {
        return "{\"sylkrtc\":\"session-create\",\"transaction\":\"" + transaction + "\",\"account\":\"" + account
                + "\",\"session\":\"" + session + "\",\"uri\":\"bob@example.org\",\"sdp\":\"" + sdp + "\"}";
    }

    private static void expectStart(SylkRtcClient client, String prefix) throws InterruptedException {
        String frame = client.next(Duration.ofSeconds(10));
        assertTrue(frame != null && frame.startsWith(prefix), "expected " + prefix + "... but got " + frame);
    }

    /**
     * spec §4.5.3, §4.5.5, §4.5.6: an outgoing call answered by sipp with SDP (progress, ringing, accepted with the
     * browser's answer), a trickled candidate, two DTMF digits in one request that reach sipp as one INFO each
     * ({@code Signal=5}, {@code Signal=#}), a re-INVITE for session-update, and the client's hang-up as a BYE.
     */
    @Test
    void outgoingCallWithDtmfReInviteAndLocalHangUp_spec_4_5_3() throws Exception {
        Sipp.Running bob = Sipp.scenario(work, uas(false)).waitingForRequests().localPort(PEER_PORT).start();
        SylkRtcClient client = aliceClient();
        client.send(create("t1", "s1", "alice@example.com", BROWSER_OFFER));
        assertEquals(state("s1", "progress") + "}", client.next());
        assertEquals(ack("t1"), client.next());
        client.send("{\"sylkrtc\":\"session-trickle\",\"transaction\":\"t2\",\"session\":\"s1\",\"candidates\":"
                + "[{\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\",\"sdpMLineIndex\":0,"
                + "\"sdpMid\":\"0\"},{\"candidate\":\"\",\"sdpMLineIndex\":0,\"sdpMid\":\"0\"}]}");
        // the 180 may come before or after the trickle's ack: both orders are right
        assertEquals(Set.of(ack("t2"), state("s1", "ringing") + "}"),
                Set.of(client.next(Duration.ofSeconds(10)), client.next(Duration.ofSeconds(10))));
        expectStart(client, state("s1", "accepted") + ",\"sdp\":\"v=0");
        // no established: that is the browser's ICE and DTLS coming up, which this WebSocket-only client never does
        // sylkrtc.js sends every tone of sendDtmf(tones) in one request: one INFO per digit (issue 11)
        client.send("{\"sylkrtc\":\"session-dtmf-info\",\"transaction\":\"t3\",\"session\":\"s1\","
                + "\"digit\":\"5#\"}");
        assertEquals(ack("t3"), client.next());
        client.send("{\"sylkrtc\":\"session-update\",\"transaction\":\"t4\",\"session\":\"s1\",\"sdp\":\""
                + BROWSER_OFFER.replace("o=- 4611731400430051336 2", "o=- 4611731400430051336 3") + "\"}");
        assertEquals(ack("t4"), client.next());
        expectStart(client, "{\"sylkrtc\":\"session-event\",\"session\":\"s1\",\"event\":\"update\",\"state\":\"accepted\"");
        client.send("{\"sylkrtc\":\"session-terminate\",\"transaction\":\"t5\",\"session\":\"s1\"}");
        assertEquals(state("s1", "terminated") + ",\"reason\":\"200 OK\"}", client.next());
        assertEquals(ack("t5"), client.next());
        Sipp.Result result = bob.await();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.messages().contains("From: \"Alice\" <sip:alice@example.com>"), result::toString);
        client.close();
    }

    /**
     * RFC 3261 §22.2: the far end challenges the INVITE, the DTMF INFO and the BYE (401; sipp verifies only an
     * Authorization header, so no 407 here); each goes once more with credentials made from the account's HA1.
     */
    @Test
    void challengedRequestsGoAgainWithCredentials_rfc3261_s22() throws Exception {
        Sipp.Running bob = Sipp.scenario(work, challengingUas()).waitingForRequests().localPort(PEER_PORT).start();
        SylkRtcClient client = acceptedCallWithSecret();
        client.send("{\"sylkrtc\":\"session-dtmf-info\",\"transaction\":\"t2\",\"session\":\"s1\",\"digit\":\"7\"}");
        assertEquals(ack("t2"), client.next());
        Thread.sleep(500);
        hangUp(client, "t3");
        Sipp.Result result = bob.await();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.messages().contains("Authorization: Digest username=\"alice\""), result::toString);
        client.close();
    }

    /**
     * RFC 3261 §22.3: a proxy's 407 to the INVITE is answered with Proxy-Authorization; sipp cannot verify that
     * header, so the test checks the digest response itself (RFC 2617 §3.2.2, qop=auth) from what sipp received.
     */
    @Test
    void aProxyChallengeIsAnsweredWithProxyAuthorization_rfc3261_s22_3() throws Exception {
        Sipp.Running bob = Sipp.scenario(work, proxyChallengedUas()).waitingForRequests().localPort(PEER_PORT).start();
        SylkRtcClient client = acceptedCallWithSecret();
        hangUp(client, "t2");
        Sipp.Result result = bob.await();
        assertEquals(0, result.exitCode(), result::toString);
        Matcher header = Pattern.compile("Proxy-Authorization: Digest (.*)").matcher(result.messages());
        assertTrue(header.find(), result::toString);
        java.util.Map<String, String> digest = new java.util.HashMap<>();
        Matcher parameter = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]+))").matcher(header.group(1));
        while (parameter.find()) {
            digest.put(parameter.group(1), parameter.group(2) != null ? parameter.group(2) : parameter.group(3));
        }
        String ha1 = md5("alice:example.com:secret");
        String ha2 = md5("INVITE:" + digest.get("uri"));
        String expected = md5(ha1 + ":" + digest.get("nonce") + ":" + digest.get("nc") + ":" + digest.get("cnonce")
                + ":auth:" + ha2);
        assertEquals("alice", digest.get("username"), header.group());
        assertEquals("example.com", digest.get("realm"), header.group());
        assertEquals(expected, digest.get("response"), header.group());
        client.close();
    }

    static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** spec §4.5.3: the callee hangs up (BYE from the SIP side): terminated. */
    @Test
    void outgoingCallEndedByTheCallee_spec_4_5_3() throws Exception {
        Sipp.Running bob = Sipp.scenario(work, uas(true)).waitingForRequests().localPort(PEER_PORT).start();
        SylkRtcClient client = aliceClient();
        client.send(create("t1", "s1", "alice@example.com", BROWSER_OFFER));
        assertEquals(state("s1", "progress") + "}", client.next());
        assertEquals(ack("t1"), client.next());
        assertEquals(state("s1", "ringing") + "}", client.next(Duration.ofSeconds(10)));
        expectStart(client, state("s1", "accepted"));
        assertEquals(state("s1", "terminated") + ",\"reason\":\"200 OK\"}", client.next(Duration.ofSeconds(10)));
        Sipp.Result result = bob.await();
        assertEquals(0, result.exitCode(), result::toString);
        client.close();
    }

    /** The Contact the gateway registered, as the SIP trace in the server log shows it. */
    private static final Pattern CONTACT = Pattern.compile("Contact: <sip:(sylkrtc-alice-[0-9a-f]+)@127\\.0\\.0\\.1:15060");

    /**
     * Alice (password "secret") registered through the gateway with a sipp registrar at the outbound proxy's address
     * (spec §4.5.2), which then waits for the removal of the binding.
     */
    private Sipp.Running registeredAlice(SylkRtcClient client) throws Exception {
        Sipp.Running registrar = Sipp.scenario(work.resolve("registrar"), Scenarios.registrar("alice", "secret", true))
                .waitingForRequests().localPort(PEER_PORT).start();
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"r1\",\"account\":\"alice@example.com\"}");
        assertEquals(ack("r1"), client.next());
        assertEquals(registrationState("registering"), client.next());
        assertEquals(registrationState("registered"), client.next(Duration.ofSeconds(10)));
        return registrar;
    }

    private static String registrationState(String state) {
        return "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"registration-state\","
                + "\"state\":\"" + state + "\"}";
    }

    /** Unregisters alice; the registrar stand-in checks the removal and ends. */
    private static void unregister(SylkRtcClient client, Sipp.Running registrar) throws Exception {
        client.send("{\"sylkrtc\":\"account-unregister\",\"transaction\":\"r2\",\"account\":\"alice@example.com\"}");
        assertEquals(ack("r2"), client.next());
        Sipp.Result result = registrar.await();
        assertEquals(0, result.exitCode(), result::toString);
    }

    private static String registeredContact() throws Exception {
        Matcher contact = CONTACT.matcher(ServerLogs.await("Contact: <sip:sylkrtc-alice-", Duration.ofSeconds(10)));
        assertTrue(contact.find(), "the REGISTER's Contact");
        return contact.group(1) + "@127.0.0.1:15060";
    }

    /**
     * spec §4.5.4: sipp calls the Contact the gateway registered for the account; the client gets incoming-session
     * (session id = MD5 of the Call-ID as a UUID), answers, sees accepted, and terminated when sipp hangs up
     * (established needs real WebRTC media: see BrowserCallIT).
     *
     * <p>Issue 11, the hijack: a second connection adds the same account with a wrong password; it must not see the
     * call. A call that names the account only in its To (no registered Contact) reaches nobody: 480.
     */
    @Test
    void incomingCallReachesOnlyTheConnectionThatRegistered_spec_4_5_4() throws Exception {
        SylkRtcClient client = aliceClientWithSecret();
        SylkRtcClient intruder = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", intruder.next());
        intruder.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"i0\",\"account\":\"alice@example.com\","
                + "\"password\":\"" + md5("alice:example.com:guessed") + "\"}");
        assertEquals(ack("i0"), intruder.next());
        Sipp.Running registrar = registeredAlice(client);
        Sipp.Result byTo = Sipp.scenario(work.resolve("by-to"), refusedCall("alice@example.com", 480)).run();
        assertEquals(0, byTo.exitCode(), byTo::toString);
        Sipp.Running bob = Sipp.scenario(work.resolve("bob"), uac(registeredContact(), "alice@example.com")).start();
        String incoming = client.next(Duration.ofSeconds(10));
        assertTrue(incoming.startsWith("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\","
                + "\"event\":\"incoming-session\""), incoming);
        Matcher session = Pattern.compile("\"session\":\"([0-9a-f-]{36})\"").matcher(incoming);
        assertTrue(session.find(), incoming);
        String id = session.group(1);
        client.send("{\"sylkrtc\":\"session-answer\",\"transaction\":\"t1\",\"session\":\"" + id + "\",\"sdp\":\""
                + BROWSER_OFFER.replace("a=setup:actpass", "a=setup:active") + "\"}");
        assertEquals(state(id, "accepted") + "}", client.next());
        assertEquals(ack("t1"), client.next());
        assertEquals(state(id, "terminated") + ",\"reason\":\"200 OK\"}", client.next(Duration.ofSeconds(10)));
        Sipp.Result result = bob.await();
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(null, intruder.next(Duration.ofMillis(500)), "the intruder saw alice's call");
        unregister(client, registrar);
        intruder.close();
        client.close();
    }

    /** spec §4.4 error texts: unknown account, an SDP that is none, an unknown session. */
    @Test
    void requestErrors_spec_4_4() throws Exception {
        SylkRtcClient client = aliceClient();
        client.send(create("t1", "s1", "carol@example.com", BROWSER_OFFER));
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"t1\",\"error\":\"Unknown account specified: "
                + "carol@example.com\"}", client.next());
        client.send(create("t2", "s2", "alice@example.com", "this is no SDP"));
        expectStart(client, "{\"sylkrtc\":\"error\",\"transaction\":\"t2\",\"error\":\"");
        client.send("{\"sylkrtc\":\"session-terminate\",\"transaction\":\"t3\",\"session\":\"nope\"}");
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"t3\",\"error\":\"Unknown session nope\"}", client.next());
        client.close();
    }

    private static final String OK_WITH_SDP = """
              <send><![CDATA[

            SIP/2.0 200 OK
            [last_Via:]
            [last_From:]
            [last_To:];tag=[pid]bob[call_number]
            [last_Call-ID:]
            [last_CSeq:]
            Contact: <sip:bob@[local_ip]:[local_port];transport=[transport]>
            Content-Type: application/sdp
            Content-Length: [len]

            v=0
            o=bob 1 %d IN IP4 [local_ip]
            s=-
            c=IN IP4 [local_ip]
            t=0 0
            m=audio [media_port] RTP/AVP 0
            a=rtpmap:0 PCMU/8000
            a=sendrecv

              ]]></send>
            """;

    private static final String OK = Scenarios.OK_TO_LAST_REQUEST;

    /**
     * 180, a moment of ringing (UDP does not keep a 180 sent right before the 200 in order, and the gateway rightly
     * drops a 180 that arrives after the 200), 200 with SDP, then the ACK.
     */
    private static final String RINGING_THEN_ANSWER = """
              <send><![CDATA[

            SIP/2.0 180 Ringing
            [last_Via:]
            [last_From:]
            [last_To:];tag=[pid]bob[call_number]
            [last_Call-ID:]
            [last_CSeq:]
            Contact: <sip:bob@[local_ip]:[local_port];transport=[transport]>
            Content-Length: 0

              ]]></send>
              <pause milliseconds="300"/>
            """ + OK_WITH_SDP.formatted(1) + "  <recv request=\"ACK\"/>\n";

    /**
     * Bob's phone (RFC 3261 UAS): 180, a moment of ringing (UDP does not keep a 180 sent right before the 200 in
     * order, and the gateway rightly drops a 180 that arrives after the 200), 200 with SDP, the ACK, an INFO {@code Signal=5} (application/dtmf-relay)
     * answered 200, a re-INVITE answered with SDP and its ACK; then either the gateway's BYE or, with
     * {@code byeFromBob}, a BYE of its own right after the first ACK.
     */
    private static String uas(boolean byeFromBob) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"bob\">\n");
        xml.append("""
                  <recv request="INVITE">
                    <action>
                      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="caller"/>
                      <ereg regexp="&lt;(sip:[^&gt;]*)&gt;" search_in="hdr" header="Contact:" assign_to="contactLine,contact"/>
                    </action>
                  </recv>
                  <Reference variables="caller,contactLine,contact"/>
                """).append(RINGING_THEN_ANSWER);
        if (byeFromBob) {
            xml.append("""
                      <send retrans="500"><![CDATA[

                    BYE [$contact] SIP/2.0
                    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                    From: <sip:bob@example.org>;tag=[pid]bob[call_number]
                    To: [$caller]
                    Call-ID: [call_id]
                    CSeq: 1 BYE
                    Max-Forwards: 70
                    Content-Length: 0

                      ]]></send>
                      <recv response="200"/>
                    """);
        } else {
            xml.append("""
                      <recv request="INFO">
                        <action>
                          <ereg regexp="Signal=5" search_in="body" check_it="true" assign_to="signal"/>
                          <ereg regexp="application/dtmf-relay" search_in="hdr" header="Content-Type:" check_it="true" assign_to="type"/>
                        </action>
                      </recv>
                      <Reference variables="signal,type"/>
                    """).append(OK)
                    .append("""
                      <recv request="INFO">
                        <action>
                          <ereg regexp="Signal=#" search_in="body" check_it="true" assign_to="second"/>
                        </action>
                      </recv>
                      <Reference variables="second"/>
                    """).append(OK)
                    .append("  <recv request=\"INVITE\"/>\n").append(OK_WITH_SDP.formatted(2))
                    .append("  <recv request=\"ACK\"/>\n  <recv request=\"BYE\"/>\n").append(OK);
        }
        return xml.append("</scenario>\n").toString();
    }

    /** A digest challenge: status, reason, To tag parameter (or nothing), header name. */
    private static final String CHALLENGE = """
              <send><![CDATA[

            SIP/2.0 %1$d %2$s
            [last_Via:]
            [last_From:]
            [last_To:]%3$s
            [last_Call-ID:]
            [last_CSeq:]
            %4$s: Digest realm="example.com", nonce="[pid]n[call_number]%1$d", qop="auth", algorithm=MD5
            Content-Length: 0

              ]]></send>
            """;

    /** Bob behind a proxy: 407 to the INVITE, then its retry answered (180, 200), and the BYE answered. */
    private static String proxyChallengedUas() {
        return "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"bob\">\n"
                + "  <recv request=\"INVITE\"/>\n"
                + CHALLENGE.formatted(407, "Proxy Authentication Required", ";tag=[pid]bob[call_number]",
                        "Proxy-Authenticate")
                + "  <recv request=\"ACK\"/>\n  <recv request=\"INVITE\"/>\n" + RINGING_THEN_ANSWER
                + "  <recv request=\"BYE\"/>\n" + OK + "</scenario>\n";
    }

    /**
     * Bob wants credentials: 401 to the INVITE, then (its retry verified) 180 and 200 with SDP;
     * 401 to the INFO and to the BYE, each accepted once it comes again with valid credentials. A request whose
     * credentials do not verify leads to a step that never completes, so sipp fails.
     */
    private static String challengingUas() {
        String verified = """
                  <recv request="%1$s">
                    <action><verifyauth assign_to="%2$s" username="alice" password="secret"/></action>
                  </recv>
                  <nop hide="true" test="%2$s" next="%2$s_verified"/>
                  <nop hide="true" next="refused"/>
                  <label id="%2$s_verified"/>
                """;
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"bob\">\n");
        xml.append("  <recv request=\"INVITE\"/>\n")
                .append(CHALLENGE.formatted(401, "Unauthorized", ";tag=[pid]bob[call_number]", "WWW-Authenticate"))
                .append("  <recv request=\"ACK\"/>\n")
                .append(verified.formatted("INVITE", "invite"))
                .append(RINGING_THEN_ANSWER)
                .append("  <recv request=\"INFO\"/>\n")
                .append(CHALLENGE.formatted(401, "Unauthorized", "", "WWW-Authenticate"))
                .append(verified.formatted("INFO", "info")).append(OK)
                .append("  <recv request=\"BYE\"/>\n")
                .append(CHALLENGE.formatted(401, "Unauthorized", "", "WWW-Authenticate"))
                .append(verified.formatted("BYE", "bye")).append(OK)
                .append("  <nop hide=\"true\" next=\"end\"/>\n")
                .append("  <label id=\"refused\"/>\n  <recv request=\"NOTIFY\"/>\n")
                .append("  <label id=\"end\"/>\n");
        return xml.append("</scenario>\n").toString();
    }

    /**
     * A caller (RFC 3261 UAC) calling {@code target} at the gateway, To {@code aor}, with an audio offer, hanging up
     * once answered.
     */
    private static String uac(String target, String aor) {
        return """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="caller">
                  <send retrans="500"><![CDATA[

                INVITE sip:%1$s SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bob" <sip:bob@example.org>;tag=[call_number]
                To: <sip:%2$s>
                Call-ID: [call_id]
                CSeq: 1 INVITE
                Contact: <sip:bob@[local_ip]:[local_port];transport=[transport]>
                Max-Forwards: 70
                Content-Type: application/sdp
                Content-Length: [len]

                v=0
                o=bob 1 1 IN IP4 [local_ip]
                s=-
                c=IN IP4 [local_ip]
                t=0 0
                m=audio [media_port] RTP/AVP 0
                a=rtpmap:0 PCMU/8000
                a=sendrecv

                  ]]></send>
                  <recv response="100" optional="true"/>
                  <recv response="180"/>
                  <recv response="200"/>
                  <send><![CDATA[

                ACK sip:%1$s SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bob" <sip:bob@example.org>;tag=[call_number]
                To: <sip:%2$s>[peer_tag_param]
                Call-ID: [call_id]
                CSeq: 1 ACK
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                  <pause milliseconds="500"/>
                  <send retrans="500"><![CDATA[

                BYE sip:%1$s SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bob" <sip:bob@example.org>;tag=[call_number]
                To: <sip:%2$s>[peer_tag_param]
                Call-ID: [call_id]
                CSeq: 2 BYE
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                  <recv response="200"/>
                </scenario>
                """.formatted(target, aor);
    }

    /** A call to {@code aor} at the gateway (routed there by X-Sylk-App) that must be refused with {@code status}. */
    private static String refusedCall(String aor, int status) {
        return """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="caller">
                  <send retrans="500"><![CDATA[

                INVITE sip:%1$s SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bob" <sip:bob@example.org>;tag=[call_number]
                To: <sip:%1$s>
                Call-ID: [call_id]
                CSeq: 1 INVITE
                X-Sylk-App: webrtcgateway
                Contact: <sip:bob@[local_ip]:[local_port];transport=[transport]>
                Max-Forwards: 70
                Content-Type: application/sdp
                Content-Length: [len]

                v=0
                o=bob 1 1 IN IP4 [local_ip]
                s=-
                c=IN IP4 [local_ip]
                t=0 0
                m=audio [media_port] RTP/AVP 0
                a=rtpmap:0 PCMU/8000

                  ]]></send>
                  <recv response="100" optional="true"/>
                  <recv response="%2$d"/>
                  <send><![CDATA[

                ACK sip:%1$s SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bob" <sip:bob@example.org>;tag=[call_number]
                To: <sip:%1$s>[peer_tag_param]
                Call-ID: [call_id]
                CSeq: 1 ACK
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                </scenario>
                """.formatted(aor, status);
    }
}
