package org.sylkserver.protocols.sdp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code c=} line (RFC 4566 §5.7): {@code IN IP4 192.0.2.1} or {@code IN IP6 2001:db8::1}.
 *
 * @param addressType {@code IP4} or {@code IP6}
 * @param address     the address as written, including multicast TTL/count suffixes ({@code 224.2.1.1/127})
 */
public record ConnectionData(String addressType, String address) {

    private static final Pattern IP4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    private static final Pattern IP6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    /** RFC 4566 allows a host name instead of a literal; it must contain a letter to tell it from a bad literal. */
    private static final Pattern FQDN = Pattern.compile("(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?");
    private static final Pattern SUFFIXES = Pattern.compile("(/[0-9]{1,5}){0,2}");

    static ConnectionData parse(String value, int lineNumber) throws SdpException {
        String[] parts = value.trim().split(" +");
        if (parts.length != 3 || !parts[0].equals("IN") || !(parts[1].equals("IP4") || parts[1].equals("IP6"))) {
            throw SdpException.atLine(lineNumber, "bad connection data 'c=" + SessionDescription.abbreviate(value)
                    + "' (expected 'IN IP4|IP6 <address>')");
        }
        String address = parts[2];
        int slash = address.indexOf('/');
        String host = slash < 0 ? address : address.substring(0, slash);
        boolean literal = parts[1].equals("IP4") ? IP4.matcher(host).matches() : isIp6Literal(host);
        if (!(literal || FQDN.matcher(host).matches()) || !SUFFIXES.matcher(address.substring(host.length())).matches()) {
            throw SdpException.atLine(lineNumber, "bad " + (parts[1].equals("IP4") ? "IPv4" : "IPv6")
                    + " address '" + SessionDescription.abbreviate(address) + "' in connection data");
        }
        return new ConnectionData(parts[1], address);
    }

    private static boolean isIp6Literal(String host) {
        if (!IP6.matcher(host).matches()) {
            return false;
        }
        try {
            // a text with ':' is parsed as a literal, never looked up in DNS
            return InetAddress.getByName(host) != null;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The first {@code c=} line among {@code lines} (already validated by the parser), or null. */
    static ConnectionData first(List<SessionDescription.Line> lines) {
        for (SessionDescription.Line line : lines) {
            if (line.type() == 'c') {
                try {
                    return parse(line.value(), 0);
                } catch (SdpException e) {
                    throw new IllegalStateException("c= line was accepted by the parser: " + line, e);
                }
            }
        }
        return null;
    }

    /** The address without multicast suffixes. */
    public String host() {
        int slash = address.indexOf('/');
        return slash < 0 ? address : address.substring(0, slash);
    }

    /**
     * The transport address {@code host:port}. Never blocks on DNS: a literal becomes a resolved address, a host
     * name an unresolved one.
     */
    public InetSocketAddress socketAddress(int port) {
        String host = host();
        boolean literal = addressType.equals("IP4") ? IP4.matcher(host).matches() : host.indexOf(':') >= 0;
        if (!literal) {
            return InetSocketAddress.createUnresolved(host, port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("literal accepted by the parser: " + host, e);
        }
    }

    @Override
    public String toString() {
        return "IN " + addressType + " " + address;
    }
}
