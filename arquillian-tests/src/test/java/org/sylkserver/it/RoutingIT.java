package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Application selection by the container's application router from the generated {@code dar.properties}
 * (spec §2.2), source authorization (spec §1.5) and the generic method rules (spec §1.3, §2.4), checked with
 * sipp against the deployed {@code echo} and {@code notfound} archives. No {@code conference} is deployed, so
 * requests for the default application must get 404.
 */
@ExtendWith(ArquillianExtension.class)
class RoutingIT {

    @Deployment(name = "echo", testable = false, order = 1)
    static WebArchive echo() {
        return Archives.echo();
    }

    @Deployment(name = "notfound", testable = false, order = 2)
    static WebArchive notFound() {
        return Archives.notFound();
    }

    @TempDir
    Path work;

    private Sipp.Result options(String user, List<String> headers, int status, String... checks) throws Exception {
        return Sipp.scenario(work, Scenarios.request("OPTIONS", user, headers, status, checks)).run();
    }

    @Test
    void requestUriUserMappedByApplicationMapReachesEcho() throws Exception {
        // default application_map is echo:echo; the Allow header is the echo application's (it handles MESSAGE)
        Sipp.Result result = options("echo", List.of(), 200, "Allow:.*MESSAGE", "Accept:.*application/sdp");
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void xSylkAppHeaderOverridesTheRequestUri() throws Exception {
        Sipp.Result result = options("someroom", List.of("X-Sylk-App: echo"), 200, "Allow:.*MESSAGE");
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void xSylkAppHeaderNamingAnUnknownApplicationGets404EvenForAMappedUser() throws Exception {
        Sipp.Result result = options("echo", List.of("X-Sylk-App: nosuchapp"), 404, "SIP/2.0 404 Application not found");
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void defaultApplicationNotDeployedGets404() throws Exception {
        Sipp.Result result = options("someroom", List.of(), 404);
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void untrustedSourceGets403() throws Exception {
        // arquillian.xml trusts only 127.0.0.1
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("OPTIONS", "echo", List.of(), 403)).from("127.0.0.2").run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void untrustedSourceGets403BeforeTheUnknownApplicationCheck() throws Exception {
        Sipp.Result result = Sipp.scenario(work,
                Scenarios.request("OPTIONS", "echo", List.of("X-Sylk-App: nosuchapp"), 403)).from("127.0.0.2").run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void subscribeToEchoGets405WithAllow() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("SUBSCRIBE", "echo",
                List.of("Event: conference", "Expires: 60"), 405, "Allow: INVITE")).run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void publishGets405() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("PUBLISH", "echo",
                List.of("Event: presence", "Expires: 60"), 405)).run();
        assertEquals(0, result.exitCode(), result::toString);
    }
}
