package org.sylkserver.webrtc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.json.bind.Jsonb;
import javax.json.bind.JsonbBuilder;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.sylkserver.webrtc.api.JournalItem;
import org.sylkserver.webrtc.api.SipAor;
import org.sylkserver.webrtc.messaging.Messaging;
import org.sylkserver.webrtc.messaging.StoreException;

/**
 * The message history for SIP clients (spec §4.13): {@code GET /webrtcgateway/messages/history/<account>[/<id>]} with
 * {@code Authorization: Apikey <token>}, the token the account got with an {@code application/sylk-api-token} MESSAGE
 * (spec §4.9). Answers {@code {"account", "messages"}} in the sync format, after {@code <id>} when given; 401 without a
 * valid token, 404 for a path that names no account.
 */
@WebServlet("/messages/history/*")
public class MessageHistoryServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.messaging");
    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final String SCHEME = "apikey ";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
        if (parts.length < 1 || parts.length > 2 || !SipAor.Syntax.isValid(parts[0])
                || parts.length == 2 && parts[1].isEmpty()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        String account = SipAor.Syntax.strip(parts[0]);
        String authorization = request.getHeader("Authorization");
        String token = authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                ? authorization.substring(SCHEME.length()).strip() : null;
        Messaging messaging = Gateway.of(getServletContext()).messaging();
        if (messaging == null) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        List<JournalItem> messages;
        try {
            messages = messaging.history(account, token, parts.length == 2 ? parts[1] : null);
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "history of " + account + " not read", e);
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        if (messages == null) {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("account", account);
        body.put("messages", messages);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(JSONB.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void doOptions(HttpServletRequest request, HttpServletResponse response) {
        response.setHeader("Allow", "GET, OPTIONS");
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
