package org.sylkserver.webrtc;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Supplier;

import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletContext;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletRequestWrapper;
import javax.servlet.http.HttpServletResponse;

import org.sylkserver.core.Version;

/**
 * The HTTP side of the sylkRTC handshake (spec §4.2), mapped to {@code /ws} in web.xml so that it runs before
 * Tomcat's WebSocket filter (which the container maps after the application's filters):
 * <ul>
 * <li>every response carries {@code Server: SylkServer/<version>};</li>
 * <li>a WebSocket upgrade that does not offer subprotocol {@code sylkRTC-2} is refused with 406
 * {@code No compatible protocol specified} — Tomcat would otherwise upgrade without a subprotocol;</li>
 * <li>one whose {@code Origin} is not among {@code web_origins} is refused with 403 {@code Origin not allowed}
 * ({@code *} allows any, and a missing or {@code null} origin);</li>
 * <li>an accepted upgrade carries the client's address to the endpoint in header {@value #PEER_HEADER}, which
 * replaces any value the client sent.</li>
 * </ul>
 */
public class HandshakeFilter implements Filter {

    /** Handshake header through which {@link SylkRtcEndpoint.Deployment} learns the client's {@code ip:port}. */
    static final String PEER_HEADER = "X-SylkRTC-Peer";
    static final String NO_PROTOCOL = "No compatible protocol specified";
    static final String BAD_ORIGIN = "Origin not allowed";

    private Supplier<List<String>> webOrigins;

    /** The filter of the running gateway: the {@code web_origins} of its servlet context's {@link Gateway}. */
    public HandshakeFilter() {
    }

    HandshakeFilter(Supplier<List<String>> webOrigins) {
        this.webOrigins = webOrigins;
    }

    @Override
    public void init(FilterConfig config) {
        if (webOrigins == null) {
            ServletContext context = config.getServletContext();
            webOrigins = () -> Gateway.of(context).config().webOrigins();
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        response.setHeader("Server", "SylkServer/" + Version.current());
        if (!hasToken(request, "Upgrade", "websocket", false)) {
            chain.doFilter(request, response);
        } else if (!hasToken(request, "Sec-WebSocket-Protocol", SylkRtcEndpoint.SUBPROTOCOL, true)) {
            response.setStatus(HttpServletResponse.SC_NOT_ACCEPTABLE);
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().write(NO_PROTOCOL);
        } else if (!originAllowed(request.getHeader("Origin"))) {
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().write(BAD_ORIGIN);
        } else {
            chain.doFilter(new WithPeer(request), response);
        }
    }

    private boolean originAllowed(String origin) {
        List<String> allowed = webOrigins.get();
        return allowed.contains("*") || origin != null && allowed.contains(origin);
    }

    /** Whether a comma-separated header, over all its lines, lists {@code token} (RFC 7230 §7). */
    private static boolean hasToken(HttpServletRequest request, String header, String token, boolean caseSensitive) {
        Enumeration<String> lines = request.getHeaders(header);
        while (lines != null && lines.hasMoreElements()) {
            for (String element : lines.nextElement().split(",")) {
                String value = element.trim();
                if (caseSensitive ? value.equals(token) : value.equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void destroy() {
        // nothing held
    }

    /** The handshake request with {@value #PEER_HEADER} set to the connection's remote address. */
    static final class WithPeer extends HttpServletRequestWrapper {

        private final String peer;

        WithPeer(HttpServletRequest request) {
            super(request);
            peer = request.getRemoteAddr() + ":" + request.getRemotePort();
        }

        @Override
        public String getHeader(String name) {
            return PEER_HEADER.equalsIgnoreCase(name) ? peer : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return PEER_HEADER.equalsIgnoreCase(name) ? Collections.enumeration(List.of(peer)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = Collections.list(super.getHeaderNames());
            names.removeIf(PEER_HEADER::equalsIgnoreCase);
            names.add(PEER_HEADER);
            return Collections.enumeration(names);
        }
    }
}
