package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;

import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.webrtc.Account;
import org.sylkserver.webrtc.SipCall;
import org.sylkserver.webrtc.SipCalls;
import org.sylkserver.webrtc.api.SipHeader;
import org.sylkserver.webrtc.registration.CredentialRealms;

/**
 * Outgoing calls through the container's SIP stack (spec §4.5.3): an INVITE in a new SIP application session from
 * the account's AOR and display name, through {@code outbound_sip_proxy} when it is set, else to the callee's
 * domain as the stack resolves it (RFC 3263).
 */
public final class ServletCalls implements SipCalls {

    private final SipFactory factory;
    private final ServerConfig.OutboundProxy proxy;
    private final String userAgent;

    /**
     * @param factory   the container's SIP factory
     * @param proxy     {@code outbound_sip_proxy}, or {@code null}
     * @param userAgent the {@code User-Agent} of calls whose account gives none
     */
    public ServletCalls(SipFactory factory, ServerConfig.OutboundProxy proxy, String userAgent) {
        this.factory = factory;
        this.proxy = proxy;
        this.userAgent = userAgent;
    }

    @Override
    public SipCall dial(Account account, String uri, String sdp, List<SipHeader> headers, SipCall.Listener listener)
            throws IOException {
        try {
            Address from = factory.createAddress("sip:" + account.aor());
            if (account.displayName() != null) {
                from.setDisplayName(account.displayName());
            }
            SipServletRequest invite = factory.createRequest(factory.createApplicationSession(), "INVITE", from,
                    factory.createAddress("sip:" + uri));
            invite.setHeader("User-Agent", account.userAgent() != null ? account.userAgent() : userAgent);
            ServletCall.addHeaders(invite, headers);
            invite.setContent(sdp.getBytes(StandardCharsets.UTF_8), "application/sdp");
            if (proxy != null) {
                proxy.route(factory, invite);
            }
            ServletCall call = ServletCall.outgoing(invite, account, CredentialRealms.of(account.domain(), proxy),
                    headers, listener);
            call.send();
            return call;
        } catch (ServletParseException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException("Cannot call " + uri + ": " + e.getMessage(), e);
        }
    }
}
