package org.sylkserver.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Writes the rules of Restcomm's default application router ({@code dar.properties}) that implement
 * SylkServer's application selection (spec §2.2), tried in this order for every method:
 * <ol>
 * <li>an {@code X-Sylk-App} header naming an enabled (installed, not disabled) application selects it;</li>
 * <li>any other {@code X-Sylk-App} header selects {@code notfound} (404), so the map cannot override it;</li>
 * <li>a Request-URI whose user part starts with {@link #GATEWAY_CONTACT_PREFIX} selects {@code webrtcgateway} when
 *     it is enabled: those are the Contacts the gateway registers for its accounts, where their calls arrive (the
 *     original's Janus had a SIP stack of its own for them, spec §4.7);</li>
 * <li>{@code application_map} keys containing {@code @} matched against the Request-URI's {@code user@host},
 *     then the other keys against its host, then the same keys against its user (exact, case-sensitive);
 *     a key mapped to an application that is not enabled selects {@code notfound};</li>
 * <li>an INVITE whose Request-URI is {@code user@videoconference.<domain>} (the host's first label
 *     case-insensitive) selects {@code webrtcgateway} when it is enabled: a SIP phone joining that video room
 *     (issue 13; the room's chat is {@code user@conference.<domain>}, spec §4.7.4, still the conference's). Other
 *     methods to such addresses are left to the default application;</li>
 * <li>the default application (falling back to {@code conference} when it is not enabled);</li>
 * <li>{@code notfound}.</li>
 * </ol>
 *
 * <p>Restcomm 3.2.0-37's router searches each rule's {@code REGEX=} in the request's text (request line
 * first) and its parser splits on parentheses, quotes and spaces. The expressions therefore use neither groups
 * nor literal spaces: characters other than letters and digits are written as {@code \xHH}, and
 * case-insensitive header names as character classes.
 *
 * <p>Known limitation: the router searches the whole request text, body included, and a pattern without groups
 * cannot say "before the first empty line". A body line starting with {@code X-Sylk-App:} therefore counts as
 * the header. It grants nothing a sender could not get by sending the header itself.
 */
public final class DarPropertiesGenerator {

    /** The application answering 404 for requests no application takes. */
    public static final String NOT_FOUND = "notfound";

    /** The start of the user part of every Contact the {@code webrtcgateway} registers for an account. */
    public static final String GATEWAY_CONTACT_PREFIX = "sylkrtc-";
    private static final String GATEWAY = "webrtcgateway";

    /**
     * Methods whose initial requests are routed; the applications answer 405 for those they do not handle and 501
     * for methods no RFC defines. {@code ALL} is Restcomm's rule list for every method without its own (REGISTER,
     * PRACK, unknown ones): without it such a request matched no application, and the container answered 404 with a
     * stack trace at ERROR. Requests our applications originate (a gateway REGISTER) never reach these rules
     * ({@code SylkApplicationRouter}).
     */
    static final List<String> METHODS = List.of("INVITE", "SUBSCRIBE", "REFER", "MESSAGE", "OPTIONS", "PUBLISH",
            "NOTIFY", "INFO", "UPDATE", "ALL");

    private static final Logger LOG = Logger.getLogger("sylk.core");
    private static final String HEADER = "[\\r\\n][Xx]-[Ss][Yy][Ll][Kk]-[Aa][Pp][Pp][\\t\\x20]*:[\\t\\x20]*";
    private static final String REQUEST_LINE = "\\A[A-Z]+\\x20sips?:";
    /** What may follow the host part of a Request-URI: port, parameters, headers or the space before SIP/2.0. */
    private static final String AFTER_HOST = "[:;?\\x20]";
    /** An INVITE to {@code user@videoconference.<anything>}, {@code videoconference} in any case. */
    private static final String ROOM_INVITE = "\\AINVITE\\x20sips?:[^@\\x20]+@"
            + "[Vv][Ii][Dd][Ee][Oo][Cc][Oo][Nn][Ff][Ee][Rr][Ee][Nn][Cc][Ee]\\x2e";

    /** One entry of the router's list: the application and the expression to find, {@code null} for "always". */
    record Rule(String application, String regex) {
    }

    private final ServerConfig.Server server;
    private final SortedSet<String> enabled;

    /**
     * @param config    the server configuration ({@code default_application}, {@code application_map},
     *                  {@code disabled_applications})
     * @param installed names of the applications deployed; those in {@code disabled_applications} are left out
     */
    public DarPropertiesGenerator(ServerConfig config, Set<String> installed) {
        this.server = config.server();
        // sorted, so the same configuration always gives the same file
        SortedSet<String> names = new TreeSet<>(installed);
        names.removeAll(server.disabledApplications());
        this.enabled = Collections.unmodifiableSortedSet(names);
    }

    /** The text of {@code dar.properties}. */
    public String generate() {
        List<Rule> rules = rules();
        StringBuilder out = new StringBuilder();
        out.append("# Generated by sylk-server at start-up from config.ini ([Server] application_map,\n");
        out.append("# default_application, disabled_applications). Do not edit: put your own dar.properties in the\n");
        out.append("# configuration directory instead, and it will be used unchanged.\n");
        for (String method : METHODS) {
            out.append(method).append(": ");
            for (int i = 0; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                if (i > 0) {
                    out.append(", \\\n    ");
                }
                out.append("(\"").append(rule.application()).append("\", \"DAR:From\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"")
                        .append(i).append('"');
                if (rule.regex() != null) {
                    out.append(", \"REGEX=").append(rule.regex().replace("\\", "\\\\")).append('"');
                }
                out.append(')');
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The rules in the order the router tries them (the same for every method). */
    List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        for (String application : enabled) {
            rules.add(new Rule(application, HEADER + escape(application) + "[\\t\\x20]*\\r?\\n"));
        }
        rules.add(new Rule(NOT_FOUND, HEADER));
        if (enabled.contains(GATEWAY)) {
            rules.add(new Rule(GATEWAY, REQUEST_LINE + escape(GATEWAY_CONTACT_PREFIX)));
        }
        Map<String, String> targets = targets(server.applicationMap());
        for (Map.Entry<String, String> entry : targets.entrySet()) {
            if (entry.getKey().contains("@")) {
                int at = entry.getKey().lastIndexOf('@');
                String user = escape(entry.getKey().substring(0, at));
                String host = escape(entry.getKey().substring(at + 1));
                rules.add(new Rule(entry.getValue(), REQUEST_LINE + user + "@" + host + AFTER_HOST));
            }
        }
        for (Map.Entry<String, String> entry : targets.entrySet()) {
            if (!entry.getKey().contains("@")) {
                String host = escape(entry.getKey());
                rules.add(new Rule(entry.getValue(), REQUEST_LINE + host + AFTER_HOST + "|"
                        + REQUEST_LINE + "[^@\\x20]+@" + host + AFTER_HOST));
            }
        }
        for (Map.Entry<String, String> entry : targets.entrySet()) {
            if (!entry.getKey().contains("@")) {
                rules.add(new Rule(entry.getValue(), REQUEST_LINE + escape(entry.getKey()) + "@"));
            }
        }
        if (enabled.contains(GATEWAY)) {
            rules.add(new Rule(GATEWAY, ROOM_INVITE));
        }
        String fallback = server.defaultApplication();
        if (!enabled.contains(fallback) && !fallback.equals("conference")) {
            LOG.warning("default_application '" + fallback + "' is not installed or disabled; using 'conference'");
            fallback = "conference";
        }
        if (enabled.contains(fallback)) {
            rules.add(new Rule(fallback, null));
        } else {
            LOG.warning("default application 'conference' is not installed or disabled: requests no rule matches get 404");
        }
        rules.add(new Rule(NOT_FOUND, null));
        return rules;
    }

    /** The application each map key leads to: the mapped one when enabled, else {@code notfound}. */
    private Map<String, String> targets(Map<String, String> map) {
        Map<String, String> targets = new LinkedHashMap<>();
        map.forEach((key, application) -> {
            if (enabled.contains(application)) {
                targets.put(key, application);
            } else {
                LOG.warning("application_map entry " + key + ":" + application
                        + " names an application that is not installed or disabled; such requests get 404");
                targets.put(key, NOT_FOUND);
            }
        });
        return targets;
    }

    /** Letters and digits as they are, everything else as {@code \xHH} (or {@code \x{HHHH}}). */
    static String escape(String literal) {
        StringBuilder out = new StringBuilder();
        literal.codePoints().forEach(c -> {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                out.appendCodePoint(c);
            } else if (c <= 0xff) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.append(String.format("\\x{%x}", c));
            }
        });
        return out.toString();
    }
}
