package org.sylkserver.webrtc.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.sip.Address;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;

import org.junit.jupiter.api.Test;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.webrtc.messaging.SipMessages;

/**
 * {@link ServletMessages} against a recording SIP factory: what each out-of-dialog MESSAGE (spec §4.8.1) is made
 * from.
 */
class ServletMessagesTest {

    /** Addresses parsed, in order: the text given to {@code createAddress}. */
    private final List<String> parsed = new ArrayList<>();
    /** The From and To of each request created. */
    private final List<Address[]> created = new ArrayList<>();
    private final List<String> sent = new ArrayList<>();
    /** Per request sent: its extra headers and routes, as {@code name: value} lines in the order set. */
    private final List<List<String>> headers = new ArrayList<>();

    private final SipFactory factory = fake(SipFactory.class, (name, args) -> switch (name) {
        case "createAddress" -> {
            parsed.add((String) args[0]);
            yield address((String) args[0]);
        }
        case "createApplicationSession" -> fake(SipApplicationSession.class, (n, a) -> null);
        case "createRequest" -> {
            created.add(new Address[] {(Address) args[2], (Address) args[3]});
            yield request();
        }
        case "createSipURI" -> uri("sip:" + args[1]);
        default -> throw new UnsupportedOperationException(name);
    });

    /**
     * JSR 289 {@code SipFactory.createRequest} copies the From and To it is given, so the gateway parses each address
     * once and hands the same parsed address to every MESSAGE (parsing them took a tenth of the container's part of an
     * {@code account-message}); a display name is part of the address.
     */
    @Test
    void rfc3428_eachAddressIsParsedOnceForEveryMessageItIsIn() {
        ServletMessages messages = new ServletMessages(factory, null, null, "SylkServer-test");
        messages.send(message("alice@example.com", "Alice", "bob@example.com"), (status, reason) -> { });
        messages.send(message("alice@example.com", "Alice", "bob@example.com"), (status, reason) -> { });
        messages.send(message("alice@example.com", null, "bob@example.com"), (status, reason) -> { });

        assertEquals(List.of("sip:alice@example.com", "sip:bob@example.com", "sip:alice@example.com"), parsed);
        assertEquals(3, sent.size());
        assertSame(created.get(0)[0], created.get(1)[0]);
        assertSame(created.get(0)[1], created.get(1)[1]);
        assertEquals("Alice", created.get(1)[0].getDisplayName());
        assertNotSame(created.get(0)[0], created.get(2)[0]);
        assertEquals(null, created.get(2)[0].getDisplayName());
        assertSame(created.get(0)[1], created.get(2)[1]);
    }

    /**
     * spec §4.8.1 step 3, §4.9, §8.3 {@code local_sip_messages}: an account's MESSAGE to its contact goes to this
     * server's own SIP TCP listener (not the outbound proxy) with {@code X-Sylk-App: webrtcgateway}, so that the
     * gateway gets it back; what is for SIP devices keeps the proxy, without the header.
     */
    @Test
    void spec_4_8_1_withLocalSipMessagesAContactsMessageGoesToOurOwnTcpListener() {
        ServletMessages messages = new ServletMessages(factory, PROXY,
                ServletMessages.ownTcpListener(() -> List.of(uri("sip:127.0.0.1:5060;transport=udp"),
                        uri("sip:127.0.0.1:5060;transport=tcp"), uri("sip:127.0.0.1:5061;transport=tls"))),
                "SylkServer-test");
        messages.send(message("alice@example.com", "Alice", "bob@example.com"), (status, reason) -> { });
        messages.send(new SipMessages.Outgoing(null, "bob@example.com", null, "alice@example.com",
                "application/sylk-conversation-read", "{}".getBytes(StandardCharsets.UTF_8),
                Map.of("X-Sylk-To-Sip", "yes"), SipMessages.Audience.SIP_DEVICES), (status, reason) -> { });

        assertEquals(List.of("User-Agent: SylkServer-test", "X-Sylk-App: webrtcgateway",
                "Route: sip:127.0.0.1:5060;transport=tcp;lr"), headers.get(0));
        assertEquals(List.of("User-Agent: SylkServer-test", "X-Sylk-To-Sip: yes",
                "Route: sip:proxy.example.com:5070;transport=udp;lr"), headers.get(1));
    }

    /** spec §4.8.1 step 3: without {@code local_sip_messages}, the outbound proxy and no {@code X-Sylk-App}. */
    @Test
    void spec_4_8_1_withoutLocalSipMessagesAContactsMessageTakesTheProxy() {
        new ServletMessages(factory, PROXY, null, "SylkServer-test")
                .send(message("alice@example.com", "Alice", "bob@example.com"), (status, reason) -> { });

        assertEquals(List.of("User-Agent: SylkServer-test", "Route: sip:proxy.example.com:5070;transport=udp;lr"),
                headers.get(0));
    }

    /**
     * Before the container's connectors started there is no listener to send to: the MESSAGE fails as unsendable
     * (503) and a later one finds the listener.
     */
    @Test
    void withoutATcpListenerYetTheMessageFailsAndALaterOneGoes() {
        List<SipURI> interfaces = new ArrayList<>();
        ServletMessages messages = new ServletMessages(factory, null, ServletMessages.ownTcpListener(() -> interfaces),
                "SylkServer-test");
        List<Integer> outcomes = new ArrayList<>();
        messages.send(message("alice@example.com", null, "bob@example.com"), (status, reason) -> outcomes.add(status));
        interfaces.add(uri("sip:192.0.2.1:5080;transport=tcp"));
        messages.send(message("alice@example.com", null, "bob@example.com"), (status, reason) -> outcomes.add(status));

        assertEquals(List.of(503), outcomes);
        assertEquals(1, sent.size());
        assertEquals("Route: sip:192.0.2.1:5080;transport=tcp;lr", headers.get(headers.size() - 1).get(2));
    }

    private static final ServerConfig.OutboundProxy PROXY = new ServerConfig.OutboundProxy("proxy.example.com", 5070,
            "udp");

    private static SipMessages.Outgoing message(String from, String displayName, String to) {
        return new SipMessages.Outgoing(null, from, displayName, to, "text/plain",
                "hello".getBytes(StandardCharsets.UTF_8), Map.of(), SipMessages.Audience.CONTACT);
    }

    /** A SIP URI as text, its parameters settable as the container's are. */
    private static SipURI uri(String text) {
        StringBuilder value = new StringBuilder(text);
        return fake(SipURI.class, (name, args) -> switch (name) {
            case "getTransportParam" -> {
                int at = value.indexOf(";transport=");
                yield at < 0 ? null : value.substring(at + 11).split(";")[0];
            }
            case "setPort" -> {
                value.append(':').append(args[0]);
                yield null;
            }
            case "setTransportParam" -> {
                value.append(";transport=").append(args[0]);
                yield null;
            }
            case "setLrParam" -> {
                value.append(";lr");
                yield null;
            }
            case "clone" -> uri(value.toString());
            case "toString" -> value.toString();
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private static Address address(String text) {
        Map<String, Object> state = new HashMap<>();
        return fake(Address.class, (name, args) -> switch (name) {
            case "setDisplayName" -> state.put("displayName", args[0]);
            case "getDisplayName" -> state.get("displayName");
            case "toString" -> text;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private SipServletRequest request() {
        SipSession session = fake(SipSession.class, (name, args) -> null);
        List<String> set = new ArrayList<>();
        headers.add(set);
        return fake(SipServletRequest.class, (name, args) -> switch (name) {
            case "getSession" -> session;
            case "setHeader" -> set.add(args[0] + ": " + args[1]);
            case "pushRoute" -> set.add("Route: " + args[0]);
            case "setContent" -> null;
            case "send" -> sent.add("MESSAGE");
            default -> throw new UnsupportedOperationException(name);
        });
    }

    @FunctionalInterface
    private interface Answer {
        Object answer(String method, Object[] args) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    Object result = answer.answer(method.getName(), args);
                    return method.getReturnType() == boolean.class && !(result instanceof Boolean) ? false : result;
                });
    }
}
