package org.sylkserver.media.sdp;

/**
 * A {@code c=} line (RFC 4566 §5.7): {@code IN IP4 192.0.2.1} or {@code IN IP6 2001:db8::1}.
 *
 * @param addressType {@code IP4} or {@code IP6}
 * @param address     the address (multicast TTL/count suffixes are kept as written)
 */
public record ConnectionData(String addressType, String address) {

    static ConnectionData parse(String value, int lineNumber) throws SdpException {
        String[] parts = value.trim().split(" +");
        if (parts.length != 3 || !parts[0].equals("IN") || !(parts[1].equals("IP4") || parts[1].equals("IP6"))
                || parts[2].isEmpty()) {
            throw new SdpException("SDP line " + lineNumber + ": bad connection data 'c=" + value
                    + "' (expected 'IN IP4|IP6 <address>')");
        }
        if (parts[1].equals("IP4") && !parts[2].matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]+){0,2}|[A-Za-z0-9.\\-]+")) {
            throw new SdpException("SDP line " + lineNumber + ": bad IPv4 address '" + parts[2] + "'");
        }
        return new ConnectionData(parts[1], parts[2]);
    }

    @Override
    public String toString() {
        return "IN " + addressType + " " + address;
    }
}
