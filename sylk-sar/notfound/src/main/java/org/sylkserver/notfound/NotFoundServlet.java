package org.sylkserver.notfound;

import java.io.IOException;
import java.util.Set;

import javax.servlet.sip.SipServletRequest;

import org.sylkserver.core.container.SylkApplicationRouter;
import org.sylkserver.core.sip.SylkSipServlet;

/**
 * Answers 404 to requests that the application router could not give to any application: an
 * {@code X-Sylk-App} header or an {@code application_map} entry naming an application that is not installed
 * (spec §2.2). A request from an untrusted source still gets 403 first, as in the original (spec §1.5).
 */
public class NotFoundServlet extends SylkSipServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected String applicationName() {
        return "notfound";
    }

    @Override
    protected Set<String> initialMethods() {
        return Set.of();
    }

    @Override
    protected void doRequest(SipServletRequest request) throws IOException {
        if (!isInitialRequest(request) || rejectUntrusted(request)) {
            return;
        }
        String wanted = request.getHeader(SylkApplicationRouter.APPLICATION_HEADER);
        log.info(() -> "no application for " + request.getMethod() + " " + request.getRequestURI()
                + (wanted != null ? " (X-Sylk-App: " + wanted.trim() + ")" : ""));
        reply(request, 404, "Application not found");
    }
}
