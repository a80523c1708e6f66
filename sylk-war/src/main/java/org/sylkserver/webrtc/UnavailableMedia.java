package org.sylkserver.webrtc;

/**
 * The media factory of a gateway without a media bridge: every call is refused with a clear error (the
 * {@code session-create} error, or an incoming call declined). Used before the archive starts and, until a bridge
 * is installed in {@code GatewaySipServlet.productionMedia()}, by the running gateway.
 */
public final class UnavailableMedia implements SessionMediaFactory {

    private final String reason;

    /** @param reason the error text of every refused call */
    public UnavailableMedia(String reason) {
        this.reason = reason;
    }

    @Override
    public SessionMedia fromBrowserOffer(String sdp) throws MediaException {
        throw new MediaException(reason);
    }

    @Override
    public SessionMedia fromSipOffer(String sdp) throws MediaException {
        throw new MediaException(reason);
    }
}
