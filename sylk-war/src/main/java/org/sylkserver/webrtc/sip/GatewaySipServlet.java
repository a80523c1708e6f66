package org.sylkserver.webrtc.sip;

import java.util.Set;

import javax.servlet.sip.SipServletRequest;

import org.sylkserver.core.sip.SylkSipServlet;

/**
 * The SIP side of the {@code webrtcgateway} application (spec §2.4). It shares the archive, and so the class
 * loader and application session space, with the sylkRTC WebSocket endpoint: this is the converged archive.
 *
 * <p>For now only the generic rules apply: an INVITE that is not an MSRP file transfer is declined with 488 as
 * the original does; MESSAGE storage and file transfer arrive with their own features.
 */
public class GatewaySipServlet extends SylkSipServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected String applicationName() {
        return "webrtcgateway";
    }

    @Override
    protected Set<String> initialMethods() {
        return Set.of("INVITE");
    }

    @Override
    protected void doInvite(SipServletRequest request) {
        if (request.isInitial()) {
            reply(request, 488, "Not Acceptable Here");
        }
    }
}
