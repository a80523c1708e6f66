package org.sylkserver.media.msrp;

import java.util.Objects;

import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * The MSRP relay the operator configured (RFC 4976), and our account on it.
 *
 * @param relay    the relay's URI, e.g. {@code msrps://relay.example.com:2855;tcp}
 * @param username the user name of the digest credentials
 * @param password their password
 */
public record RelayConfig(MsrpUri relay, String username, String password) {

    public RelayConfig {
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (relay.port() < 0) {
            throw new IllegalArgumentException("relay URI " + relay + " has no port (DNS lookup of relays is not"
                    + " supported)");
        }
    }

    @Override
    public String toString() {
        return "RelayConfig[" + relay + ", " + username + "]"; // not the password
    }
}
