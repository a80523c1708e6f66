package org.sylkserver.core.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import javax.servlet.sip.Address;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.URI;
import javax.servlet.sip.ar.SipApplicationRouterInfo;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobicents.servlet.sip.router.DefaultApplicationRouter;
import org.sylkserver.core.config.DarPropertiesGenerator;
import org.sylkserver.core.config.ServerConfig;

/**
 * Requests from the network are routed by {@link SylkApplicationRouter}'s own rule walk; these tests hold it to the
 * choices of Restcomm's {@link DefaultApplicationRouter} on the rules {@link DarPropertiesGenerator} writes.
 */
class SylkApplicationRouterTest {

    private static final List<String> DEPLOYED = List.of("conference", "echo", "notfound", "webrtcgateway",
            "xmppgateway");

    private static final String DAR_PROPERTY = "javax.servlet.sip.dar";

    @TempDir
    Path dir;
    private String previousDar;
    private DefaultApplicationRouter restcomm;
    private SylkApplicationRouter ours;

    @BeforeEach
    void routers() throws Exception {
        Files.writeString(dir.resolve("config.ini"),
                "[Server]\napplication_map = alice:echo, echo.example.com:echo, example.org:xmppgateway\n");
        ServerConfig config = ServerConfig.load(dir, dir.resolve("var"), Map.of());
        Path dar = Files.writeString(dir.resolve("dar.properties"),
                new DarPropertiesGenerator(config, Set.copyOf(DEPLOYED)).generate());
        // Restcomm's router reads its file again at each deployment, from where this property says
        previousDar = System.setProperty(DAR_PROPERTY, dar.toUri().toString());
        restcomm = new DefaultApplicationRouter();
        ours = new SylkApplicationRouter();
        for (DefaultApplicationRouter router : List.of(restcomm, ours)) {
            router.init();
            router.applicationDeployed(DEPLOYED);
        }
    }

    @AfterEach
    void restoreProperty() {
        if (previousDar == null) {
            System.clearProperty(DAR_PROPERTY);
        } else {
            System.setProperty(DAR_PROPERTY, previousDar);
        }
    }

    @Test
    void choosesWhatRestcommsRouterChoosesForRequestsFromTheNetwork() {
        List<FakeRequest> requests = List.of(
                new FakeRequest("INVITE", "sip:room@conference.example.com"),
                new FakeRequest("INVITE", "sip:room@videoconference.example.com"),
                new FakeRequest("INVITE", "sip:room@VIDEOCONFERENCE.example.com:5060"),
                new FakeRequest("SUBSCRIBE", "sip:room@videoconference.example.com"),
                new FakeRequest("INVITE", "sip:echo@example.com"),
                new FakeRequest("INVITE", "sip:alice@example.com"),
                new FakeRequest("INVITE", "sip:bob@echo.example.com;transport=tcp"),
                new FakeRequest("MESSAGE", "sip:carol@example.org"),
                new FakeRequest("MESSAGE", "sip:sylkrtc-5f3a@192.0.2.1:5060"),
                new FakeRequest("SUBSCRIBE", "sip:room@conference.example.com", "X-Sylk-App: webrtcgateway"),
                new FakeRequest("OPTIONS", "sip:room@conference.example.com", "x-sylk-app:\techo"),
                new FakeRequest("INVITE", "sip:room@conference.example.com", "X-Sylk-App: nosuchapp"),
                new FakeRequest("REGISTER", "sip:example.com"),
                new FakeRequest("PRACK", "sips:echo@example.com"),
                new FakeRequest("FOO", "sip:room@conference.example.com"));
        for (FakeRequest request : requests) {
            SipApplicationRouterInfo theirs = restcomm.getNextApplication(request.proxy, null, null, null, null);
            SipApplicationRouterInfo mine = ours.getNextApplication(request.proxy, null, null, null, null);
            assertSame(theirs, mine, request.text);
            // the walk goes on from the rule chosen, as the container asks when an application proxies the request
            assertSame(restcomm.getNextApplication(request.proxy, null, null, null, theirs.getStateInfo()),
                    ours.getNextApplication(request.proxy, null, null, null, mine.getStateInfo()), request.text);
        }
    }

    @Test
    void writesTheRequestOutOnceAndCompilesNoExpressionPerRequest() {
        FakeRequest join = new FakeRequest("INVITE", "sip:room@conference.example.com");
        restcomm.getNextApplication(join.proxy, null, null, null, null);
        int restcommsWrites = join.writes.getAndSet(0);
        assertEquals("conference", ours.getNextApplication(join.proxy, null, null, null, null).getNextApplicationName());
        assertEquals(1, join.writes.get(), "the request's text is written once per routing");
        assertTrue(restcommsWrites > 5, "Restcomm's router writes it once per rule with an expression: " + restcommsWrites);
    }

    @Test
    void anUndeployedApplicationIsSkipped() {
        for (DefaultApplicationRouter router : List.of(restcomm, ours)) {
            router.applicationUndeployed(List.of("echo"));
        }
        FakeRequest call = new FakeRequest("INVITE", "sip:echo@example.com");
        SipApplicationRouterInfo mine = ours.getNextApplication(call.proxy, null, null, null, null);
        assertSame(restcomm.getNextApplication(call.proxy, null, null, null, null), mine, call.text);
        assertEquals("conference", mine.getNextApplicationName());
    }

    @Test
    void aRuleIsSearchedOnlyInATextWithTheWordEveryMatchContains() {
        // DarPropertiesGenerator's rule for "X-Sylk-App: xmppgateway" (spec §2.2)
        String xmpp = "[\\r\\n][Xx]-[Ss][Yy][Ll][Kk]-[Aa][Pp][Pp][\\t\\x20]*:[\\t\\x20]*xmppgateway[\\t\\x20]*\\r?\\n";
        assertEquals("xmppgateway", SylkApplicationRouter.Expression.requiredWord(xmpp));
        assertEquals("sip", SylkApplicationRouter.Expression.requiredWord("\\A[A-Z]+\\x20sips?:"));
        // escapes, classes, quantifiers and counts give no letters of their own
        assertEquals("bcd", SylkApplicationRouter.Expression.requiredWord("\\x41bcd\\p{Alpha}e?\\u0041"));
        assertEquals("xyz", SylkApplicationRouter.Expression.requiredWord("[a-z0-9]{2,3}xyz\\d+"));
        assertEquals("colo", SylkApplicationRouter.Expression.requiredWord("colou?r"));
        assertEquals("ab", SylkApplicationRouter.Expression.requiredWord("ab+c"));
        // no word, or unsure: alternatives, groups, quotations, classes within classes
        for (String regex : List.of("[\\r\\n]:", "abc|xyz", "(abc)", "\\Qabc\\E", "[a-z&&[^x]]abc")) {
            assertEquals(null, SylkApplicationRouter.Expression.requiredWord(regex), regex);
        }
        List<String> regexes = List.of(xmpp, "colou?r", "ab+c", "a{0,2}bc", "\\x41BC", "[a-z]+xyz",
                "\\AMESSAGE\\x20sips?:", "abc|xyz", "x*y", "\\x{41}Z");
        List<String> texts = List.of("MESSAGE sip:juliet@xmpp.test SIP/2.0\r\nX-Sylk-App: xmppgateway\r\n\r\n",
                "MESSAGE sip:juliet@xmpp.test SIP/2.0\r\nX-Sylk-App: echo\r\n\r\n xmppgateway", "color", "colour",
                "abbbc", "ac", "bc", "aabc", "ABC", "xyz", "wxyz", "xyzz", "y", "AZ", "");
        for (String regex : regexes) {
            for (String text : texts) {
                assertEquals(Pattern.compile(regex).matcher(text).find(),
                        SylkApplicationRouter.Expression.of(regex).foundIn(text), regex + " in " + text);
            }
        }
    }

    /**
     * spec §4.9, §8.3 {@code local_sip_messages}: the gateway sends its MESSAGEs to its own SIP listener with
     * {@code X-Sylk-App: webrtcgateway}; such a request goes out, to come back in from the network and be routed to the
     * gateway then. Restcomm's router passed it to the next rule's application inside the container ({@code notfound}:
     * 404); one naming another application is still routed by the rules (spec §2.2).
     */
    @Test
    void aRequestNamingItsOwnSenderGoesOut() {
        FakeRequest looped = FakeRequest.sentBy("webrtcgateway", "MESSAGE", "sip:bob@example.com",
                "X-Sylk-App: webrtcgateway");
        assertEquals(null, ours.getNextApplication(looped.proxy, null, null, null, null).getNextApplicationName());
        FakeRequest plain = FakeRequest.sentBy("webrtcgateway", "MESSAGE", "sip:bob@example.com");
        assertEquals(null, ours.getNextApplication(plain.proxy, null, null, null, null).getNextApplicationName());
        FakeRequest toEcho = FakeRequest.sentBy("webrtcgateway", "MESSAGE", "sip:bob@example.com", "X-Sylk-App: echo");
        assertSame(restcomm.getNextApplication(toEcho.proxy, null, null, null, null),
                ours.getNextApplication(toEcho.proxy, null, null, null, null), toEcho.text);
    }

    private static void assertSame(SipApplicationRouterInfo expected, SipApplicationRouterInfo actual, String request) {
        assertEquals(expected.getNextApplicationName(), actual.getNextApplicationName(), request);
        assertEquals(expected.getRoutingRegion() == null ? null : expected.getRoutingRegion().toString(),
                actual.getRoutingRegion() == null ? null : actual.getRoutingRegion().toString(), request);
        assertEquals(expected.getSubscriberURI(), actual.getSubscriberURI(), request);
        assertArrayEquals(expected.getRoutes(), actual.getRoutes(), request);
        assertEquals(expected.getRouteModifier(), actual.getRouteModifier(), request);
        assertEquals(expected.getStateInfo(), actual.getStateInfo(), request);
    }

    /**
     * A request from the network (no SIP session), or one an application sent (in a session of that application), with
     * its text as JAIN-SIP writes it; counts the writes.
     */
    private static final class FakeRequest {
        final String text;
        final AtomicInteger writes = new AtomicInteger();
        final SipServletRequest proxy;

        FakeRequest(String method, String requestUri, String... headers) {
            this(null, method, requestUri, List.of(headers));
        }

        /** A request {@code application} sent. */
        static FakeRequest sentBy(String application, String method, String requestUri, String... headers) {
            return new FakeRequest(application, method, requestUri, List.of(headers));
        }

        private FakeRequest(String application, String method, String requestUri, List<String> headers) {
            StringBuilder message = new StringBuilder(method + " " + requestUri + " SIP/2.0\r\n")
                    .append("Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n")
                    .append("From: <sip:alice@example.com>;tag=1928301774\r\n")
                    .append("To: <").append(requestUri).append(">\r\n")
                    .append("Call-ID: a84b4c76e66710\r\nCSeq: 1 ").append(method).append("\r\n");
            List<String> extra = new ArrayList<>(headers);
            for (String header : extra) {
                message.append(header).append("\r\n");
            }
            text = message.append("Content-Length: 0\r\n\r\n").toString();
            Address from = address("sip:alice@example.com");
            Address to = address(requestUri);
            proxy = (SipServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {SipServletRequest.class}, (self, called, args) -> switch (called.getName()) {
                        case "toString" -> {
                            writes.incrementAndGet();
                            yield text;
                        }
                        case "getMethod" -> method;
                        case "getSession" -> application == null ? null : session(application);
                        case "getPoppedRoute" -> null;
                        case "getFrom" -> from;
                        case "getTo" -> to;
                        case "getHeader" -> extra.stream().filter(h -> h.regionMatches(true, 0, args[0] + ":", 0,
                                ((String) args[0]).length() + 1)).map(h -> h.substring(h.indexOf(':') + 1).strip())
                                .findFirst().orElse(null);
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        default -> throw new UnsupportedOperationException(called.getName());
                    });
        }

        private static SipSession session(String application) {
            SipApplicationSession applicationSession = (SipApplicationSession) Proxy.newProxyInstance(
                    FakeRequest.class.getClassLoader(), new Class<?>[] {SipApplicationSession.class},
                    (self, called, args) -> switch (called.getName()) {
                        case "getApplicationName" -> application;
                        default -> throw new UnsupportedOperationException(called.getName());
                    });
            return (SipSession) Proxy.newProxyInstance(FakeRequest.class.getClassLoader(),
                    new Class<?>[] {SipSession.class}, (self, called, args) -> switch (called.getName()) {
                        case "getApplicationSession" -> applicationSession;
                        default -> throw new UnsupportedOperationException(called.getName());
                    });
        }

        private static Address address(String uri) {
            URI parsed = (URI) Proxy.newProxyInstance(FakeRequest.class.getClassLoader(), new Class<?>[] {URI.class},
                    (self, called, args) -> {
                        if (called.getName().equals("toString")) {
                            return uri;
                        }
                        throw new UnsupportedOperationException(called.getName());
                    });
            return (Address) Proxy.newProxyInstance(FakeRequest.class.getClassLoader(), new Class<?>[] {Address.class},
                    (self, called, args) -> switch (called.getName()) {
                        case "getURI" -> parsed;
                        case "toString" -> "<" + uri + ">";
                        default -> throw new UnsupportedOperationException(called.getName());
                    });
        }
    }
}
