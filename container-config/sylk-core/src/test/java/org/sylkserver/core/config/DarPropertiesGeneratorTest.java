package org.sylkserver.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.servlet.sip.ar.SipApplicationRouterInfo;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobicents.servlet.sip.router.DefaultApplicationRouterParser;
import org.mobicents.servlet.sip.router.DefaultSipApplicationRouterInfo;

/**
 * The generated {@code dar.properties} is read with Restcomm's own parser, and its rules are then applied the
 * way Restcomm's default application router applies them (first entry, in order, whose application is
 * deployed and whose REGEX is found in the request text), to check the selection of spec §2.2.
 */
class DarPropertiesGeneratorTest {

    @TempDir
    Path dir;

    private Set<String> installed = Set.of("echo", "conference", "playback", "notfound", "xmppgateway");

    @BeforeEach
    void noConfig() {
        installed = Set.of("echo", "conference", "playback", "notfound", "xmppgateway");
    }

    private ServerConfig config(String... serverOptions) throws Exception {
        Files.writeString(dir.resolve("config.ini"), "[Server]\n" + String.join("\n", serverOptions) + "\n");
        return ServerConfig.load(dir, dir.resolve("var"), Map.of());
    }

    private String route(ServerConfig config, String method, String requestUri, String... headers) throws Exception {
        String dar = new DarPropertiesGenerator(config, installed).generate();
        Path file = dir.resolve("dar.properties");
        Files.writeString(file, dar);
        System.setProperty("javax.servlet.sip.dar", file.toUri().toString());
        DefaultApplicationRouterParser parser = new DefaultApplicationRouterParser();
        parser.init();
        Map<String, List<? extends SipApplicationRouterInfo>> rules = parser.parse();
        StringBuilder request = new StringBuilder(method + " " + requestUri + " SIP/2.0\r\n");
        request.append("Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n");
        request.append("From: <sip:alice@example.com>;tag=1928301774\r\nTo: <" + requestUri + ">\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        request.append("Call-ID: a84b4c76e66710\r\nCSeq: 1 ").append(method).append("\r\nContent-Length: 0\r\n\r\n");
        for (SipApplicationRouterInfo info : rules.get(method)) {
            DefaultSipApplicationRouterInfo rule = (DefaultSipApplicationRouterInfo) info;
            if (!installed.contains(rule.getApplicationName())) {
                continue;
            }
            String regex = rule.getOptionalParameters().get("REGEX");
            if (regex == null || Pattern.compile(regex).matcher(request).find()) {
                return rule.getApplicationName();
            }
        }
        return null;
    }

    @Test
    void defaultMapSendsUserEchoToEchoAndEverythingElseToConference_spec2_2() throws Exception {
        ServerConfig config = config();
        assertEquals("echo", route(config, "INVITE", "sip:echo@conference.example.com"));
        assertEquals("conference", route(config, "INVITE", "sip:room101@conference.example.com"));
        assertEquals("conference", route(config, "SUBSCRIBE", "sip:echo2@conference.example.com"));
    }

    @Test
    void xSylkAppOverridesTheMapCompletely_spec2_2() throws Exception {
        ServerConfig config = config();
        assertEquals("playback", route(config, "INVITE", "sip:echo@example.com", "X-Sylk-App: playback"));
        assertEquals("playback", route(config, "MESSAGE", "sip:echo@example.com", "x-sylk-app:   playback  "));
        assertEquals("notfound", route(config, "INVITE", "sip:echo@example.com", "X-Sylk-App: nosuchapp"));
        assertEquals("notfound", route(config, "INVITE", "sip:echo@example.com", "X-Sylk-App: playbackx"));
    }

    @Test
    void precedenceIsUserAtHostThenHostThenUser_spec2_2() throws Exception {
        ServerConfig config = config("application_map = alice:echo, example.com:xmppgateway, alice@example.com:playback");
        assertEquals("playback", route(config, "INVITE", "sip:alice@example.com"));
        assertEquals("xmppgateway", route(config, "INVITE", "sip:bob@example.com"));
        assertEquals("xmppgateway", route(config, "INVITE", "sip:alice@example.com:5070;transport=tcp".replace("alice", "carol")));
        assertEquals("echo", route(config, "INVITE", "sip:alice@other.org"));
        assertEquals("xmppgateway", route(config, "INVITE", "sip:example.com"));
        assertEquals("conference", route(config, "INVITE", "sip:bob@other.org"));
    }

    @Test
    void matchingIsExactAndCaseSensitive_spec2_2() throws Exception {
        ServerConfig config = config("application_map = a.b:echo, Test:playback");
        assertEquals("conference", route(config, "INVITE", "sip:axb@example.com"));
        assertEquals("echo", route(config, "INVITE", "sip:a.b@example.com"));
        assertEquals("echo", route(config, "INVITE", "sip:someone@a.b"));
        assertEquals("conference", route(config, "INVITE", "sip:someone@a.bc"));
        assertEquals("conference", route(config, "INVITE", "sip:test@example.com"));
        assertEquals("playback", route(config, "INVITE", "sip:Test@example.com"));
        assertEquals("conference", route(config, "INVITE", "sip:Testing@example.com"));
    }

    @Test
    void mapEntryNamingAnUninstalledApplicationGets404_spec2_2() throws Exception {
        ServerConfig config = config("application_map = test:ircconference");
        assertEquals("notfound", route(config, "INVITE", "sip:test@example.com"));
    }

    @Test
    void unknownDefaultApplicationFallsBackToConference_spec2_1() throws Exception {
        ServerConfig config = config("default_application = nosuchapp");
        assertEquals("conference", route(config, "INVITE", "sip:room@example.com"));
    }

    @Test
    void disabledConferenceLeavesUnmatchedRequestsTo404() throws Exception {
        installed = Set.of("echo", "notfound");
        ServerConfig config = config();
        assertEquals("notfound", route(config, "INVITE", "sip:room@example.com"));
        assertEquals("echo", route(config, "OPTIONS", "sip:echo@example.com"));
    }

    @Test
    void regularExpressionsAvoidWhatRestcommsParserSplitsOn() throws Exception {
        String dar = new DarPropertiesGenerator(config("application_map = we(i)rd\"key:echo, a b:echo"), installed).generate();
        java.util.Properties loaded = new java.util.Properties();
        loaded.load(new java.io.StringReader(dar));
        for (String method : DarPropertiesGenerator.METHODS) {
            String rules = loaded.getProperty(method);
            for (String rule : rules.split("\\), ")) {
                String regex = rule.contains("REGEX=") ? rule.substring(rule.indexOf("REGEX=")) : "";
                assertEquals(-1, regex.indexOf('('), regex);
                assertEquals(-1, regex.indexOf(' '), regex);
            }
        }
        assertEquals("echo", route(config("application_map = we(i)rd\"key:echo"), "INVITE", "sip:we(i)rd\"key@example.com"));
    }
}
