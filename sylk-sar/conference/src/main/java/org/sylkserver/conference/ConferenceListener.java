package org.sylkserver.conference;


import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSessionEvent;
import javax.servlet.sip.SipApplicationSessionListener;
import javax.servlet.sip.TimerListener;

/**
 * The conference's answer timer and the end of its application sessions, which takes out of the room a
 * participant whose call ended without a BYE.
 */
public class ConferenceListener implements TimerListener, SipApplicationSessionListener {

    static final String CALL = "conference.call";
    static final String ANSWER = "answer";
    static final String FILE_TRANSFER = "conference.file-transfer";
    static final String FILE_PUSH = "conference.file-push";
    static final String DIAL_OUT = "conference.dial-out";
    static final String SUBSCRIBED_ROOM = "conference.subscribed-room";

    @Override
    public void timeout(ServletTimer timer) {
        ConferenceCall call = (ConferenceCall) timer.getApplicationSession().getAttribute(CALL);
        if (call != null && ANSWER.equals(timer.getInfo())) {
            call.ringingOver();
        }
    }

    @Override
    public void sessionDestroyed(SipApplicationSessionEvent event) {
        ConferenceCall call = (ConferenceCall) event.getApplicationSession().getAttribute(CALL);
        if (call != null) {
            call.ended("session destroyed");
        }
        FileTransferCall transfer = (FileTransferCall) event.getApplicationSession().getAttribute(FILE_TRANSFER);
        if (transfer != null) {
            transfer.ended("session destroyed");
        }
    }

    @Override
    public void sessionCreated(SipApplicationSessionEvent event) {
        // nothing to prepare
    }

    @Override
    public void sessionExpired(SipApplicationSessionEvent event) {
        // calls end with BYE or RTP timeout
    }

    @Override
    public void sessionReadyToInvalidate(SipApplicationSessionEvent event) {
        // the container invalidates it
    }
}
