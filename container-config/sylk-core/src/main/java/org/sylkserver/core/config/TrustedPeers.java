package org.sylkserver.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code [SIP] trusted_peers} (spec §1.5): the source addresses allowed to send requests to the server.
 * Entries are CIDR networks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), single addresses, host names
 * (resolved once, when the configuration is read), {@code any} (everything) or {@code none} (nothing).
 */
public final class TrustedPeers {

    /** How {@link #parse} reports a bad entry (so the message names file, section and option). */
    @FunctionalInterface
    public interface Errors {
        ConfigException error(String option, String value, String problem);
    }

    private record Network(byte[] prefix, int bits) {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest);
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }

    private final List<Network> networks;
    private final String text;

    private TrustedPeers(List<Network> networks, String text) {
        this.networks = networks;
        this.text = text;
    }

    /** Everything is trusted (the default). */
    public static TrustedPeers any() {
        return new TrustedPeers(List.of(new Network(new byte[4], 0), new Network(new byte[16], 0)), "any");
    }

    /**
     * Parses the option's value: host names are resolved now, once, so a later DNS change needs a restart.
     *
     * @throws ConfigException (made by {@code errors}) for an entry that is neither address, network nor known host
     */
    public static TrustedPeers parse(String value, Errors errors) throws ConfigException {
        List<Network> networks = new ArrayList<>();
        for (String item : value.split(",")) {
            String entry = item.strip();
            // "none" adds nothing: with no other entry, nobody is trusted
            if (entry.isEmpty() || entry.equalsIgnoreCase("none")) {
                continue;
            }
            if (entry.equalsIgnoreCase("any")) {
                networks.addAll(any().networks);
                continue;
            }
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            InetAddress literal = IpLiteral.parse(host);
            InetAddress[] addresses;
            if (literal != null) {
                addresses = new InetAddress[] {literal};
            } else if (slash >= 0 || host.matches("[0-9.]+")) {
                throw errors.error("trusted_peers", entry, "not an IP address or ADDRESS/PREFIX-LENGTH network");
            } else {
                try {
                    addresses = InetAddress.getAllByName(host);
                } catch (UnknownHostException e) {
                    throw errors.error("trusted_peers", entry, "not an address, network or resolvable host name");
                }
            }
            for (InetAddress address : addresses) {
                int maxBits = address.getAddress().length * 8;
                int bits = maxBits;
                if (slash >= 0) {
                    String length = entry.substring(slash + 1);
                    bits = length.matches("\\d{1,3}") ? Integer.parseInt(length) : -1;
                    if (bits < 0 || bits > maxBits) {
                        throw errors.error("trusted_peers", entry, "prefix length must be 0-" + maxBits);
                    }
                }
                networks.add(new Network(address.getAddress(), bits));
            }
        }
        return new TrustedPeers(List.copyOf(networks), value.strip());
    }

    /**
     * These peers and {@code address} as well, for an application that sends requests to this server itself
     * ({@code webrtcgateway}'s {@code local_sip_messages}, spec §8.3); these if {@code address} is trusted already.
     */
    public TrustedPeers with(InetAddress address) {
        if (isTrusted(address)) {
            return this;
        }
        List<Network> more = new ArrayList<>(networks);
        more.add(new Network(address.getAddress(), address.getAddress().length * 8));
        return new TrustedPeers(List.copyOf(more), text.isEmpty() || text.equalsIgnoreCase("none")
                ? address.getHostAddress() : text + ", " + address.getHostAddress());
    }

    /** Whether a request from {@code source} may be handled. */
    public boolean isTrusted(InetAddress source) {
        byte[] address = source.getAddress();
        for (Network network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
