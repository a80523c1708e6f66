package org.sylkserver.xmpp;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.sylkserver.xmpp.muc.ConferenceInfoReader;

/**
 * A subscription to a SIP conference's event package (RFC 4575): the SUBSCRIBE, refreshed before it expires (RFC 6665
 * §4.1.2.1), ended with Expires 0, and the conference-info documents of its NOTIFYs handed on. Shared by the MUC
 * occupants' calls ({@link ServletConferenceCalls}) and a focus's Jingle call ({@link ServletJingleCalls}, spec §5.7).
 * Guarded by its monitor; the listener is called outside it.
 */
final class ConferenceSubscription {

    /** How long a subscription lasts before it is refreshed (seconds). */
    static final int EXPIRES = 600;

    interface Listener {
        void conferenceInfo(byte[] document);

        /** The subscription is over: not sent, refused, or ended by the conference. */
        void unsubscribed(String why);
    }

    /** The first, out-of-dialog SUBSCRIBE: its addresses and route, its session marked for the servlet's routing. */
    @FunctionalInterface
    interface FirstRequest {
        SipServletRequest create() throws IOException, ServletParseException;
    }

    private final ScheduledExecutorService timer;
    private final FirstRequest first;
    private final Listener listener;
    private SipSession dialog;
    private ScheduledFuture<?> refresh;
    private boolean started;
    private boolean stopped;

    ConferenceSubscription(ScheduledExecutorService timer, FirstRequest first, Listener listener) {
        this.timer = timer;
        this.first = first;
        this.listener = listener;
    }

    /** Subscribes (once). */
    void subscribe() {
        synchronized (this) {
            if (started || stopped) {
                return;
            }
            started = true;
        }
        send(EXPIRES);
    }

    /** Ends the subscription (Expires 0 when there is a dialog); no refresh after it. */
    void unsubscribe() {
        boolean subscribed;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (refresh != null) {
                refresh.cancel(false);
            }
            subscribed = dialog != null;
        }
        if (subscribed) {
            send(0);
        }
    }

    private void send(int expires) {
        try {
            SipServletRequest request;
            SipSession current;
            synchronized (this) {
                if (stopped && expires > 0) {
                    return;
                }
                current = dialog;
            }
            if (current != null && current.isValid()) {
                request = current.createRequest("SUBSCRIBE");
            } else if (expires > 0) {
                request = first.create();
            } else {
                return;
            }
            request.setHeader("Event", "conference");
            request.setHeader("Accept", ConferenceInfoReader.CONTENT_TYPE);
            request.setExpires(expires);
            request.send();
        } catch (IOException | ServletParseException | RuntimeException e) {
            if (expires > 0) {
                listener.unsubscribed("SUBSCRIBE not sent: " + e.getMessage());
            }
        }
    }

    /** A response to one of its SUBSCRIBEs: a 2xx sets the refresh, a refusal ends it. */
    void response(SipServletResponse response) {
        int status = response.getStatus();
        if (!response.getMethod().equals("SUBSCRIBE") || status < 200 || response.getRequest().getExpires() == 0) {
            return;
        }
        if (status >= 300) {
            listener.unsubscribed("SUBSCRIBE answered " + status + " " + response.getReasonPhrase());
            return;
        }
        int granted = response.getExpires() > 0 ? response.getExpires() : EXPIRES;
        synchronized (this) {
            dialog = response.getSession();
            if (stopped) {
                return;
            }
            if (refresh != null) {
                refresh.cancel(false);
            }
            refresh = timer.schedule(() -> send(EXPIRES), Math.max(granted - 30, granted / 2), TimeUnit.SECONDS);
        }
    }

    /** A NOTIFY of the subscription (answered by the servlet). */
    void notified(SipServletRequest notify) throws IOException {
        synchronized (this) {
            if (dialog == null) {
                dialog = notify.getSession(); // the NOTIFY may come before the 200 (RFC 6665 §4.1.2.4)
            }
            if (stopped) {
                return;
            }
        }
        byte[] body = notify.getRawContent();
        if (body != null && body.length > 0) {
            listener.conferenceInfo(body);
        }
        String state = notify.getHeader("Subscription-State");
        if (state != null && state.strip().toLowerCase(Locale.ROOT).startsWith("terminated")) {
            synchronized (this) {
                dialog = null;
                if (refresh != null) {
                    refresh.cancel(false);
                }
            }
            listener.unsubscribed("the conference ended the subscription: " + state);
        }
    }
}
