package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import javax.servlet.ServletException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.Version;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.webrtc.Gateway;
import org.sylkserver.webrtc.GatewayConfig;

/**
 * The SIP side of the {@code webrtcgateway} application (spec §2.4). It shares the archive, and so the class
 * loader and application session space, with the sylkRTC WebSocket endpoint: this is the converged archive.
 * On start it reads {@code webrtcgateway.ini} and installs the {@link Gateway} the WebSocket connections use;
 * it takes the responses to the registrations they make.
 *
 * <p>An initial INVITE is declined with 488 as the original does until calls arrive with their own feature.
 */
public class GatewaySipServlet extends SylkSipServlet {

    private static final long serialVersionUID = 1L;

    private transient ScheduledExecutorService timer;

    @Override
    public void init() throws ServletException {
        super.init();
        GatewayConfig config;
        try {
            config = GatewayConfig.load(SylkRuntime.get().configDir());
        } catch (ConfigException e) {
            throw new ServletException(e.getMessage(), e);
        }
        SipFactory factory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "webrtcgateway-sip-timer");
            thread.setDaemon(true);
            return thread;
        });
        @SuppressWarnings("unchecked")
        Supplier<List<SipURI>> interfaces = () -> (List<SipURI>) getServletContext().getAttribute(OUTBOUND_INTERFACES);
        ServletRegistrar registrar = new ServletRegistrar(factory, interfaces,
                config.outboundSipProxy(), Version.sipAgent(), timer);
        Gateway.install(new Gateway(config, registrar));
        log.info(() -> "webrtcgateway SIP side ready: " + (config.outboundSipProxy() == null
                ? "requests routed by RFC 3263" : "outbound proxy " + config.outboundSipProxy().host()
                + (config.outboundSipProxy().port() > 0 ? ":" + config.outboundSipProxy().port() : "")
                + ";transport=" + config.outboundSipProxy().transport())
                + ", SIP domains " + config.sipDomains());
    }

    @Override
    public void destroy() {
        Gateway.install(null);
        if (timer != null) {
            timer.shutdownNow();
        }
        super.destroy();
    }

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

    @Override
    protected void doResponse(SipServletResponse response) throws ServletException, IOException {
        if ("REGISTER".equals(response.getMethod())) {
            ServletRegistrar.response(response);
            return;
        }
        super.doResponse(response);
    }
}
