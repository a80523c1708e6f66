package org.sylkserver.conference;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;
import javax.servlet.ServletRegistration;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.conference.web.ScreenSharingViewer;

/**
 * The conference application's start and end on its HTTP side (context {@code /conference}): clears
 * {@code screensharing_images_dir} (spec §3.1: images do not outlive the application), sets up screen sharing for
 * the rooms ({@link ScreenSharing.Setup}: the directory, the links' base, the idle timeout and the thread the idle
 * timers run on) and mounts the {@link ScreenSharingViewer} on {@code /conference/*} (spec §3.7, §4.13).
 */
public class ConferenceWeb implements ServletContextListener {

    private static final Logger log = Logger.getLogger(ConferenceWeb.class.getName());

    private ScheduledThreadPoolExecutor timers;

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
        timers = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "conference-screen-sharing");
            thread.setDaemon(true);
            return thread;
        });
        // every frame cancels the previous idle timer: do not keep the cancelled ones queued for 10 s
        timers.setRemoveOnCancelPolicy(true);
        Duration idle = settings.screenSharingIdleTimeout();
        ScreenSharing.Setup.install(new ScreenSharing.Setup(images, config.webBaseUrl(), idle, (task, delay) -> {
            ScheduledFuture<?> timer = timers.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            return () -> timer.cancel(false);
        }));
        ServletRegistration.Dynamic viewer = event.getServletContext().addServlet("screen-sharing-viewer",
                new ScreenSharingViewer(images));
        viewer.addMapping("/*");
        log.info(() -> "screen sharing: images in " + images + ", links at " + config.webBaseUrl()
                + event.getServletContext().getContextPath() + "/, idle after " + idle.toMillis() + " ms");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (timers != null) {
            timers.shutdownNow();
        }
    }
}
