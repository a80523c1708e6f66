package org.sylkserver.echo;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipApplicationSessionEvent;
import javax.servlet.sip.SipApplicationSessionListener;
import javax.servlet.sip.TimerListener;

/**
 * The echo application's timers (answer delay, session timeout) and the end of its application sessions,
 * which releases the media of calls that ended without a BYE (e.g. never acknowledged).
 */
public class EchoListener implements TimerListener, SipApplicationSessionListener {

    static final String CALL = "echo.call";
    static final String ANSWER = "answer";
    static final String SESSION_TIMEOUT = "session-timeout";

    private static final Logger LOG = Logger.getLogger("echo");

    @Override
    public void timeout(ServletTimer timer) {
        EchoCall call = (EchoCall) timer.getApplicationSession().getAttribute(CALL);
        if (call == null) {
            return;
        }
        try {
            if (ANSWER.equals(timer.getInfo())) {
                if (call.answer()) {
                    call.schedule(SESSION_TIMEOUT);
                }
            } else if (SESSION_TIMEOUT.equals(timer.getInfo())) {
                call.hangUp("session timeout");
            }
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.WARNING, "echo timer " + timer.getInfo() + " failed", e);
            call.hangUp("error: " + e.getMessage());
        }
    }

    @Override
    public void sessionDestroyed(SipApplicationSessionEvent event) {
        EchoCall call = (EchoCall) event.getApplicationSession().getAttribute(CALL);
        if (call != null) {
            call.ended("session destroyed");
        }
    }

    @Override
    public void sessionCreated(SipApplicationSessionEvent event) {
        // nothing to prepare
    }

    @Override
    public void sessionExpired(SipApplicationSessionEvent event) {
        // calls are ended by their own session-timeout timer
    }

    @Override
    public void sessionReadyToInvalidate(SipApplicationSessionEvent event) {
        // nothing to add: the container invalidates it
    }
}
