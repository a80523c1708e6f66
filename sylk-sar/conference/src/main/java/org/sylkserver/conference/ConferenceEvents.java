package org.sylkserver.conference;

import java.io.IOException;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.sylkserver.conference.chat.Identity;
import org.sylkserver.core.config.ConfigException;

/**
 * The conference event package (RFC 4575, spec §3.6) on the SIP side: who may follow a room (its access list, and in
 * a PIN room only its participants past the PIN), for how long, and how many at once ({@code max_subscriptions});
 * the room's {@link RoomSubscriptions} then send the NOTIFYs.
 */
final class ConferenceEvents {

    /** Longest subscription granted (spec §3.6). */
    private static final int MAX_EXPIRES = 3600;

    private static final Logger log = Logger.getLogger(ConferenceEvents.class.getName());

    private final Conference conference;
    private final Referrals.Replies replies;

    ConferenceEvents(Conference conference, Referrals.Replies replies) {
        this.conference = conference;
        this.replies = replies;
    }

    /** A SUBSCRIBE to a room, initial, refresh or un-SUBSCRIBE (spec §3.6). */
    void subscribe(SipServletRequest request) throws IOException {
        if (!"conference".equalsIgnoreCase(eventPackage(request.getHeader("Event")))) {
            replies.reply(request, 489, "Bad Event");
            return;
        }
        String roomName = request.isInitial() ? ConferenceServlet.roomOf(request)
                : (String) request.getSession().getAttribute(ConferenceListener.SUBSCRIBED_ROOM);
        String subscriber = Identity.bare(request.getFrom().getURI().toString());
        if (request.isInitial()) {
            try {
                if (!conference.settings.accessList(roomName).allows(Identity.bare(subscriber))) {
                    replies.reply(request, SipServletResponse.SC_FORBIDDEN, "Forbidden");
                    return;
                }
            } catch (ConfigException e) {
                replies.reply(request, SipServletResponse.SC_SERVER_INTERNAL_ERROR, "Configuration error");
                return;
            }
            if (conference.settings.pin(roomName).isPresent() && !conference.rooms.admits(roomName, subscriber)) {
                log.info(() -> subscriber + " may not follow PIN room " + roomName + ": not in it past its PIN");
                replies.reply(request, SipServletResponse.SC_FORBIDDEN, "PIN Room: Participants Only");
                return;
            }
        }
        Room room = roomName == null ? null : conference.rooms.find(roomName);
        if (room == null) {
            replies.reply(request, SipServletResponse.SC_TEMPORARILY_UNAVAILABLE, "Room not found");
            return;
        }
        int expires = request.getExpires() < 0 ? MAX_EXPIRES : Math.min(request.getExpires(), MAX_EXPIRES);
        RoomSubscriptions subscriptions = RoomSubscriptions.of(room);
        if (expires > 0 && !subscriptions.allowed(request.getSession(), conference.settings.maxSubscriptions())) {
            log.info(() -> subscriber + " refused a subscription to room " + roomName + ": max_subscriptions ("
                    + conference.settings.maxSubscriptions() + ") reached");
            replies.reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "Too many subscriptions");
            return;
        }
        if (expires == 0) {
            RoomSubscriptions.holdForFinalNotify(request.getSession());
        }
        SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
        ok.setExpires(expires);
        ok.send();
        request.getSession().setAttribute(ConferenceListener.SUBSCRIBED_ROOM, roomName);
        if (expires == 0) {
            subscriptions.unsubscribe(request.getSession());
            log.info(() -> subscriber + " unsubscribed from room " + roomName);
        } else {
            subscriptions.subscribe(request.getSession(), System.currentTimeMillis() + expires * 1000L);
            log.info(() -> subscriber + " subscribed to room " + roomName + " for " + expires + " s");
        }
    }

    private static String eventPackage(String event) {
        if (event == null) {
            return null;
        }
        int semicolon = event.indexOf(';');
        return (semicolon >= 0 ? event.substring(0, semicolon) : event).trim();
    }
}
