package org.sylkserver.it;

import java.time.Duration;
import java.util.List;

/** sipp scenarios used by the end-to-end tests, written as text so each test states exactly what it sends. */
public final class Scenarios {

    private Scenarios() {
    }

    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"sylk-test\">\n";

    /** A sipp step answering the request just received (a NOTIFY, a BYE, an INFO) with a bare 200 OK. */
    static final String OK_TO_LAST_REQUEST = """
              <send><![CDATA[

            SIP/2.0 200 OK
            [last_Via:]
            [last_From:]
            [last_To:]
            [last_Call-ID:]
            [last_CSeq:]
            Content-Length: 0

              ]]></send>
            """;

    /**
     * One out-of-dialog request to {@code user@server}, expecting final response {@code status}; each of
     * {@code responseChecks} is a regular expression that must match the response (headers and body).
     */
    public static String request(String method, String user, List<String> extraHeaders, int status,
                                 String... responseChecks) {
        return request(method, user, extraHeaders, null, status, responseChecks);
    }

    /** Like {@link #request(String, String, List, int, String...)} with a body (Content-Type among the headers). */
    public static String request(String method, String user, List<String> extraHeaders, String body, int status,
                                 String... responseChecks) {
        StringBuilder xml = new StringBuilder(HEAD);
        xml.append("  <send><![CDATA[\n\n")
                .append(method).append(" sip:").append(user).append("@[remote_ip]:[remote_port] SIP/2.0\n")
                .append("Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n")
                .append("From: <sip:tester@[local_ip]:[local_port]>;tag=[call_number]\n")
                .append("To: <sip:").append(user).append("@[remote_ip]:[remote_port]>\n")
                .append("Call-ID: [call_id]\n")
                .append("CSeq: 1 ").append(method).append("\n")
                .append("Max-Forwards: 70\n")
                .append("Contact: <sip:tester@[local_ip]:[local_port];transport=[transport]>\n");
        for (String header : extraHeaders) {
            xml.append(header).append("\n");
        }
        if (body == null) {
            xml.append("Content-Length: 0\n\n  ]]></send>\n");
        } else {
            xml.append("Content-Length: [len]\n\n").append(body).append("\n  ]]></send>\n");
        }
        xml.append("  <recv response=\"100\" optional=\"true\"/>\n");
        xml.append("  <recv response=\"").append(status).append("\"");
        appendChecks(xml, "msg", responseChecks);
        xml.append("</scenario>\n");
        return xml.toString();
    }

    /**
     * An audio call: INVITE with a PCMU offer whose media is at {@code rtpPort} on the tester's side, the
     * answer's RTP port written to {@code portFile}, the call held for {@code holdMillis}, then BYE.
     */
    public static String audioCall(String user, int rtpPort, java.nio.file.Path portFile, int holdMillis) {
        return HEAD + """
                  <send retrans="500"><![CDATA[

                INVITE sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:tester@[local_ip]:[local_port]>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>
                Call-ID: [call_id]
                CSeq: 1 INVITE
                Contact: <sip:tester@[local_ip]:[local_port];transport=[transport]>
                Max-Forwards: 70
                Content-Type: application/sdp
                Content-Length: [len]

                v=0
                o=tester 1 1 IN IP4 [local_ip]
                s=-
                c=IN IP4 [local_ip]
                t=0 0
                m=audio %3$d RTP/AVP 0 101
                a=rtpmap:0 PCMU/8000
                a=rtpmap:101 telephone-event/8000
                a=fmtp:101 0-15
                a=sendrecv

                  ]]></send>
                  <recv response="100" optional="true"/>
                  <recv response="180" optional="true"/>
                  <recv response="200" rtd="true">
                    <action>
                      <ereg regexp="m=audio ([0-9]+) RTP/AVP" search_in="body" check_it="true" assign_to="mline,mport"/>
                    </action>
                  </recv>
                  <Reference variables="mline"/>
                  <nop><action><exec command="echo [$mport] > %4$s"/></action></nop>
                  <send><![CDATA[

                ACK sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:tester@[local_ip]:[local_port]>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>[peer_tag_param]
                Call-ID: [call_id]
                CSeq: 1 ACK
                Contact: <sip:tester@[local_ip]:[local_port];transport=[transport]>
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                  <pause milliseconds="%2$d"/>
                  <send retrans="500"><![CDATA[

                BYE sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:tester@[local_ip]:[local_port]>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>[peer_tag_param]
                Call-ID: [call_id]
                CSeq: 2 BYE
                Contact: <sip:tester@[local_ip]:[local_port];transport=[transport]>
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                  <recv response="200"/>
                </scenario>
                """.formatted(user, holdMillis, rtpPort, portFile);
    }

    /**
     * A call that is put on hold with a re-INVITE (RFC 3264 §8.4: {@code a=sendonly}); the answer must be
     * {@code recvonly} with the next o= version (the session id staying the same is checked by the
     * answerer's unit test), then the call is hung up.
     */
    public static String callPutOnHold(String user) {
        return callPutOnHold(user, Duration.ZERO);
    }

    /** As {@link #callPutOnHold(String)}, the call held for {@code held} (no RTP sent at all) before the BYE. */
    public static String callPutOnHold(String user, Duration held) {
        String invite = """
                  <send retrans="500"><![CDATA[

                INVITE sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:tester@[local_ip]:[local_port]>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>%%s
                Call-ID: [call_id]
                CSeq: %%d INVITE
                Contact: <sip:tester@[local_ip]:[local_port];transport=[transport]>
                Max-Forwards: 70
                Content-Type: application/sdp
                Content-Length: [len]

                v=0
                o=tester 1 %%d IN IP4 [local_ip]
                s=-
                c=IN IP4 [local_ip]
                t=0 0
                m=audio [media_port] RTP/AVP 0
                a=rtpmap:0 PCMU/8000
                a=%%s

                  ]]></send>
                """.formatted(user);
        String ack = """
                  <send><![CDATA[

                ACK sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:tester@[local_ip]:[local_port]>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>[peer_tag_param]
                Call-ID: [call_id]
                CSeq: %%d ACK
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                """.formatted(user);
        return HEAD + invite.formatted("", 1, 1, "sendrecv")
                + """
                  <recv response="100" optional="true"/>
                  <recv response="180" optional="true"/>
                  <recv response="200">
                    <action><ereg regexp="o=SylkServer ([0-9]+) 1 " search_in="body" check_it="true" assign_to="o1,session"/></action>
                  </recv>
                """
                + ack.formatted(1)
                + invite.formatted("[peer_tag_param]", 2, 2, "sendonly")
                + """
                  <recv response="100" optional="true"/>
                  <recv response="200">
                    <action>
                      <ereg regexp="a=recvonly" search_in="body" check_it="true" assign_to="direction"/>
                      <ereg regexp="o=SylkServer [0-9]+ 2 " search_in="body" check_it="true" assign_to="o2"/>
                    </action>
                  </recv>
                  <Reference variables="o1,session,direction,o2"/>
                """
                + ack.formatted(2)
                + (held.isZero() ? "" : "  <pause milliseconds=\"" + held.toMillis() + "\"/>\n")
                + """
                  <send retrans="500"><![CDATA[

                BYE sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:tester@[local_ip]:[local_port]>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>[peer_tag_param]
                Call-ID: [call_id]
                CSeq: 3 BYE
                Max-Forwards: 70
                Content-Length: 0

                  ]]></send>
                  <recv response="200"/>
                </scenario>
                """.formatted(user);
    }

    /**
     * A SIP MESSAGE to {@code user} with a text/plain body, expecting 200. Its From names the tester at port
     * {@code replyPort}, where {@link #messageReceive} waits for the echo.
     */
    public static String messageSend(String user, String body, int replyPort) {
        return HEAD + """
                  <send retrans="500"><![CDATA[

                MESSAGE sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:tester@[local_ip]:%3$d>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>
                Call-ID: [call_id]
                CSeq: 1 MESSAGE
                Max-Forwards: 70
                Content-Type: text/plain
                Content-Length: [len]

                %2$s
                  ]]></send>
                  <recv response="200"/>
                </scenario>
                """.formatted(user, body, replyPort);
    }

    /**
     * A MESSAGE from {@code fromUri} for {@code requestUri} (also its To), sent to the server whatever the URI's
     * host, with {@code extraHeaders} (e.g. {@code X-Sylk-App}), expecting final response {@code status}.
     */
    public static String messageFrom(String fromUri, String requestUri, List<String> extraHeaders, String contentType,
                                     String body, int status) {
        StringBuilder xml = new StringBuilder(HEAD);
        xml.append("  <send retrans=\"500\"><![CDATA[\n\n")
                .append("MESSAGE ").append(requestUri).append(" SIP/2.0\n")
                .append("Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n")
                .append("From: <").append(fromUri).append(">;tag=[call_number]\n")
                .append("To: <").append(requestUri).append(">\n")
                .append("Call-ID: [call_id]\n")
                .append("CSeq: 1 MESSAGE\n")
                .append("Max-Forwards: 70\n");
        for (String header : extraHeaders) {
            xml.append(header).append("\n");
        }
        xml.append("Content-Type: ").append(contentType).append("\n")
                .append("Content-Length: [len]\n\n").append(body).append("\n  ]]></send>\n")
                .append("  <recv response=\"100\" optional=\"true\"/>\n")
                .append("  <recv response=\"").append(status).append("\"/>\n")
                .append("</scenario>\n");
        return xml.toString();
    }

    /** Waits for one MESSAGE whose body matches each of {@code checks}, and answers it with 200. */
    public static String messageReceive(String... checks) {
        StringBuilder xml = new StringBuilder(HEAD);
        xml.append("  <recv request=\"MESSAGE\"");
        appendChecks(xml, "body", checks);
        xml.append("""
                  <send><![CDATA[

                SIP/2.0 200 OK
                [last_Via:]
                [last_From:]
                [last_To:];tag=[pid]echo[call_number]
                [last_Call-ID:]
                [last_CSeq:]
                Content-Length: 0

                  ]]></send>
                </scenario>
                """);
        return xml.toString();
    }

    /**
     * A registrar that takes anyone (RFC 3261 §10.3 without authentication): each call answers one REGISTER with 200,
     * the contact bound for 600 s; any other request fails the call.
     */
    public static String acceptingRegistrar() {
        return HEAD + "  <recv request=\"REGISTER\"/>\n" + registered(600) + "</scenario>\n";
    }

    /**
     * A proxy stand-in for the gateway's MESSAGEs: each call (one Call-ID) answers one REGISTER with 200, the contact
     * bound for 600 s, or takes one MESSAGE and runs the sipp steps {@code onMessage}.
     */
    public static String registrarOrMessage(String onMessage) {
        return HEAD + "  <recv request=\"REGISTER\" optional=\"true\" next=\"register\"/>\n"
                + "  <recv request=\"MESSAGE\"/>\n" + onMessage + "  <nop hide=\"true\" next=\"end\"/>\n"
                + "  <label id=\"register\"/>\n" + registered(600) + "  <label id=\"end\"/>\n</scenario>\n";
    }

    /** The 200 to the REGISTER just received, the contact bound for {@code expires} seconds. */
    public static String registered(int expires) {
        return """
                  <send><![CDATA[

                SIP/2.0 200 OK
                [last_Via:]
                [last_From:]
                [last_To:];tag=[pid]reg[call_number]
                [last_Call-ID:]
                [last_CSeq:]
                [last_Contact:];expires=%d
                Content-Length: 0

                  ]]></send>
                """.formatted(expires);
    }

    /**
     * A registrar stand-in (RFC 3261 §10.3): challenges the first REGISTER with a digest 401 (qop=auth), checks the
     * credentials of the second against {@code user}/{@code password} with sipp's {@code verifyauth}, answers 200 with
     * the contact bound for 600 s when they are right, else challenges again. With {@code expectRemoval} it then
     * waits for the REGISTER with {@code Expires: 0} that removes the binding (§10.2.2), checks its credentials
     * too, and answers 200.
     */
    public static String registrar(String user, String password, boolean expectRemoval) {
        return registrar(user, password, expectRemoval, "example.com");
    }

    /** As {@link #registrar(String, String, boolean)}, for accounts of the domain {@code realm}. */
    public static String registrar(String user, String password, boolean expectRemoval, String realm) {
        String challenge = """
                  <send><![CDATA[

                SIP/2.0 401 Unauthorized
                [last_Via:]
                [last_From:]
                [last_To:];tag=[pid]reg[call_number]
                [last_Call-ID:]
                [last_CSeq:]
                WWW-Authenticate: Digest realm="%s", nonce="%s[pid]x[call_number]", qop="auth", algorithm=MD5
                Content-Length: 0

                  ]]></send>
                """;
        String verify = "    <action><verifyauth assign_to=\"%s\" username=\"" + user + "\" password=\"" + password
                + "\"/>%s</action>\n";
        StringBuilder xml = new StringBuilder(HEAD);
        xml.append("  <recv request=\"REGISTER\"/>\n").append(challenge.formatted(realm, "first"));
        xml.append("  <recv request=\"REGISTER\">\n").append(verify.formatted("valid", "")).append("  </recv>\n");
        xml.append("  <nop hide=\"true\" test=\"valid\" next=\"accepted\"/>\n");
        xml.append(challenge.formatted(realm, "again")).append("  <nop hide=\"true\" next=\"end\"/>\n");
        xml.append("  <label id=\"accepted\"/>\n").append(registered(600));
        if (expectRemoval) {
            // the removal must say Expires: 0
            String zero = "<ereg regexp=\"^ *0 *$\" search_in=\"hdr\" header=\"Expires:\" check_it=\"true\""
                    + " assign_to=\"zero\"/>";
            xml.append("  <recv request=\"REGISTER\">\n").append(verify.formatted("removal", zero)).append("  </recv>\n")
                    .append("  <nop hide=\"true\" test=\"removal\" next=\"removed\"/>\n")
                    .append(challenge.formatted(realm, "removal")).append("  <nop hide=\"true\" next=\"end\"/>\n")
                    .append("  <label id=\"removed\"/>\n").append(registered(0))
                    .append("  <Reference variables=\"zero\"/>\n");
        }
        xml.append("  <label id=\"end\"/>\n</scenario>\n");
        return xml.toString();
    }

    /**
     * RFC 4575 §3 / RFC 6665: SUBSCRIBE to a room's conference events, expect 200 and a first NOTIFY (full
     * document, Subscription-State active) whose body matches each of {@code bodyChecks}; then un-SUBSCRIBE with
     * Expires: 0 (RFC 6665 §4.1.2.3), expect 200 and a final NOTIFY with Subscription-State terminated.
     */
    public static String conferenceSubscription(String room, String... bodyChecks) {
        return conferenceSubscription(room, Duration.ZERO, bodyChecks);
    }

    /**
     * As {@link #conferenceSubscription(String, String...)}, the subscription kept {@code hold} before the
     * un-SUBSCRIBE (for a room where nothing happens meanwhile: a NOTIFY then would be unexpected).
     */
    public static String conferenceSubscription(String room, Duration hold, String... bodyChecks) {
        String subscribe = """
                  <send retrans="500"><![CDATA[

                SUBSCRIBE sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:watcher@[local_ip]:[local_port]>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>%2$s
                Call-ID: [call_id]
                CSeq: %3$d SUBSCRIBE
                Contact: <sip:watcher@[local_ip]:[local_port];transport=[transport]>
                Max-Forwards: 70
                Event: conference
                Accept: application/conference-info+xml
                Expires: %4$d
                Content-Length: 0

                  ]]></send>
                  <recv response="200" rrs="true"/>
                """;
        String ok = OK_TO_LAST_REQUEST;
        StringBuilder xml = new StringBuilder(HEAD);
        xml.append(subscribe.formatted(room, "", 1, 600));
        String[] checks = new String[bodyChecks.length + 2];
        checks[0] = "Subscription-State: *active";
        checks[1] = "Content-Type: *application/conference-info\\+xml";
        System.arraycopy(bodyChecks, 0, checks, 2, bodyChecks.length);
        xml.append("  <recv request=\"NOTIFY\"");
        appendChecks(xml, "msg", checks);
        xml.append(ok);
        if (!hold.isZero()) {
            xml.append("  <pause milliseconds=\"").append(hold.toMillis()).append("\"/>\n");
        }
        xml.append(subscribe.formatted(room, "[peer_tag_param]", 2, 0));
        xml.append("  <recv request=\"NOTIFY\"");
        appendChecks(xml, "msg", "Subscription-State: *terminated");
        xml.append(ok).append("</scenario>\n");
        return xml.toString();
    }

    /**
     * RFC 4579 §5.5 / RFC 3515: an out-of-dialog REFER to the room from {@code referrer} (a user at the tester's
     * address: a participant, issue 11), Refer-To {@code referTo} (e.g.
     * {@code <sip:bob@127.0.0.1:5070>} to add, {@code <sip:bob@host;method=BYE>} to remove), expecting 202, then
     * NOTIFYs with message/sipfrag bodies (RFC 3515 §2.4.5) answered 200 until one reports a final status, which
     * must match {@code finalStatus} (e.g. {@code SIP/2.0 200}).
     */
    public static String referToRoom(String room, String referrer, String referTo, String finalStatus) {
        String ok = OK_TO_LAST_REQUEST;
        return HEAD + """
                  <send retrans="500"><![CDATA[

                REFER sip:%1$s@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: <sip:%3$s@[local_ip]:[local_port]>;tag=[call_number]
                To: <sip:%1$s@[remote_ip]:[remote_port]>
                Call-ID: [call_id]
                CSeq: 1 REFER
                Contact: <sip:%3$s@[local_ip]:[local_port];transport=[transport]>
                Max-Forwards: 70
                Refer-To: %2$s
                Content-Length: 0

                  ]]></send>
                  <recv response="202"/>
                  <label id="progress"/>
                  <recv request="NOTIFY">
                    <action>
                      <ereg regexp="SIP/2\\.0 ([1-6])[0-9][0-9]" search_in="body" check_it="true" assign_to="final,class"/>
                      <strcmp assign_to="notOne" variable="class" value="1"/>
                      <test assign_to="provisional" variable="notOne" compare="equal" value="0"/>
                    </action>
                  </recv>
                """.formatted(room, referTo, referrer)
                // the loop back is taken by the 200 itself: a NOTIFY arriving while sipp stood on a separate jump
                // step was "unexpected" (the final one often follows the first at once)
                + ok.replace("<send>", "<send next=\"progress\" test=\"provisional\">") + """
                  <nop>
                    <action>
                      <ereg regexp="%s" search_in="var" variable="final" check_it="true" assign_to="status"/>
                    </action>
                  </nop>
                  <Reference variables="status"/>
                </scenario>
                """.formatted(escape(finalStatus));
    }

    private static void appendChecks(StringBuilder xml, String searchIn, String... checks) {
        if (checks.length == 0) {
            xml.append("/>\n");
            return;
        }
        xml.append(">\n    <action>\n");
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < checks.length; i++) {
            xml.append("      <ereg regexp=\"").append(escape(checks[i])).append("\" search_in=\"").append(searchIn)
                    .append("\" check_it=\"true\" assign_to=\"check").append(i).append("\"/>\n");
            names.append(i > 0 ? "," : "").append("check").append(i);
        }
        xml.append("    </action>\n  </recv>\n");
        // the matched text is not used later; tell sipp so it does not fail on unreferenced variables
        xml.append("  <Reference variables=\"").append(names).append("\"/>\n");
    }

    private static String escape(String regex) {
        return regex.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
