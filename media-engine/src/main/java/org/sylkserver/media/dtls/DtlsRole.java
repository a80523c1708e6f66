package org.sylkserver.media.dtls;

import java.util.Locale;

import org.sylkserver.protocols.sdp.SdpException;

/**
 * Which end of a DTLS-SRTP association we are, chosen from the {@code setup} attribute of the offer/answer exchange
 * (RFC 4145 §4, as RFC 5763 §5 and RFC 8842 §5 use it for DTLS; XEP-0320 §1 carries the same values in Jingle):
 * {@code active} opens the association (the DTLS client), {@code passive} waits for it (the DTLS server),
 * {@code actpass}, offered only, leaves the choice to the answerer. {@code holdconn} is not used for DTLS-SRTP
 * (XEP-0320 §1 maps no such role) and is refused.
 *
 * <p>Our choice as answerer to {@code actpass} is {@code passive}: the media side is always the DTLS server where it
 * may choose (the WebRTC legs are too). RFC 5763 §5 recommends {@code active} so that the handshake can start while
 * the answer travels; with our lite ICE agent (RFC 8445 §2.5) nothing can: we learn the peer's address only from its
 * connectivity checks, which it sends once it has our answer, so there is nothing to gain from being the client.
 */
public enum DtlsRole {
    /** We send the ClientHello ({@code setup:active}). */
    CLIENT,
    /** We wait for it ({@code setup:passive}). */
    SERVER;

    /**
     * Our role as answerer to an offer with {@code offeredSetup} (RFC 8842 §5.3): {@code actpass} and {@code active}
     * make us the server, {@code passive} the client.
     *
     * @throws SdpException for {@code holdconn} or any other value
     */
    public static DtlsRole answering(String offeredSetup) throws SdpException {
        return switch (normalized(offeredSetup)) {
            case "actpass", "active" -> SERVER;
            case "passive" -> CLIENT;
            default -> throw new SdpException("offer with setup '" + offeredSetup
                    + "': not a DTLS role (RFC 8842 §5.3: actpass, active or passive)");
        };
    }

    /**
     * Our role as offerer of {@code actpass} once the answer says {@code answeredSetup} (RFC 8842 §5.3): the
     * answerer's {@code active} makes us the server, its {@code passive} the client.
     *
     * @throws SdpException for {@code actpass} (an answerer must choose, RFC 8842 §5.3), {@code holdconn} or any
     *                      other value
     */
    public static DtlsRole offering(String answeredSetup) throws SdpException {
        return switch (normalized(answeredSetup)) {
            case "active" -> SERVER;
            case "passive" -> CLIENT;
            default -> throw new SdpException("answer with setup '" + answeredSetup
                    + "': an answerer must say active or passive (RFC 8842 §5.3)");
        };
    }

    /** The {@code setup} value that says this role in our answer: {@code active} for the client, else passive. */
    public String setup() {
        return this == CLIENT ? "active" : "passive";
    }

    private static String normalized(String setup) {
        return setup == null ? "" : setup.trim().toLowerCase(Locale.ROOT);
    }
}
