package org.sylkserver.it;

import java.io.File;
import java.nio.file.Path;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The real archives built by the other modules, as Arquillian deployments. */
public final class Archives {

    private static final Path ROOT = Path.of(System.getProperty("sylk.archives", ".."));

    private Archives() {
    }

    /**
     * Every application the server ships, deployed together as {@code ./sylk-server} runs them (the container adapter
     * deploys each web archive of this enterprise archive): end-to-end tests use this unless isolation is their
     * point, since a test that deployed one archive hid a routing fault every user hit.
     */
    public static EnterpriseArchive all() {
        return ShrinkWrap.create(EnterpriseArchive.class, "sylk-applications.ear")
                .addAsModules(conference(), echo(), notFound(), webrtcGateway(), xmppGateway());
    }

    public static WebArchive echo() {
        return load("sylk-sar/echo/target/echo.war");
    }

    public static WebArchive conference() {
        return load("sylk-sar/conference/target/conference.war");
    }

    public static WebArchive notFound() {
        return load("sylk-sar/notfound/target/notfound.war");
    }

    public static WebArchive webrtcGateway() {
        return load("sylk-war/target/webrtcgateway.war");
    }

    public static WebArchive xmppGateway() {
        return load("sylk-sar/xmppgateway/target/xmppgateway.war");
    }

    private static WebArchive load(String path) {
        File file = ROOT.resolve(path).toFile();
        if (!file.isFile()) {
            throw new IllegalStateException("archive not built: " + file.getAbsolutePath());
        }
        return ShrinkWrap.createFromZipFile(WebArchive.class, file);
    }
}
