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

import org.junit.jupiter.api.Test;
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
        default -> throw new UnsupportedOperationException(name);
    });

    /**
     * JSR 289 {@code SipFactory.createRequest} copies the From and To it is given, so the gateway parses each address
     * once and hands the same parsed address to every MESSAGE (parsing them took a tenth of the container's part of an
     * {@code account-message}); a display name is part of the address.
     */
    @Test
    void rfc3428_eachAddressIsParsedOnceForEveryMessageItIsIn() {
        ServletMessages messages = new ServletMessages(factory, null, "SylkServer-test");
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

    private static SipMessages.Outgoing message(String from, String displayName, String to) {
        return new SipMessages.Outgoing(null, from, displayName, to, "text/plain",
                "hello".getBytes(StandardCharsets.UTF_8), Map.of());
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
        return fake(SipServletRequest.class, (name, args) -> switch (name) {
            case "getSession" -> session;
            case "setHeader", "setContent" -> null;
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
