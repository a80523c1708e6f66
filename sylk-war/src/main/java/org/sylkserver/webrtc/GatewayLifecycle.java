package org.sylkserver.webrtc;

import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;
import javax.servlet.annotation.WebListener;

/** Stops the gateway's threads when the archive is undeployed, so nothing of it outlives its class loader. */
@WebListener
public class GatewayLifecycle implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        // the endpoint's executors start with the class
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        SylkRtcEndpoint.shutdown();
    }
}
