package org.sylkserver.core.container;

import javax.servlet.sip.ar.SipApplicationRouter;
import javax.servlet.sip.ar.spi.SipApplicationRouterProvider;

/** Hands the container its {@link SylkApplicationRouter} (JSR 289 §15.12, named by a system property at start). */
public class SylkApplicationRouterProvider extends SipApplicationRouterProvider {

    private final SylkApplicationRouter router = new SylkApplicationRouter();

    @Override
    public SipApplicationRouter getSipApplicationRouter() {
        return router;
    }
}
