package org.sylkserver.webrtc.sip;

import java.security.SecureRandom;
import java.util.HexFormat;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.sylkserver.protocols.digest.DigestChallenge;
import org.sylkserver.webrtc.Account;
import org.sylkserver.webrtc.registration.CredentialRealms;

/** Credentials from an account's HA1 for the requests the gateway sends for it: calls and messages. */
final class DigestCredentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    private DigestCredentials() {
    }

    /**
     * RFC 3261 §22.2, §22.3: puts on {@code request} the credentials answering the challenge of {@code challenged}
     * (401: Authorization, 407: Proxy-Authorization), made from the account's HA1.
     *
     * @throws IllegalArgumentException the challenge is not a digest we can answer, or comes from a realm that gets
     *                                  no credentials ({@link CredentialRealms})
     */
    static void authorize(SipServletRequest request, SipServletResponse challenged, Account account,
                          CredentialRealms realms) {
        boolean proxy = challenged.getStatus() == 407;
        DigestChallenge challenge = DigestChallenge.parse(challenged.getHeader(proxy ? "Proxy-Authenticate"
                : "WWW-Authenticate"));
        if (!realms.allows(challenge.realm())) {
            throw new IllegalArgumentException("realm \"" + challenge.realm() + "\" is neither the account's domain nor"
                    + " the outbound proxy's: no credentials sent");
        }
        byte[] cnonce = new byte[8];
        RANDOM.nextBytes(cnonce);
        request.setHeader(proxy ? "Proxy-Authorization" : "Authorization", challenge.authorization(account.user(),
                account.ha1(), request.getMethod(), request.getRequestURI().toString(),
                HexFormat.of().formatHex(cnonce), 1));
    }
}
