package org.sylkserver.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletResponse;

import org.junit.jupiter.api.Test;

/** What the servlet base does before an application sees a response. */
class SylkSipServletTest {

    /** An application that reads its session's state for every 2xx, as the conference does. */
    private static final class Application extends SylkSipServlet {
        final List<Object> seen = new ArrayList<>();

        @Override
        protected String applicationName() {
            return "test";
        }

        @Override
        protected Set<String> initialMethods() {
            return Set.of("INVITE");
        }

        @Override
        protected void doSuccessResponse(SipServletResponse response) {
            seen.add(response.getApplicationSession().getAttribute("state"));
        }
    }

    /**
     * The 200 to a subscription's final NOTIFY that arrives after the application session was invalidated is dropped
     * (the application's read threw IllegalStateException, logged by the container at ERROR); a response of a live
     * session is handed on.
     */
    @Test
    void aResponseForAnInvalidatedSessionIsDropped() throws Exception {
        Application application = new Application();
        application.doResponse(response(false));
        assertEquals(List.of(), application.seen);
        application.doResponse(response(true));
        assertEquals(List.of("active"), application.seen);
    }

    /** A 200 to a NOTIFY whose application session is valid or, as Restcomm's, throws on use once invalidated. */
    private static SipServletResponse response(boolean valid) {
        SipApplicationSession session = (SipApplicationSession) Proxy.newProxyInstance(
                SipApplicationSession.class.getClassLoader(), new Class<?>[] {SipApplicationSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isValid" -> valid;
                    case "getAttribute" -> {
                        if (!valid) {
                            throw new IllegalStateException("SipApplicationSession already invalidated !");
                        }
                        yield "active";
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (SipServletResponse) Proxy.newProxyInstance(SipServletResponse.class.getClassLoader(),
                new Class<?>[] {SipServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getApplicationSession" -> session;
                    case "getStatus" -> 200;
                    case "getMethod" -> "NOTIFY";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
