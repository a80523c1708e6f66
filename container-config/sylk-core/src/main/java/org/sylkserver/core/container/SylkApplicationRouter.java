package org.sylkserver.core.container;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import javax.servlet.sip.Address;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.ar.SipApplicationRouterInfo;
import javax.servlet.sip.ar.SipApplicationRoutingDirective;
import javax.servlet.sip.ar.SipApplicationRoutingRegion;
import javax.servlet.sip.ar.SipRouteModifier;
import javax.servlet.sip.ar.SipTargetedRequestInfo;

import org.mobicents.servlet.sip.router.DefaultApplicationRouter;
import org.mobicents.servlet.sip.router.DefaultSipApplicationRouterInfo;
import org.mobicents.servlet.sip.router.HeaderRegexCondition;

/**
 * The container's application router: Restcomm's default router (DAR, rules in {@code dar.properties}) for requests
 * from the network, and the network for requests our own applications originate.
 *
 * <p>JSR 289 §15.4 hands every initial request to the router, including those an application creates (a gateway
 * call, a room's dial-out, a file push, a REGISTER, a MESSAGE reply). The DAR only skips the application that sent
 * the request, so the next rule matched: the catch-all {@code default_application} captured a browser's outgoing
 * call into a local conference room, and the {@code notfound} rule refused a room's dial-out with 404. A request
 * that belongs to a SIP session already was created here and leaves through its routes or RFC 3263 resolution,
 * unless it names another application in {@code X-Sylk-App} (spec §2.2), the way one application may address
 * another.
 *
 * <p>A request from the network walks the rules as Restcomm's router does ({@link #fromNetwork}), but without its
 * cost: Restcomm 3.2.0-37 compiles each rule's {@code REGEX} and writes the whole request out as text again for every
 * rule it tries (nine times for a conference join with the generated rules; 11 % of the echo application's CPU
 * samples and 16 % of its allocation). Here each expression is compiled once and the text written once per request.
 * Each search is also skipped when the text lacks a word every match of the expression contains
 * ({@link Expression}): the generated rules try each application's {@code X-Sylk-App} in turn, and searching the
 * whole text for each was half the router's time for a MESSAGE to the XMPP gateway, the fifth application (issue 16).
 */
public class SylkApplicationRouter extends DefaultApplicationRouter {

    /** The header by which a request names its application (spec §2.2). */
    public static final String APPLICATION_HEADER = "X-Sylk-App";

    private static final Logger LOG = Logger.getLogger(SylkApplicationRouter.class.getName());
    /** Restcomm's names: the rule list for methods without their own, and the optional parameters we honour. */
    private static final String ANY_METHOD = "ALL";
    private static final String REGEX = "REGEX";
    private static final String REGEX_POPPED_ROUTE = "REGEX_POPPED_ROUTE";
    private static final String SUBSCRIBER_PREFIX = "DAR:";

    private final Set<String> deployed = ConcurrentHashMap.newKeySet();
    /** The rules' expressions, compiled once: the rules come from configuration, so the map stays small. */
    private final Map<String, Expression> expressions = new ConcurrentHashMap<>();
    private final HeaderRegexCondition headerCondition = new HeaderRegexCondition();

    @Override
    public void applicationDeployed(List<String> names) {
        super.applicationDeployed(names);
        deployed.addAll(names);
    }

    @Override
    public void applicationUndeployed(List<String> names) {
        super.applicationUndeployed(names);
        deployed.removeAll(names);
    }

    @Override
    public void destroy() {
        super.destroy();
        deployed.clear();
    }

    @Override
    public SipApplicationRouterInfo getNextApplication(SipServletRequest request, SipApplicationRoutingRegion region,
            SipApplicationRoutingDirective directive, SipTargetedRequestInfo targeted, Serializable stateInfo) {
        if (request != null && isOriginatedHere(request) && !namesAnotherApplication(request)) {
            LOG.fine(() -> request.getMethod() + " to " + request.getRequestURI() + " from application "
                    + request.getSession(false).getApplicationSession().getApplicationName() + " goes out");
            return toNetwork();
        }
        if (request == null || request.getSession(false) != null) {
            return super.getNextApplication(request, region, directive, targeted, stateInfo);
        }
        return fromNetwork(request, stateInfo);
    }

    /**
     * Restcomm's rule walk (its {@code DefaultApplicationRouter.getNextApplication} for a request without a SIP
     * session, which makes its DIRECTION hints moot): the method's rules, then the {@code ALL} rules, from the rule the
     * state info names; a rule applies when its {@code REGEX} is found in the request's text, its
     * {@code REGEX_POPPED_ROUTE} in the popped route, its header conditions hold, and its application is deployed
     * (or it routes elsewhere). No rule: the container sends the request on.
     */
    SipApplicationRouterInfo fromNetwork(SipServletRequest request, Serializable stateInfo) {
        Map<String, List<? extends SipApplicationRouterInfo>> rules = getConfiguration();
        if (rules != null) {
            String[] text = {null};
            SipApplicationRouterInfo chosen = firstApplying(request, stateInfo, rules.get(request.getMethod()), text);
            if (chosen == null) {
                chosen = firstApplying(request, stateInfo, rules.get(ANY_METHOD), text);
            }
            if (chosen != null) {
                return chosen;
            }
        }
        return toNetwork();
    }

    /** @param text the request's text, written on first need and kept for the other rules */
    private SipApplicationRouterInfo firstApplying(SipServletRequest request, Serializable stateInfo,
            List<? extends SipApplicationRouterInfo> rules, String[] text) {
        if (rules == null || rules.isEmpty()) {
            return null;
        }
        int from = stateInfo instanceof Integer previous ? previous : 0;
        for (SipApplicationRouterInfo rule : rules.subList(Math.min(from, rules.size()), rules.size())) {
            DefaultSipApplicationRouterInfo info = (DefaultSipApplicationRouterInfo) rule;
            String regex = info.getOptionalParameters().get(REGEX);
            if (regex != null) {
                if (text[0] == null) {
                    text[0] = request.toString();
                }
                if (!expression(regex).foundIn(text[0])) {
                    continue;
                }
            }
            String poppedRegex = info.getOptionalParameters().get(REGEX_POPPED_ROUTE);
            if (poppedRegex != null) {
                Address popped = request.getPoppedRoute();
                if (popped == null || !expression(poppedRegex).foundIn(popped.toString())) {
                    continue;
                }
            }
            if (!headerCondition.checkCondition(request, info)) {
                continue;
            }
            if (!deployed.contains(info.getApplicationName()) && SipRouteModifier.NO_ROUTE.equals(info.getRouteModifier())) {
                continue;
            }
            return new SipApplicationRouterInfo(info.getApplicationName(), info.getRoutingRegion(),
                    subscriber(request, info.getSubscriberIdentity()), info.getRoutes(), info.getRouteModifier(),
                    info.getOrder());
        }
        return null;
    }

    private Expression expression(String regex) {
        return expressions.computeIfAbsent(regex, Expression::of);
    }

    /** The subscriber the rule names: {@code DAR:From}, {@code DAR:To} or {@code DAR:<header>} read from the request. */
    private static String subscriber(SipServletRequest request, String identity) {
        if (identity == null || !identity.contains(SUBSCRIBER_PREFIX)) {
            return identity;
        }
        String which = identity.substring(SUBSCRIBER_PREFIX.length());
        if (which.equalsIgnoreCase("From")) {
            return request.getFrom().getURI().toString();
        }
        if (which.equalsIgnoreCase("To")) {
            return request.getTo().getURI().toString();
        }
        return request.getHeader(which);
    }

    /**
     * Whether an application of this container created the request: the container gives a request from the network
     * its SIP session only once an application was chosen for it.
     */
    static boolean isOriginatedHere(SipServletRequest request) {
        return request.getSession(false) != null;
    }

    /**
     * Whether a request an application sent names another application in {@code X-Sylk-App}. One naming its own sender
     * is for this server's SIP listener ({@code webrtcgateway}'s {@code local_sip_messages}, spec §4.9: a MESSAGE sent
     * to itself over TCP); it goes out, comes back in from the network, and is routed to the sender then: Restcomm's
     * router skips the sender and gave it to the next rule's application ({@code notfound}, 404).
     */
    private static boolean namesAnotherApplication(SipServletRequest request) {
        String named = request.getHeader(APPLICATION_HEADER);
        return named != null
                && !named.strip().equals(request.getSession(false).getApplicationSession().getApplicationName());
    }

    /** JSR 289 §15.4.1: no application, so the container sends the request out. */
    private static SipApplicationRouterInfo toNetwork() {
        return new SipApplicationRouterInfo(null, null, null, null, null, null);
    }

    /**
     * A rule's expression, compiled, with the longest word (ASCII letters and digits) that every match contains, read
     * from the expression's text; null when it has none or when the reading would be unsure (an alternative, a group,
     * a quotation or a class within a class). A text without the word cannot match, and {@link String#contains}
     * finds that out much faster than the search.
     */
    record Expression(Pattern pattern, String word) {

        static Expression of(String regex) {
            return new Expression(Pattern.compile(regex), requiredWord(regex));
        }

        /** Whether the expression is found in the text, as {@code Matcher.find} says. */
        boolean foundIn(String text) {
            return (word == null || text.contains(word)) && pattern.matcher(text).find();
        }

        static String requiredWord(String regex) {
            if (regex.indexOf('|') >= 0 || regex.indexOf('(') >= 0 || regex.contains("\\Q")) {
                return null;
            }
            String longest = "";
            int start = -1;
            int i = 0;
            while (i < regex.length()) {
                char c = regex.charAt(i);
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                    char next = i + 1 < regex.length() ? regex.charAt(i + 1) : 0;
                    boolean optional = next == '?' || next == '*' || next == '{';
                    int end = optional ? i : i + 1;
                    if (start < 0) {
                        start = i;
                    }
                    if (optional || next == '+') {
                        // a quantified character ends the word: it may be absent or repeated
                        longest = longer(longest, regex.substring(start, end));
                        start = -1;
                    }
                    i++;
                    continue;
                }
                if (start >= 0) {
                    longest = longer(longest, regex.substring(start, i));
                    start = -1;
                }
                i = switch (c) {
                    case '\\' -> afterEscape(regex, i);
                    case '[' -> afterClass(regex, i);
                    case '{' -> regex.indexOf('}', i) + 1;
                    default -> i + 1;
                };
                if (i <= 0) {
                    return null;
                }
            }
            if (start >= 0) {
                longest = longer(longest, regex.substring(start));
            }
            return longest.isEmpty() ? null : longest;
        }

        private static String longer(String a, String b) {
            return b.length() > a.length() ? b : a;
        }

        /** Where the escape at {@code i} ends (its letters are not the word's), or 0 when unsure. */
        private static int afterEscape(String regex, int i) {
            if (i + 1 >= regex.length()) {
                return 0;
            }
            char kind = regex.charAt(i + 1);
            return switch (kind) {
                case 'x' -> i + 2 < regex.length() && regex.charAt(i + 2) == '{' ? regex.indexOf('}', i) + 1 : i + 4;
                case 'u' -> i + 6;
                case 'c' -> i + 3;
                case '0' -> {
                    int end = i + 2;
                    while (end < regex.length() && end < i + 5 && regex.charAt(end) >= '0' && regex.charAt(end) <= '7') {
                        end++;
                    }
                    yield end;
                }
                case 'p', 'P', 'N' -> i + 2 < regex.length() && regex.charAt(i + 2) == '{'
                        ? regex.indexOf('}', i) + 1 : i + 3;
                case 'k' -> regex.indexOf('>', i) + 1;
                default -> kind >= '1' && kind <= '9' ? 0 : i + 2;
            };
        }

        /** Where the character class at {@code i} ends, or 0 for a class within a class. */
        private static int afterClass(String regex, int i) {
            int j = i + 1;
            if (j < regex.length() && regex.charAt(j) == '^') {
                j++;
            }
            if (j < regex.length() && regex.charAt(j) == ']') {
                j++;
            }
            while (j < regex.length()) {
                char c = regex.charAt(j);
                if (c == ']') {
                    return j + 1;
                }
                if (c == '[') {
                    return 0;
                }
                j = c == '\\' ? afterEscape(regex, j) : j + 1;
                if (j <= 0) {
                    return 0;
                }
            }
            return 0;
        }
    }
}
