package org.sylkserver.xmpp.jingle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.jingle.element.Jingle;
import org.jivesoftware.smackx.jingle.element.JingleAction;
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.FullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** SIP users' calls to XMPP users (spec §5.7, SIP → XMPP), without a container. */
class JingleDialTest {

    private static final String ALICE = "sip:alice@sip.example";
    private static final String ALICE_JID = "alice@sip.example/desk";
    private static final String ROMEO_PHONE = "romeo@xmpp.example/phone";
    /** {@code gr} of the resource {@code phone}: its UTF-8 bytes in hex (spec §5.3). */
    private static final String PHONE_GR = "70686f6e65";
    private static final String ANSWER = "<content creator='initiator' name='audio' senders='both'>"
            + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='0' name='PCMU'"
            + " clockrate='8000'/></description><transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>"
            + "<candidate component='1' generation='0' id='a1' ip='192.0.2.30' port='20000'/></transport></content>";

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<IQ> sent = new LinkedBlockingQueue<>();
    /** What the SIP caller was told, in order. */
    private final List<String> caller = new CopyOnWriteArrayList<>();
    private final List<String> media = new CopyOnWriteArrayList<>();
    private final Map<String, List<FullJid>> present = new ConcurrentHashMap<>();
    private boolean relayable = true;

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private static SessionDescription sdp(String ip, int port, String direction) {
        try {
            return SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip
                    + "\r\nt=0 0\r\nm=audio " + port + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=" + direction + "\r\n");
        } catch (SdpException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final SessionDescription SIP_OFFER = sdp("192.0.2.40", 30000, "sendrecv");

    /** Our media: towards the Jingle party 192.0.2.1:50000, towards the SIP party 192.0.2.1:50002. */
    private final JingleCalls.AudioBridges bridges = new JingleCalls.AudioBridges() {
        @Override
        public JingleCalls.AudioBridge open(JingleSdp.Media offer, JingleCalls.MediaFailure silence) {
            throw new AssertionError("XMPP users' calls are JingleCallsTest's");
        }

        @Override
        public JingleCalls.SipOfferBridge open(SessionDescription sipOffer, InetAddress source,
                                               JingleCalls.MediaFailure silence) {
            if (!relayable) {
                return null;
            }
            media.add("open " + sipOffer.connection());
            return new JingleCalls.SipOfferBridge() {
                @Override
                public JingleSdp.Media jingleOffer(boolean iceUdp) {
                    try {
                        JingleSdp.Media raw = JingleSdp.fromSdp(sdp("192.0.2.1", 50000, "sendrecv"));
                        if (iceUdp) {
                            return new JingleSdp.Media(raw.description(), new JingleTransport.IceUdp("ours",
                                    "ourpasswordourpassword", List.of(new JingleTransport.IceCandidate(1, "1", 0,
                                    "sylk1", "192.0.2.1", 0, 50000, 2130706431L, "udp", "host", null, 0))),
                                    raw.direction());
                        }
                        return raw;
                    } catch (SdpException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public SessionDescription answer(JingleSdp.Media jingleAnswer) {
                    media.add("answer " + jingleAnswer.transport());
                    return sdp("192.0.2.1", 50002, jingleAnswer.direction());
                }

                @Override
                public SessionDescription sipReOffer(boolean held) {
                    return sdp("192.0.2.1", 50002, held ? "sendonly" : "sendrecv");
                }

                @Override
                public SessionDescription sipReAnswer(SessionDescription reOffer) {
                    String theirs = reOffer.direction(reOffer.media().get(0));
                    return sdp("192.0.2.1", 50002, theirs.equals("sendonly") ? "recvonly" : theirs);
                }

                @Override
                public void transportInfo(JingleTransport transport) {
                    media.add("transport-info " + transport);
                }

                @Override
                public void close() {
                    media.add("close");
                }
            };
        }
    };

    private final JingleCalls.SipCaller sipCaller = new JingleCalls.SipCaller() {
        @Override
        public void ringing() {
            caller.add("180");
        }

        @Override
        public boolean answer(SessionDescription answer) {
            caller.add("200 " + answer.connection() + " " + answer.direction(answer.media().get(0)));
            return true;
        }

        @Override
        public void reject(int status) {
            caller.add(Integer.toString(status));
        }

        @Override
        public void hangUp() {
            caller.add("BYE");
        }

        @Override
        public void reOffer(SessionDescription offer) {
            caller.add("re-INVITE " + offer.direction(offer.media().get(0)));
        }
    };

    private JingleCalls calls(int max, Duration answerWait) {
        return new JingleCalls(sent::add, timer, Set.of("sip.example"), bridges,
                (from, to, offer, events) -> {
                    throw new AssertionError("no SIP call is placed for a SIP user's call");
                }, max, answerWait, user -> present.getOrDefault(user.toString(), List.of()));
    }

    private IQ next() throws InterruptedException {
        IQ iq = sent.poll(10, TimeUnit.SECONDS);
        assertNotNull(iq, "nothing sent");
        return iq;
    }

    private Jingle nextJingle() throws InterruptedException {
        return (Jingle) next();
    }

    /** A Jingle request of {@code from} for our session {@code sid}; returns our answer to it. */
    private IQ request(JingleCalls calls, String from, String action, String sid, String children) {
        return request(calls, from, action, sid, children, ALICE_JID);
    }

    private IQ request(JingleCalls calls, String from, String action, String sid, String children, String to) {
        IQ iq = Jingle.builder("r-" + sid + action + sent.size()).ofType(IQ.Type.set)
                .from(JidCreate.fullFromOrThrowUnchecked(from)).to(JidCreate.fullFromOrThrowUnchecked(to))
                .setAction(JingleAction.fromString(action)).setSessionId(sid).build();
        calls.request(iq, "<iq type='set' id='" + iq.getStanzaId() + "' from='" + from + "' to='" + to
                + "'><jingle xmlns='urn:xmpp:jingle:1' action='" + action + "' sid='" + sid + "'>" + children
                + "</jingle></iq>");
        for (IQ answer : sent) {
            if (answer.getStanzaId().equals(iq.getStanzaId())) {
                sent.remove(answer);
                return answer;
            }
        }
        throw new AssertionError("no answer to " + action);
    }

    /** Alice calls romeo's resource phone directly (its gr in the Request-URI); returns the session-initiate. */
    private Jingle dialPhone(JingleCalls calls) throws InterruptedException {
        assertNotNull(calls.dial(ALICE, "desk", "sip:romeo@xmpp.example;gr=" + PHONE_GR, SIP_OFFER, null,
                sipCaller));
        Jingle initiate = nextJingle();
        calls.response(IQ.createResultIQ(initiate)); // XEP-0166 §6.3: acknowledged
        return initiate;
    }

    /**
     * Spec §5.7 and quirk Q14: a Request-URI with {@code gr} rings that resource: our session-initiate (XEP-0166 §6.2)
     * from the caller's JID (its Contact's gr as resource, spec §5.3) offers our media endpoint; the callee's ringing
     * (XEP-0167 §8.4) is a 180 and its session-accept (XEP-0166 §6.5) the 200 with our SIP-side endpoint.
     */
    @Test
    void aCallToAFullJidRingsThatResource_Q14() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        Jingle initiate = dialPhone(calls);
        assertEquals(JingleAction.session_initiate, initiate.getAction());
        assertEquals(ROMEO_PHONE, initiate.getTo().toString());
        assertEquals(ALICE_JID, initiate.getFrom().toString());
        assertEquals(ALICE_JID, initiate.getInitiator().toString());
        String xml = initiate.toXML(XmlEnvironment.EMPTY).toString();
        assertTrue(xml.contains("ip='192.0.2.1' port='50000'"), "our endpoint, not the SIP party's: " + xml);
        assertTrue(xml.contains("name='PCMU'"), xml);
        assertEquals(List.of("open IN IP4 192.0.2.40"), media);

        String sid = initiate.getSid();
        assertEquals(IQ.Type.result, request(calls, ROMEO_PHONE, "session-info", sid,
                "<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>").getType());
        assertEquals(IQ.Type.result, request(calls, ROMEO_PHONE, "session-accept", sid, ANSWER).getType());
        assertEquals(List.of("180", "200 IN IP4 192.0.2.1 sendrecv"), caller);
        assertTrue(media.get(1).contains("192.0.2.30"), media.toString());
        assertEquals(1, calls.size());
    }

    /**
     * Spec §5.7: a bare JID's resources are discovered: disco#items of the bare JID (XEP-0030 §4.2) and disco#info
     * (§3.1) of each resource known from presence or listed in the items; the first whose features include Jingle
     * RTP (XEP-0167 §10) is rung, a resource without them is not.
     */
    @Test
    void aCallToABareJidRingsTheResourceThatSupportsJingleRtp_XEP0030() throws Exception {
        present.put("romeo@xmpp.example", List.of(JidCreate.fullFrom("romeo@xmpp.example/chat")));
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        assertNotNull(calls.dial(ALICE, "desk", "sip:romeo@xmpp.example", SIP_OFFER, null, sipCaller));

        DiscoverItems itemsQuery = (DiscoverItems) next();
        assertEquals("romeo@xmpp.example", itemsQuery.getTo().toString());
        assertEquals(IQ.Type.get, itemsQuery.getType());
        DiscoverInfo chatQuery = (DiscoverInfo) next();
        assertEquals("romeo@xmpp.example/chat", chatQuery.getTo().toString());

        DiscoverItems items = new DiscoverItems();
        items.setType(IQ.Type.result);
        items.setStanzaId(itemsQuery.getStanzaId());
        items.setFrom(itemsQuery.getTo());
        items.addItem(new DiscoverItems.Item(JidCreate.from(ROMEO_PHONE)));
        items.addItem(new DiscoverItems.Item(JidCreate.from("mallory@xmpp.example/phone"))); // not romeo's
        assertTrue(calls.response(items));
        DiscoverInfo phoneQuery = (DiscoverInfo) next();
        assertEquals(ROMEO_PHONE, phoneQuery.getTo().toString());
        assertNull(sent.poll(100, TimeUnit.MILLISECONDS), "no other JID is asked");

        assertTrue(calls.response(info(chatQuery, "urn:xmpp:jingle:1"))); // no RTP application
        assertNull(sent.poll(100, TimeUnit.MILLISECONDS), "a resource without Jingle RTP is not rung");
        assertTrue(calls.response(info(phoneQuery, "urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1")));
        Jingle initiate = nextJingle();
        assertEquals(JingleAction.session_initiate, initiate.getAction());
        assertEquals(ROMEO_PHONE, initiate.getTo().toString());
        assertTrue(initiate.toXML(XmlEnvironment.EMPTY).toString().contains(JingleTransport.RAW_UDP),
                "no ICE-UDP listed: raw UDP");
    }

    /**
     * XEP-0176 §7.1: a resource whose disco#info lists ICE-UDP gets our offer over ICE-UDP (preferred over raw UDP,
     * which today's clients do not take): our ufrag, pwd and host candidate in the session-initiate.
     */
    @Test
    void aResourceListingIceUdpIsOfferedIceUdp_XEP0176_7_1() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        assertNotNull(calls.dial(ALICE, "desk", "sip:romeo@xmpp.example", SIP_OFFER, null, sipCaller));
        DiscoverItems itemsQuery = (DiscoverItems) next();
        DiscoverItems items = new DiscoverItems();
        items.setType(IQ.Type.result);
        items.setStanzaId(itemsQuery.getStanzaId());
        items.setFrom(itemsQuery.getTo());
        items.addItem(new DiscoverItems.Item(JidCreate.from(ROMEO_PHONE)));
        assertTrue(calls.response(items));
        DiscoverInfo phoneQuery = (DiscoverInfo) next();
        assertTrue(calls.response(info(phoneQuery, "urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1",
                JingleTransport.RAW_UDP, JingleTransport.ICE_UDP)));
        String xml = nextJingle().toXML(XmlEnvironment.EMPTY).toString();
        assertTrue(xml.contains(JingleTransport.ICE_UDP) && xml.contains("ufrag='ours'")
                && xml.contains("pwd='ourpasswordourpassword'") && xml.contains("priority='2130706431'"), xml);
        assertFalse(xml.contains(JingleTransport.RAW_UDP), xml);
    }

    private static DiscoverInfo info(IQ query, String... features) {
        DiscoverInfo info = new DiscoverInfo();
        info.setType(IQ.Type.result);
        info.setStanzaId(query.getStanzaId());
        info.setFrom(query.getTo());
        for (String feature : features) {
            info.addFeature(feature);
        }
        return info;
    }

    private static final String ROOM = "sip:room@conference.sip.example";

    /** The {@code <conference-info/>} children (XEP-0298, {@code urn:xmpp:coin:1}) of a jingle IQ's jingle element. */
    private static List<StandardExtensionElement> conferenceInfo(IQ iq) throws Exception {
        StandardExtensionElement jingle = JingleRequest.jingleElement(iq.toXML(XmlEnvironment.EMPTY).toString());
        assertNotNull(jingle);
        return jingle.getElements().stream().filter(e -> e.getElementName().equals("conference-info")
                && e.getNamespace().equals("urn:xmpp:coin:1")).toList();
    }

    /**
     * Spec §5.7: a conference focus (From a room of our MUC domains) calling with audio is a Jingle call: the
     * callee's resources are asked for their features by the inviter named in Referred-By (XEP-0030 §3.1, §4.2),
     * and the session-initiate comes from the room's JID (the MUC component), its resource the focus Contact's gr,
     * carrying XEP-0298 §5's {@code <conference-info xmlns='urn:xmpp:coin:1' isfocus='true'/>} in the jingle element.
     */
    @Test
    void aConferencesCallIsAJingleCallFromTheRoomMarkedAsFocus_XEP0298_5() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        assertNotNull(calls.dialFromConference(ROOM, "mix", JidCreate.entityBareFrom("alice@sip.example"),
                "sip:romeo@xmpp.example", SIP_OFFER, null, sipCaller));
        DiscoverItems itemsQuery = (DiscoverItems) next();
        assertEquals("alice@sip.example", itemsQuery.getFrom().toString(), "the inviter asks (spec §5.7)");
        DiscoverItems items = new DiscoverItems();
        items.setType(IQ.Type.result);
        items.setStanzaId(itemsQuery.getStanzaId());
        items.setFrom(itemsQuery.getTo());
        items.addItem(new DiscoverItems.Item(JidCreate.from(ROMEO_PHONE)));
        assertTrue(calls.response(items));
        DiscoverInfo phoneQuery = (DiscoverInfo) next();
        assertEquals("alice@sip.example", phoneQuery.getFrom().toString());
        assertTrue(calls.response(info(phoneQuery, "urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1")));

        Jingle initiate = nextJingle();
        assertEquals(JingleAction.session_initiate, initiate.getAction());
        assertEquals("room@conference.sip.example/mix", initiate.getFrom().toString());
        assertEquals("room@conference.sip.example/mix", initiate.getInitiator().toString());
        assertEquals(ROMEO_PHONE, initiate.getTo().toString());
        List<StandardExtensionElement> coin = conferenceInfo(initiate);
        assertEquals(1, coin.size(), initiate.toXML(XmlEnvironment.EMPTY).toString());
        assertEquals("true", coin.get(0).getAttributeValue("isfocus"));

        // the call goes on as any other: the session-accept answers the focus's INVITE
        calls.response(IQ.createResultIQ(initiate));
        assertEquals(IQ.Type.result, request(calls, ROMEO_PHONE, "session-accept", initiate.getSid(), ANSWER,
                "room@conference.sip.example/mix").getType());
        assertEquals(List.of("200 IN IP4 192.0.2.1 sendrecv"), caller);
    }

    /**
     * Spec §5.7 "conference info is forwarded": the focus's conference-info documents (RFC 4575, from its conference
     * event package) reach the Jingle party of the active session as XEP-0298 §6 IQs from the room's JID with the
     * session's sid; before the session-accept, and for a SIP user's own call, none is sent.
     */
    @Test
    void theConferencesStateReachesTheJingleParty_XEP0298_6() throws Exception {
        String document = "<conference-info xmlns='urn:ietf:params:xml:ns:conference-info'"
                + " entity='sip:room@conference.sip.example' state='full' version='1'><users>"
                + "<user entity='sip:alice@sip.example'><display-text>Alice</display-text></user></users>"
                + "</conference-info>";
        byte[] body = document.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        JingleCalls calls = calls(16, Duration.ofSeconds(60));
        JingleCalls.CallerEvents focusCall = calls.dialFromConference(ROOM, "mix", null,
                "sip:romeo@xmpp.example;gr=" + PHONE_GR, SIP_OFFER, null, sipCaller);
        Jingle initiate = nextJingle();
        calls.response(IQ.createResultIQ(initiate));
        focusCall.conferenceInfo(body);
        assertNull(sent.poll(100, TimeUnit.MILLISECONDS), "not before the session is accepted");
        request(calls, ROMEO_PHONE, "session-accept", initiate.getSid(), ANSWER, "room@conference.sip.example/mix");

        focusCall.conferenceInfo(body);
        IQ update = next();
        assertEquals(IQ.Type.set, update.getType());
        assertEquals("room@conference.sip.example/mix", update.getFrom().toString());
        assertEquals(ROMEO_PHONE, update.getTo().toString());
        String xml = update.toXML(XmlEnvironment.EMPTY).toString();
        assertTrue(xml.contains("<conference-info xmlns='urn:ietf:params:xml:ns:conference-info'"), xml);
        assertTrue(xml.contains("sid='" + initiate.getSid() + "'"), xml);
        assertTrue(xml.contains("<display-text>Alice</display-text>"), xml);
        focusCall.conferenceInfo("<!DOCTYPE x []><x/>".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertNull(sent.poll(100, TimeUnit.MILLISECONDS), "bad documents are dropped");

        JingleCalls.CallerEvents userCall = calls.dial(ALICE, "desk", "sip:romeo@xmpp.example;gr=" + PHONE_GR,
                SIP_OFFER, null, sipCaller);
        Jingle plain = nextJingle();
        calls.response(IQ.createResultIQ(plain));
        request(calls, ROMEO_PHONE, "session-accept", plain.getSid(), ANSWER);
        userCall.conferenceInfo(body);
        assertNull(sent.poll(100, TimeUnit.MILLISECONDS), "a SIP user's call is no focus's");
    }

    /**
     * Spec §5.7: without Referred-By the room asks for the callee's features itself; a SIP user's own call (not a
     * focus) carries no conference-info (XEP-0298 §5 is for a focus only).
     */
    @Test
    void withoutInviterTheRoomAsksAndAUsersCallIsNoFocus_XEP0298_5() throws Exception {
        JingleCalls calls = calls(16, Duration.ofSeconds(60));
        assertNotNull(calls.dialFromConference(ROOM, "mix", null, "sip:romeo@xmpp.example;gr=" + PHONE_GR,
                SIP_OFFER, null, sipCaller));
        Jingle initiate = nextJingle();
        assertEquals("room@conference.sip.example/mix", initiate.getFrom().toString());
        assertEquals(1, conferenceInfo(initiate).size());

        assertNotNull(calls.dial(ALICE, "desk", "sip:romeo@xmpp.example", SIP_OFFER, null, sipCaller));
        DiscoverItems itemsQuery = (DiscoverItems) next();
        assertEquals(ALICE_JID, itemsQuery.getFrom().toString());
        Jingle plain = dialPhone(calls);
        assertEquals(ALICE_JID, plain.getFrom().toString());
        assertTrue(conferenceInfo(plain).isEmpty(), plain.toXML(XmlEnvironment.EMPTY).toString());
    }

    /** Spec §5.7: no resource with Jingle RTP (here: the bare JID's items refused, none known): 480. */
    @Test
    void aCallToAnXmppUserWithoutJingleIs480() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        calls.dial(ALICE, "desk", "sip:romeo@xmpp.example", SIP_OFFER, null, sipCaller);
        IQ itemsQuery = next();
        assertTrue(calls.response(IQ.createErrorResponse(itemsQuery, StanzaError.Condition.service_unavailable)));
        assertEquals(List.of("480"), caller);
        assertEquals("close", media.get(media.size() - 1));
        assertEquals(0, calls.size());
    }

    /**
     * The callee's termination before accepting becomes the SIP failure (XEP-0166 §7.4 reasons → RFC 3261 §21:
     * decline 603, busy 486); after the answer the SIP call gets a BYE.
     */
    @Test
    void theCalleesRefusalAndHangUpReachTheCaller() throws Exception {
        JingleCalls calls = calls(8, Duration.ofSeconds(60));
        String declined = dialPhone(calls).getSid();
        request(calls, ROMEO_PHONE, "session-terminate", declined, "<reason><decline/></reason>");
        assertEquals(List.of("603"), caller);

        String answered = dialPhone(calls).getSid();
        request(calls, ROMEO_PHONE, "session-accept", answered, ANSWER);
        request(calls, ROMEO_PHONE, "session-terminate", answered, "<reason><success/></reason>");
        assertEquals(List.of("603", "200 IN IP4 192.0.2.1 sendrecv", "BYE"), caller);
        assertEquals(0, calls.size());
        assertEquals(2, media.stream().filter("close"::equals).count());
    }

    /** The caller's CANCEL ends the session with cancel, its BYE with success (XEP-0166 §6.7, §7.4). */
    @Test
    void theCallersCancelAndByeTerminateTheSession() throws Exception {
        JingleCalls calls = calls(8, Duration.ofSeconds(60));
        JingleCalls.CallerEvents first = calls.dial(ALICE, "desk", "sip:romeo@xmpp.example;gr=" + PHONE_GR,
                SIP_OFFER, null, sipCaller);
        next();
        first.cancelled();
        Jingle cancel = nextJingle();
        assertEquals(JingleReason.Reason.cancel, cancel.getReason().asEnum());

        JingleCalls.CallerEvents second = calls.dial(ALICE, "desk", "sip:romeo@xmpp.example;gr=" + PHONE_GR,
                SIP_OFFER, null, sipCaller);
        String sid = nextJingle().getSid();
        request(calls, ROMEO_PHONE, "session-accept", sid, ANSWER);
        second.hungUp();
        Jingle bye = nextJingle();
        assertEquals(sid, bye.getSid());
        assertEquals(JingleReason.Reason.success, bye.getReason().asEnum());
        assertEquals(List.of("200 IN IP4 192.0.2.1 sendrecv"), caller, "nothing more told the caller");
        assertEquals(0, calls.size());
    }

    /** Spec §5.7 hold mapping both ways: Jingle hold/active (XEP-0167 §8.1-8.2) ↔ re-INVITE (RFC 3264 §8.4). */
    @Test
    void holdIsMappedBothWays() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        JingleCalls.CallerEvents events = calls.dial(ALICE, "desk", "sip:romeo@xmpp.example;gr=" + PHONE_GR,
                SIP_OFFER, null, sipCaller);
        String sid = nextJingle().getSid();
        assertNull(events.reOffered(sdp("192.0.2.40", 30000, "sendonly")), "no re-INVITE before the answer");
        request(calls, ROMEO_PHONE, "session-accept", sid, ANSWER);

        request(calls, ROMEO_PHONE, "session-info", sid, "<hold xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>");
        request(calls, ROMEO_PHONE, "session-info", sid, "<active xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>");
        assertEquals(List.of("re-INVITE sendonly", "re-INVITE sendrecv"), caller.subList(1, caller.size()));

        SessionDescription answer = events.reOffered(sdp("192.0.2.40", 30000, "sendonly"));
        assertEquals("recvonly", answer.direction(answer.media().get(0)));
        assertTrue(nextJingle().toXML(XmlEnvironment.EMPTY).toString().contains("<hold"));
    }

    /** No answer within the answer wait: session-terminate timeout (XEP-0166 §7.4) and 408 to the caller. */
    @Test
    void aCallNobodyAnswersTimesOut() throws Exception {
        JingleCalls calls = calls(4, Duration.ofMillis(200));
        dialPhone(calls);
        Jingle terminate = nextJingle();
        assertEquals(JingleReason.Reason.timeout, terminate.getReason().asEnum());
        for (int i = 0; i < 100 && caller.isEmpty(); i++) {
            Thread.sleep(10); // the caller is told on the timer's thread just after the terminate is sent
        }
        assertEquals(List.of("408"), caller);
        assertEquals(0, calls.size());
    }

    /**
     * Refusals before any stanza: 403 for a caller outside our domains (spec §5.7), 404 for a callee in them, 488
     * for an offer the media cannot relay, 486 beyond one XMPP domain's quarter of the calls (shared with XMPP
     * users' calls).
     */
    @Test
    void refusalsAndTheLimitPerXmppDomain() throws Exception {
        JingleCalls calls = calls(8, Duration.ofSeconds(60));
        assertNull(calls.dial("sip:mallory@elsewhere.example", null, "sip:romeo@xmpp.example;gr=" + PHONE_GR,
                SIP_OFFER, null, sipCaller));
        assertNull(calls.dial(ALICE, null, "sip:bob@sip.example", SIP_OFFER, null, sipCaller));
        relayable = false;
        assertNull(calls.dial(ALICE, null, "sip:romeo@xmpp.example;gr=" + PHONE_GR, SIP_OFFER, null, sipCaller));
        relayable = true;
        List<String> refusals = new ArrayList<>(caller);
        assertEquals(List.of("403", "404", "488"), refusals);

        dialPhone(calls);
        dialPhone(calls);
        assertNull(calls.dial(ALICE, "desk", "sip:juliet@xmpp.example;gr=" + PHONE_GR, SIP_OFFER, null, sipCaller));
        assertEquals("486", caller.get(caller.size() - 1));
        assertEquals(2, calls.size());
        assertNotNull(calls.dial(ALICE, "desk", "sip:juliet@other.example;gr=" + PHONE_GR, SIP_OFFER, null,
                sipCaller), "another domain still has room");
    }
}
