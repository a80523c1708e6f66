package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.ServletRequest;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;

/** The HTTP side of the sylkRTC handshake (spec §4.2), with fake servlet requests and responses. */
class HandshakeFilterTest {

    /** What the filter did to the response. */
    private static final class Outcome {
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
        final StringWriter body = new StringWriter();
        ServletRequest passedOn;
    }

    private static Outcome filter(Map<String, List<String>> headers) throws Exception {
        return filter(headers, List.of("*"));
    }

    private static Outcome filter(Map<String, List<String>> headers, List<String> webOrigins) throws Exception {
        Outcome outcome = new Outcome();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeaders" -> Collections.enumeration(headers.getOrDefault((String) args[0], List.of()));
                    case "getHeader" -> headers.getOrDefault((String) args[0], List.of()).stream().findFirst().orElse(null);
                    case "getHeaderNames" -> Collections.enumeration(headers.keySet());
                    case "getRemoteAddr" -> "192.0.2.7";
                    case "getRemotePort" -> 53124;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(HttpServletResponse.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "setHeader" -> outcome.headers.put((String) args[0], (String) args[1]);
                    case "setStatus" -> outcome.status = (Integer) args[0];
                    case "setContentType" -> outcome.headers.put("Content-Type", (String) args[0]);
                    case "getWriter" -> new PrintWriter(outcome.body, true);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        new HandshakeFilter(() -> webOrigins).doFilter(request, response, (req, res) -> outcome.passedOn = req);
        return outcome;
    }

    private static Map<String, List<String>> upgrade(String... protocolLines) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("Upgrade", List.of("websocket"));
        headers.put("Connection", List.of("Upgrade"));
        if (protocolLines.length > 0) {
            headers.put("Sec-WebSocket-Protocol", List.of(protocolLines));
        }
        return headers;
    }

    @Test
    void upgradeWithoutSylkRtc2IsRefusedWith406_spec4_2() throws Exception {
        for (Map<String, List<String>> headers : List.of(upgrade(), upgrade("chat"), upgrade("sylkRTC-1, janus-protocol"),
                upgrade("sylkrtc-2"))) {
            Outcome outcome = filter(headers);
            assertEquals(406, outcome.status, headers.toString());
            assertEquals("No compatible protocol specified", outcome.body.toString());
            assertNull(outcome.passedOn, "the WebSocket filter never sees it");
        }
    }

    @Test
    void upgradeOfferingSylkRtc2GoesOnWithTheClientAddress_spec4_2() throws Exception {
        for (Map<String, List<String>> headers : List.of(upgrade("sylkRTC-2"), upgrade("chat , sylkRTC-2"),
                upgrade("chat", "sylkRTC-2"))) {
            headers.put(HandshakeFilter.PEER_HEADER, List.of("203.0.113.66:1"));
            Outcome outcome = filter(headers);
            assertEquals(200, outcome.status);
            HttpServletRequest passed = (HttpServletRequest) outcome.passedOn;
            assertNotNull(passed);
            // whatever the client claimed, the endpoint learns the real remote address
            assertEquals("192.0.2.7:53124", passed.getHeader(HandshakeFilter.PEER_HEADER));
            assertEquals(List.of("192.0.2.7:53124"), Collections.list(passed.getHeaders(HandshakeFilter.PEER_HEADER)));
            assertEquals(1, Collections.frequency(Collections.list(passed.getHeaderNames()), HandshakeFilter.PEER_HEADER));
            assertTrue(Collections.list(passed.getHeaderNames()).contains("Sec-WebSocket-Protocol"));
        }
    }

    @Test
    void everyResponseCarriesTheServerHeader_spec4_2() throws Exception {
        Outcome plain = filter(new HashMap<>());
        assertTrue(plain.headers.get("Server").startsWith("SylkServer/"), plain.headers.toString());
        assertNotNull(plain.passedOn, "plain HTTP requests go on unchanged");
        assertTrue(filter(upgrade()).headers.get("Server").startsWith("SylkServer/"));
    }

    /** spec §4.2: the Origin must be one of web_origins; with "*" any origin, or none, is allowed. */
    @Test
    void originsOutsideWebOriginsAreRefusedWith403_spec4_2() throws Exception {
        List<String> origins = List.of("https://app.example.com");
        Map<String, List<String>> foreign = upgrade("sylkRTC-2");
        foreign.put("Origin", List.of("https://evil.example.net"));
        Outcome refused = filter(foreign, origins);
        assertEquals(403, refused.status);
        assertEquals("Origin not allowed", refused.body.toString());
        assertNull(refused.passedOn);
        assertEquals(403, filter(upgrade("sylkRTC-2"), origins).status, "no Origin at all");
        Map<String, List<String>> own = upgrade("sylkRTC-2");
        own.put("Origin", List.of("https://app.example.com"));
        assertEquals(200, filter(own, origins).status);
        assertNotNull(filter(foreign, List.of("*")).passedOn, "* allows any origin");
    }
}
