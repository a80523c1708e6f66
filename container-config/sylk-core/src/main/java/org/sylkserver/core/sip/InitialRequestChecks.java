package org.sylkserver.core.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The RFC 3261 §8.2 checks a UAS makes of a new request before its application sees it, as plain functions of
 * the request's method and header values (the servlet base turns each failure into its response).
 */
public final class InitialRequestChecks {

    /**
     * Option tags (RFC 3261 §19.2) the applications support, announced in {@code Supported}: Replaces (RFC 3891)
     * and REFER without implicit subscription (RFC 4488).
     */
    public static final List<String> SUPPORTED = List.of("replaces", "norefersub");

    /**
     * The methods SIP defines: RFC 3261's six, PRACK (RFC 3262), SUBSCRIBE and NOTIFY (RFC 6665), UPDATE (RFC 3311),
     * MESSAGE (RFC 3428), REFER (RFC 3515), INFO (RFC 6086) and PUBLISH (RFC 3903).
     */
    private static final Set<String> KNOWN_METHODS = Set.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER",
            "PRACK", "SUBSCRIBE", "NOTIFY", "UPDATE", "MESSAGE", "REFER", "INFO", "PUBLISH");

    private InitialRequestChecks() {
    }

    /**
     * Whether SIP defines {@code method} (case-sensitive, RFC 3261 §7.1): a method it does not is answered 501
     * (§8.2.1, §21.5.2; RFC 4475 §3.1.1.2, §3.1.1.5), one it defines that the application does not take 405.
     */
    public static boolean isKnownMethod(String method) {
        return KNOWN_METHODS.contains(method);
    }

    /**
     * Whether the sender speaks SIP/2.0, as the sent-protocol of its top {@code Via} says (RFC 3261 §20.42); any
     * other version is answered 505 (§21.5.6, RFC 4475 §3.1.2.16). The Via is where the version shows: the stack
     * rewrites the request line to SIP/2.0, and the servlet API reports SIP/2.0 whatever the request said.
     */
    public static boolean speaksSip20(String topVia) {
        String[] sentProtocol = topVia.split("/", 3);
        return sentProtocol.length < 3
                || sentProtocol[0].strip().equalsIgnoreCase("SIP") && sentProtocol[1].strip().equals("2.0");
    }

    /**
     * Whether a Request-URI of {@code scheme} can be served: only sip and sips name a user and host an application
     * can take (RFC 3261 §8.2.2.1: any other scheme is answered 416; RFC 4475 §3.3.2, §3.3.3).
     */
    public static boolean isServableScheme(String scheme) {
        return "sip".equalsIgnoreCase(scheme) || "sips".equalsIgnoreCase(scheme);
    }

    /**
     * The option tags of the {@code Require} values (comma-separated lists, RFC 3261 §20.32) that the server does
     * not support, in order: a non-empty result is answered 420 with them in {@code Unsupported} (§8.2.2.3).
     */
    public static List<String> unsupportedExtensions(List<String> requireValues) {
        List<String> unsupported = new ArrayList<>();
        for (String value : requireValues) {
            for (String tag : value.split(",")) {
                String option = tag.strip();
                // option tags compare case-insensitively (RFC 3261 §19.2)
                if (!option.isEmpty() && !SUPPORTED.contains(option.toLowerCase(Locale.ROOT))
                        && !unsupported.contains(option)) {
                    unsupported.add(option);
                }
            }
        }
        return unsupported;
    }

    /**
     * Whether an INVITE's body of {@code contentType} can be an offer: only SDP is (RFC 3261 §8.2.3: any other
     * type is answered 415 with an {@code Accept} header). {@code null} (no body) passes.
     */
    public static boolean isSdpOrAbsent(String contentType) {
        return contentType == null || mediaType(contentType).equals("application/sdp");
    }

    /**
     * Whether the request's {@code Accept} values (RFC 3261 §20.1) allow an SDP answer in the response. No
     * {@code Accept} header means application/sdp, an empty one means no format at all (§20.1); values that allow
     * neither application/sdp, {@code application/*} nor {@code *}{@code /*} are answered 406 (RFC 4475 §3.3.15).
     */
    public static boolean acceptsSdp(List<String> acceptValues) {
        if (acceptValues.isEmpty()) {
            return true;
        }
        for (String value : acceptValues) {
            for (String range : value.split(",")) {
                String type = mediaType(range);
                if (type.equals("application/sdp") || type.equals("application/*") || type.equals("*/*")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String mediaType(String value) {
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }
}
