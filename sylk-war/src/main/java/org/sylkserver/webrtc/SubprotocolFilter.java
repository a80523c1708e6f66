package org.sylkserver.webrtc;

import java.io.IOException;
import java.util.Arrays;

import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Refuses WebSocket handshakes to the sylkRTC endpoint that do not offer the {@code sylkRTC-2} subprotocol
 * with HTTP 406 "No compatible protocol specified" (spec §4.2). Tomcat's WebSocket implementation would
 * otherwise complete the handshake without a subprotocol. It runs before Tomcat's WebSocket filter, which
 * is mapped after the filters of web.xml.
 */
public class SubprotocolFilter implements Filter {

    @Override
    public void init(FilterConfig config) {
        // no settings
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        response.setHeader("Server", "SylkServer/" + org.sylkserver.core.Version.current());
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade")) && !offersSylkRtc(request)) {
            response.sendError(HttpServletResponse.SC_NOT_ACCEPTABLE, "No compatible protocol specified");
            return;
        }
        chain.doFilter(req, res);
    }

    static boolean offersSylkRtc(HttpServletRequest request) {
        var headers = request.getHeaders("Sec-WebSocket-Protocol");
        while (headers != null && headers.hasMoreElements()) {
            if (Arrays.stream(headers.nextElement().split(",")).map(String::trim)
                    .anyMatch(SylkRtcEndpoint.SUBPROTOCOL::equals)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void destroy() {
        // nothing held
    }
}
