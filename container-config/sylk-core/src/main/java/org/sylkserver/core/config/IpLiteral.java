package org.sylkserver.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * IP address literals in configuration values. {@link InetAddress#getByName} alone is too lenient (it takes
 * {@code 10.1} for {@code 10.0.0.1}) and would look names up in DNS, so the text is checked first.
 */
public final class IpLiteral {

    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpLiteral() {
    }

    /** The address written as {@code text} (dotted IPv4 or IPv6), or {@code null} if it is not one. */
    public static InetAddress parse(String text) {
        if (!IPV4.matcher(text).matches() && !IPV6_CHARACTERS.matcher(text).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
