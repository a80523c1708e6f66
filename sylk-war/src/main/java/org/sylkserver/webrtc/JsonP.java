package org.sylkserver.webrtc;

import javax.json.spi.JsonProvider;

/**
 * The JSON-P provider, looked up once. {@code javax.json.Json}'s factory methods look the provider up again at every
 * call with a {@link java.util.ServiceLoader}, which in a web application scans the class loader's jars: profiled at
 * about a tenth of a sylkRTC request thread's CPU while clients sent {@code account-message}s (two parses per
 * WebSocket message). Use {@link #PROVIDER}'s {@code create...} methods instead of {@code Json.create...}.
 */
public final class JsonP {

    public static final JsonProvider PROVIDER = JsonProvider.provider();

    private JsonP() {
    }
}
