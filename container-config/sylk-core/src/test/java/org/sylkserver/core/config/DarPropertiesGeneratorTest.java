package org.sylkserver.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.servlet.sip.ar.SipApplicationRouterInfo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobicents.servlet.sip.router.DefaultApplicationRouterParser;
import org.mobicents.servlet.sip.router.DefaultSipApplicationRouterInfo;

/**
 * Application selection, spec §2.2, as Restcomm's default application router will apply the generated
 * {@code dar.properties}: the file is loaded with {@link Properties}, each method's entries are sorted by their
 * index, and the first entry whose application is deployed and whose {@code REGEX} is found in the request text
 * wins. The same file is also read with Restcomm's own parser, which must see the same entries.
 */
class DarPropertiesGeneratorTest {

    private static final Set<String> INSTALLED = Set.of("conference", "echo", "notfound", "playback", "xmppgateway");
    private static final Pattern ENTRY = Pattern.compile("\\(([^()]*)\\)");
    private static final Pattern FIELD = Pattern.compile("\"([^\"]*)\"");

    @TempDir
    Path dir;

    /** One entry as the router sees it. */
    private record Entry(String application, int index, String regex) {
    }

    /** The routing outcome for a configuration: the DAR text and the applications the container runs. */
    private record Router(String dar, Set<String> deployed) {

        /** The application the DAR picks for a request, or null. */
        String route(String method, String requestUri, String... headers) {
            String request = request(method, requestUri, headers);
            for (Entry entry : entries(dar).get(method)) {
                if (deployed.contains(entry.application())
                        && (entry.regex() == null || Pattern.compile(entry.regex()).matcher(request).find())) {
                    return entry.application();
                }
            }
            return null;
        }
    }

    private Router router(Set<String> installed, String... serverOptions) throws Exception {
        Files.writeString(dir.resolve("config.ini"), "[Server]\n" + String.join("\n", serverOptions) + "\n");
        ServerConfig config = ServerConfig.load(dir, dir.resolve("var"), Map.of());
        Set<String> deployed = new TreeSet<>(installed);
        deployed.removeAll(config.server().disabledApplications());
        return new Router(new DarPropertiesGenerator(config, installed).generate(), deployed);
    }

    private Router router(String... serverOptions) throws Exception {
        return router(INSTALLED, serverOptions);
    }

    /** A request as JAIN-SIP's {@code toString()} writes it: request line, headers, CRLF, body. */
    private static String request(String method, String requestUri, String... headers) {
        StringBuilder text = new StringBuilder(method + " " + requestUri + " SIP/2.0\r\n");
        text.append("Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n");
        text.append("From: <sip:alice@example.com>;tag=1928301774\r\n");
        text.append("To: <").append(requestUri).append(">\r\n");
        text.append("Call-ID: a84b4c76e66710\r\nCSeq: 1 ").append(method).append("\r\n");
        text.append("Max-Forwards: 70\r\n");
        for (String header : headers) {
            text.append(header).append("\r\n");
        }
        return text.append("Content-Length: 0\r\n\r\n").toString();
    }

    /** The entries of each method, parsed the way Restcomm's parser splits them, in index order. */
    private static Map<String, List<Entry>> entries(String dar) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(dar));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Map<String, List<Entry>> methods = new LinkedHashMap<>();
        for (String method : properties.stringPropertyNames()) {
            List<Entry> list = new ArrayList<>();
            Matcher entry = ENTRY.matcher(properties.getProperty(method));
            while (entry.find()) {
                List<String> fields = new ArrayList<>();
                Matcher field = FIELD.matcher(entry.group(1));
                while (field.find()) {
                    fields.add(field.group(1));
                }
                String regex = fields.size() > 6 && fields.get(6).startsWith("REGEX=") ? fields.get(6).substring(6) : null;
                list.add(new Entry(fields.get(0), Integer.parseInt(fields.get(5)), regex));
            }
            list.sort(Comparator.comparingInt(Entry::index));
            methods.put(method, list);
        }
        return methods;
    }

    @Test
    void defaultMapSendsUserEchoToEchoAndEverythingElseToConference_spec2_1() throws Exception {
        Router router = router();
        assertEquals("echo", router.route("INVITE", "sip:echo@conference.example.com"));
        assertEquals("conference", router.route("INVITE", "sip:room101@conference.example.com"));
        assertEquals("conference", router.route("SUBSCRIBE", "sip:echo2@conference.example.com"));
        assertEquals("echo", router.route("MESSAGE", "sips:echo@example.com"));
    }

    /**
     * spec §4.5.4: calls for a gateway account arrive at the Contact it registered, whatever the map or the default
     * application say; the X-Sylk-App header still comes first (spec §2.2).
     */
    @Test
    void registeredGatewayContactsGoToTheWebrtcGateway_spec4_5_4() throws Exception {
        Set<String> installed = new TreeSet<>(INSTALLED);
        installed.add("webrtcgateway");
        Router router = router(installed, "application_map = 127.0.0.1:echo");
        assertEquals("webrtcgateway", router.route("INVITE", "sip:sylkrtc-alice-0a1b2c3d4e5f@127.0.0.1:5060"));
        assertEquals("echo", router.route("INVITE", "sip:alice@127.0.0.1:5060"));
        assertEquals("conference", router.route("INVITE", "sip:sylkrtc-alice@127.0.0.1", "X-Sylk-App: conference"));
        assertEquals("conference", router("default_application = conference")
                .route("INVITE", "sip:sylkrtc-alice-0a1b2c3d4e5f@127.0.0.1"), "no gateway installed");
    }

    /**
     * Issue 13: a SIP phone's INVITE to a video room ({@code room@videoconference.<domain>}, spec §4.7.4) reaches the
     * gateway, after the map and before the default application; other methods to it and INVITEs to the room's chat
     * ({@code room@conference.<domain>}) stay with the conference; without the gateway nothing changes.
     */
    @Test
    void invitesToVideoRoomsGoToTheWebrtcGateway_issue13() throws Exception {
        Set<String> installed = new TreeSet<>(INSTALLED);
        installed.add("webrtcgateway");
        Router router = router(installed, "application_map = echo:echo, special@videoconference.example.com:playback");
        assertEquals("webrtcgateway", router.route("INVITE", "sip:room1@videoconference.example.com"));
        assertEquals("webrtcgateway", router.route("INVITE",
                "sip:room1@VideoConference.example.com:5060;transport=tcp"));
        assertEquals("webrtcgateway", router.route("INVITE", "sips:room1@videoconference.example.com"));
        assertEquals("conference", router.route("INVITE", "sip:room1@conference.example.com"));
        assertEquals("conference", router.route("INVITE", "sip:room1@myvideoconference.example.com"));
        assertEquals("conference", router.route("SUBSCRIBE", "sip:room1@videoconference.example.com"));
        assertEquals("conference", router.route("MESSAGE", "sip:room1@videoconference.example.com"));
        assertEquals("echo", router.route("INVITE", "sip:echo@videoconference.example.com"), "the map comes first");
        assertEquals("playback", router.route("INVITE", "sip:special@videoconference.example.com"));
        assertEquals("conference", router.route("INVITE", "sip:room1@videoconference.example.com",
                "X-Sylk-App: conference"));
        assertEquals("conference", router().route("INVITE", "sip:room1@videoconference.example.com"),
                "no gateway installed");
    }

    @Test
    void xSylkAppHeaderOverridesTheMapCompletely_spec2_2() throws Exception {
        Router router = router("application_map = echo:echo, example.com:xmppgateway");
        assertEquals("playback", router.route("INVITE", "sip:echo@example.com", "X-Sylk-App: playback"));
        assertEquals("playback", router.route("MESSAGE", "sip:echo@example.com", "x-sylk-app:   playback  "));
        assertEquals("conference", router.route("SUBSCRIBE", "sip:bob@example.com", "X-SYLK-APP:conference"));
        assertEquals("echo", router.route("REFER", "sip:room@other.org", "X-Sylk-App:\techo"));
    }

    @Test
    void xSylkAppNamingNoEnabledApplicationGets404EvenWhenTheMapWouldMatch_spec2_2() throws Exception {
        Router router = router("disabled_applications = xmppgateway");
        assertEquals("notfound", router.route("INVITE", "sip:echo@example.com", "X-Sylk-App: nosuchapp"));
        assertEquals("notfound", router.route("INVITE", "sip:echo@example.com", "X-Sylk-App: playbackx"));
        assertEquals("notfound", router.route("INVITE", "sip:echo@example.com", "X-Sylk-App: Playback"));
        assertEquals("notfound", router.route("MESSAGE", "sip:echo@example.com", "X-Sylk-App: xmppgateway"));
    }

    @Test
    void mapPrecedenceIsUserAtHostThenHostThenUser_spec2_2() throws Exception {
        Router router = router("application_map = alice:echo, example.com:xmppgateway, alice@example.com:playback");
        assertEquals("playback", router.route("INVITE", "sip:alice@example.com"));
        assertEquals("xmppgateway", router.route("INVITE", "sip:bob@example.com"));
        assertEquals("echo", router.route("INVITE", "sip:alice@other.org"));
        assertEquals("conference", router.route("INVITE", "sip:bob@other.org"));
    }

    @Test
    void hostIsMatchedWithOrWithoutUserPortParametersOrHeaders_spec2_2() throws Exception {
        Router router = router("application_map = example.com:xmppgateway");
        assertEquals("xmppgateway", router.route("INVITE", "sip:example.com"));
        assertEquals("xmppgateway", router.route("INVITE", "sip:carol@example.com:5070;transport=tcp"));
        assertEquals("xmppgateway", router.route("MESSAGE", "sip:carol@example.com;user=phone"));
        assertEquals("xmppgateway", router.route("INVITE", "sips:carol@example.com?Subject=hi"));
        assertEquals("conference", router.route("INVITE", "sip:carol@example.com.evil.org"));
        assertEquals("conference", router.route("INVITE", "sip:carol@myexample.com"));
        // the same key is then tried as the user part
        assertEquals("xmppgateway", router.route("INVITE", "sip:example.com@other.org"));
    }

    @Test
    void userAtHostKeyNeedsBothParts_spec2_2() throws Exception {
        Router router = router("application_map = alice@example.com:playback");
        assertEquals("playback", router.route("INVITE", "sip:alice@example.com:5060"));
        assertEquals("conference", router.route("INVITE", "sip:alice@example.org"));
        assertEquals("conference", router.route("INVITE", "sip:malice@example.com"));
        assertEquals("conference", router.route("INVITE", "sip:bob@example.com"));
    }

    @Test
    void matchingIsExactAndCaseSensitive_spec2_2() throws Exception {
        Router router = router("application_map = a.b:echo, Test:playback");
        assertEquals("conference", router.route("INVITE", "sip:axb@example.com"));
        assertEquals("echo", router.route("INVITE", "sip:a.b@example.com"));
        assertEquals("echo", router.route("INVITE", "sip:someone@a.b"));
        assertEquals("conference", router.route("INVITE", "sip:someone@axb"));
        assertEquals("conference", router.route("INVITE", "sip:someone@a.bc"));
        assertEquals("conference", router.route("INVITE", "sip:test@example.com"));
        assertEquals("playback", router.route("INVITE", "sip:Test@example.com"));
        assertEquals("conference", router.route("INVITE", "sip:Testing@example.com"));
    }

    @Test
    void mapEntryNamingAnApplicationThatIsNotEnabledGets404_spec2_2() throws Exception {
        Router router = router("application_map = test:ircconference, chat:xmppgateway",
                "disabled_applications = xmppgateway");
        assertEquals("notfound", router.route("INVITE", "sip:test@example.com"));
        assertEquals("notfound", router.route("MESSAGE", "sip:chat@example.com"));
        assertEquals("conference", router.route("MESSAGE", "sip:other@example.com"));
    }

    @Test
    void defaultApplicationIsUsedWhenNothingElseMatches_spec2_1() throws Exception {
        assertEquals("playback", router("default_application = playback").route("INVITE", "sip:room@example.com"));
    }

    @Test
    void defaultApplicationThatIsNotEnabledFallsBackToConference_spec2_1() throws Exception {
        assertEquals("conference", router("default_application = nosuchapp").route("INVITE", "sip:room@example.com"));
        assertEquals("conference", router("default_application = playback", "disabled_applications = playback")
                .route("INVITE", "sip:room@example.com"));
    }

    /** REGISTER and methods without rules of their own go by the ALL rules, as Restcomm falls back to them. */
    @Test
    void methodsWithoutTheirOwnRulesAreRoutedByTheAllRules() throws Exception {
        Router router = router("application_map = alice:echo");
        assertEquals("echo", router.route("ALL", "sip:alice@example.com"));
        assertEquals("conference", router.route("ALL", "sip:bob@example.com"));
    }

    @Test
    void withoutConferenceUnmatchedRequestsGet404() throws Exception {
        Router router = router(Set.of("echo", "notfound"));
        assertEquals("notfound", router.route("INVITE", "sip:room@example.com"));
        assertEquals("echo", router.route("OPTIONS", "sip:echo@example.com"));
        assertEquals("notfound", router("disabled_applications = conference").route("INVITE", "sip:room@example.com"));
    }

    @Test
    void everyRoutedMethodHasTheSameRules() throws Exception {
        Map<String, List<Entry>> methods = entries(router().dar());
        assertEquals(new TreeSet<>(DarPropertiesGenerator.METHODS), new TreeSet<>(methods.keySet()));
        for (String method : DarPropertiesGenerator.METHODS) {
            assertEquals(methods.get("INVITE"), methods.get(method), method);
        }
        List<Entry> invite = methods.get("INVITE");
        assertEquals("notfound", invite.get(invite.size() - 1).application(), "the last entry catches everything");
        assertEquals(null, invite.get(invite.size() - 1).regex());
    }

    /** The DAR parser splits on parentheses and quotes, and its optional parameters on spaces. */
    @Test
    void propertiesFileGivesBackExactlyTheIntendedExpressionsWithoutCharactersTheParserSplitsOn() throws Exception {
        Files.writeString(dir.resolve("config.ini"),
                "[Server]\napplication_map = we(i)rd\"key:echo, back\\slash:playback, x=y@h#st:echo\n");
        ServerConfig config = ServerConfig.load(dir, dir.resolve("var"), Map.of());
        DarPropertiesGenerator generator = new DarPropertiesGenerator(config, INSTALLED);
        List<DarPropertiesGenerator.Rule> rules = generator.rules();
        List<Entry> loaded = entries(generator.generate()).get("INVITE");
        assertEquals(rules.size(), loaded.size());
        for (int i = 0; i < rules.size(); i++) {
            assertEquals(rules.get(i).application(), loaded.get(i).application());
            assertEquals(rules.get(i).regex(), loaded.get(i).regex());
            String regex = loaded.get(i).regex();
            if (regex != null) {
                assertTrue(regex.chars().noneMatch(c -> c == ' ' || c == '(' || c == ')' || c == '"'), regex);
            }
        }
        Router router = new Router(generator.generate(), INSTALLED);
        assertEquals("echo", router.route("INVITE", "sip:we(i)rd\"key@example.com"));
        assertEquals("playback", router.route("INVITE", "sip:back\\slash@example.com"));
        assertEquals("echo", router.route("INVITE", "sip:x=y@h#st"));
        assertEquals("conference", router.route("INVITE", "sip:xxy@h#st"));
    }

    @Test
    void escapeWritesEverythingButLettersAndDigitsAsHexEscapes() {
        assertEquals("a\\x2eb\\x40c\\x2dD9", DarPropertiesGenerator.escape("a.b@c-D9"));
        assertTrue(Pattern.compile(DarPropertiesGenerator.escape("1+1=2?")).matcher("1+1=2?").matches());
    }

    /** Restcomm's own parser (sip-servlets-application-router 3.2.0-37) reads the file as we do. */
    @Test
    void restcommsParserReadsTheSameEntries() throws Exception {
        Router router = router("application_map = alice:echo, example.com:xmppgateway, alice@example.com:playback",
                "default_application = conference");
        Path file = dir.resolve("dar.properties");
        Files.writeString(file, router.dar());
        String previous = System.getProperty("javax.servlet.sip.dar");
        System.setProperty("javax.servlet.sip.dar", file.toUri().toString());
        Map<String, List<? extends SipApplicationRouterInfo>> parsed;
        try {
            DefaultApplicationRouterParser parser = new DefaultApplicationRouterParser();
            parser.init();
            parsed = parser.parse();
        } finally {
            if (previous == null) {
                System.clearProperty("javax.servlet.sip.dar");
            } else {
                System.setProperty("javax.servlet.sip.dar", previous);
            }
        }
        Map<String, List<Entry>> ours = entries(router.dar());
        for (String method : DarPropertiesGenerator.METHODS) {
            List<? extends SipApplicationRouterInfo> theirs = parsed.get(method);
            assertNotNull(theirs, method);
            assertEquals(ours.get(method).size(), theirs.size(), method);
            for (int i = 0; i < theirs.size(); i++) {
                DefaultSipApplicationRouterInfo info = (DefaultSipApplicationRouterInfo) theirs.get(i);
                Entry entry = ours.get(method).get(i);
                assertEquals(entry.application(), info.getApplicationName());
                assertEquals(entry.index(), info.getOrder());
                assertEquals(entry.regex(), info.getOptionalParameters().get("REGEX"));
            }
        }
        assertFalse(parsed.get("INVITE").isEmpty());
    }
}
