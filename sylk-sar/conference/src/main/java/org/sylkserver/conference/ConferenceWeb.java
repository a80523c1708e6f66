package org.sylkserver.conference;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;
import javax.servlet.ServletRegistration;

import org.sylkserver.conference.screen.ScreenSharing;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.conference.web.ScreenSharingViewer;

/**
 * The conference application's start on its HTTP side (context {@code /conference}): clears
 * {@code screensharing_images_dir} (spec §3.1: images do not outlive the application) and mounts the
 * {@link ScreenSharingViewer} on {@code /conference/*} (spec §3.7, §4.13). The rooms' screen sharing is set up by
 * the application ({@link Conference}).
 */
public class ConferenceWeb implements ServletContextListener {

    private static final Logger log = Logger.getLogger(ConferenceWeb.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent event) {
        SylkRuntime runtime = SylkRuntime.get();
        ServerConfig config = runtime.config();
        ConferenceSettings settings;
        try {
            settings = ConferenceSettings.load(runtime.configDir());
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        Path images = settings.screenSharingImagesDir(config.server().spoolDir());
        try {
            ScreenSharing.removeTree(images);
        } catch (IOException e) {
            throw new IllegalStateException("cannot clear screensharing_images_dir " + images + ": " + e.getMessage(),
                    e);
        }
        Duration idle = settings.screenSharingIdleTimeout();
        ServletRegistration.Dynamic viewer = event.getServletContext().addServlet("screen-sharing-viewer",
                new ScreenSharingViewer(images));
        viewer.addMapping("/*");
        log.info(() -> "screen sharing: images in " + images + ", links at " + config.webBaseUrl()
                + event.getServletContext().getContextPath() + "/, idle after " + idle.toMillis() + " ms");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        // the application's threads are the conference's (Conference#close)
    }
}
