package org.sylkserver.media;

import java.io.IOException;

/**
 * Every RTP port pair of {@code [RTP] port_range} is in use (or held by another program): the call should be
 * refused with 503 Service Unavailable rather than answered without media.
 */
public final class PortRangeExhaustedException extends IOException {

    private static final long serialVersionUID = 1L;

    PortRangeExhaustedException(String message) {
        super(message);
    }
}
