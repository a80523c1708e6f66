package org.sylkserver.webrtc.api;

/** A request about one call of the connection: it names the session by its client-chosen id (spec §4.4). */
public abstract class SessionRequest extends SylkRtcRequest {

    @Mandatory
    private String session;

    protected SessionRequest(String sylkrtc) {
        super(sylkrtc);
    }

    public String getSession() {
        return session;
    }

    public void setSession(String session) {
        this.session = session;
    }
}
