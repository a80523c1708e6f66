package org.sylkserver.webrtc;

import javax.servlet.ServletContext;
import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;
import javax.servlet.annotation.WebListener;
import javax.websocket.DeploymentException;
import javax.websocket.server.ServerContainer;

/**
 * Deploys the sylkRTC WebSocket endpoint when the archive starts, with the gateway of the archive's servlet context
 * (installed there by the SIP servlet), and stops its threads when the archive is undeployed, so nothing of it
 * outlives its class loader.
 */
@WebListener
public class GatewayLifecycle implements ServletContextListener {

    private SylkRtcEndpoint.Deployment endpoints;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ServerContainer container = (ServerContainer) context.getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("no WebSocket container in " + context.getContextPath());
        }
        endpoints = new SylkRtcEndpoint.Deployment(() -> Gateway.of(context));
        try {
            container.addEndpoint(endpoints.config());
        } catch (DeploymentException e) {
            throw new IllegalStateException("cannot deploy the sylkRTC endpoint: " + e.getMessage(), e);
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (endpoints != null) {
            endpoints.shutdown();
        }
    }
}
