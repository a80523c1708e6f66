package org.sylkserver.webrtc;

import org.sylkserver.webrtc.api.SylkRtcMessage;
import org.sylkserver.webrtc.messaging.Messaging;

/**
 * Messaging's account events to the connections where the account is authenticated (spec §4.8.2: "Events are only
 * delivered to connections where the account is authenticated"), each sent on its connection's executor.
 */
public final class AccountDevices implements Messaging.Devices {

    private final IncomingCalls registry;

    /** @param registry knows on which connections each account is authenticated */
    public AccountDevices(IncomingCalls registry) {
        this.registry = registry;
    }

    @Override
    public void publish(String account, SylkRtcMessage event, SylkRtcConnection except) {
        String json = null;
        for (SylkRtcConnection connection : registry.connections(account)) {
            if (connection != except) {
                // serialized once for all the account's devices (JSON-B was a good part of an incoming MESSAGE's cost)
                String text = json == null ? json = SylkRtcConnection.json(event) : json;
                connection.later(() -> connection.send(text));
            }
        }
    }

    /**
     * Whether {@code account} is authenticated on a live connection from {@code address}: who may upload a file as
     * that account (spec §4.10.2).
     */
    public boolean authenticatedFrom(String account, String address) {
        return registry.connections(account).stream().anyMatch(connection -> connection.address().equals(address));
    }

    @Override
    public void send(SylkRtcConnection connection, SylkRtcMessage event) {
        connection.later(() -> connection.send(event));
    }
}
