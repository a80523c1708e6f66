package org.sylkserver.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.media.webrtc.WebRtcBridge;
import org.sylkserver.protocols.sdp.SdpException;

/**
 * Calls' media relayed by the media engine's {@link WebRtcBridge} (ICE-lite and DTLS-SRTP towards the browser,
 * RTP towards SIP, no transcoding): the production {@link SessionMediaFactory}.
 */
public final class BridgedMedia implements SessionMediaFactory {

    private static final Logger log = Logger.getLogger(BridgedMedia.class.getName());
    private static final AtomicLong NUMBERS = new AtomicLong();

    private final WebRtcBridge.SipSrtp sipSrtp;

    /** @param sipSrtp whether the SIP side's media is offered with SDES-SRTP */
    public BridgedMedia(WebRtcBridge.SipSrtp sipSrtp) {
        this.sipSrtp = sipSrtp;
    }

    @Override
    public SessionMedia fromBrowserOffer(String sdp) throws MediaException {
        String name = "call-" + NUMBERS.incrementAndGet();
        Watch watch = new Watch(name);
        try {
            return new Bridged(WebRtcBridge.fromBrowserOffer(SylkRuntime.get().media(), name, sdp, sipSrtp, watch),
                    watch);
        } catch (SdpException e) {
            throw new MediaException("Invalid SDP: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MediaException("No media resources: " + e.getMessage(), e);
        }
    }

    @Override
    public SessionMedia fromSipOffer(String sdp) throws MediaException {
        String name = "call-" + NUMBERS.incrementAndGet();
        Watch watch = new Watch(name);
        try {
            return new Bridged(WebRtcBridge.fromSipOffer(SylkRuntime.get().media(), name, sdp, watch), watch);
        } catch (SdpException e) {
            throw new MediaException("Invalid SDP: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MediaException("No media resources: " + e.getMessage(), e);
        }
    }

    /**
     * The bridge's news for its call: logged, and passed to the call's {@link SessionMedia.Events} once it watches
     * (what came before is kept and told then); inactivity is only logged. Bridge threads call in; the call's events queue onto its own owner.
     */
    private static final class Watch implements WebRtcBridge.Listener {
        private final String name;
        private SessionMedia.Events events;
        private boolean up;
        private String lost;

        Watch(String name) {
            this.name = name;
        }

        synchronized void watch(SessionMedia.Events target) {
            events = target;
            if (up) {
                target.up();
            }
            if (lost != null) {
                target.lost(lost);
            }
        }

        @Override
        public synchronized void connected(WebRtcBridge bridge) {
            log.info(() -> name + ": browser media up (" + bridge.stats().selectedPair() + ", "
                    + bridge.stats().srtpProfile() + ")");
            up = true;
            if (events != null) {
                events.up();
            }
        }

        @Override
        public void failed(WebRtcBridge bridge, String reason) {
            log.warning(name + ": browser media failed: " + reason);
            lose(reason);
        }

        @Override
        public void inactive(WebRtcBridge bridge) {
            // not an end: a SIP party on hold may legitimately send nothing for longer than the timeout (a browser
            // that goes silent, consent checks and all, is reported as failed instead)
            log.info(() -> name + ": no media from the SIP side for the inactivity timeout");
        }

        private synchronized void lose(String why) {
            if (lost == null) {
                lost = why;
                if (events != null) {
                    events.lost(why);
                }
            }
        }
    }

    /** One call's bridge behind the signalling's interface. */
    private record Bridged(WebRtcBridge bridge, Watch watch) implements SessionMedia {

        @Override
        public void watch(Events events) {
            watch.watch(events);
        }

        @Override
        public String sipOffer() {
            return bridge.sipOffer();
        }

        @Override
        public String browserAnswer(String sipAnswer) throws MediaException {
            try {
                return bridge.browserAnswer(sipAnswer);
            } catch (SdpException | IllegalStateException e) {
                throw new MediaException("Invalid SDP from the SIP side: " + e.getMessage(), e);
            }
        }

        @Override
        public String browserOffer() {
            return bridge.browserOffer();
        }

        @Override
        public String sipAnswer(String browserAnswer) throws MediaException {
            try {
                return bridge.sipAnswer(browserAnswer);
            } catch (SdpException | IllegalStateException e) {
                throw new MediaException("Invalid SDP: " + e.getMessage(), e);
            }
        }

        @Override
        public void sipSource(InetAddress source) {
            bridge.sipSignallingSource(source);
        }

        @Override
        public void addBrowserCandidate(String sdpMid, int sdpMLineIndex, String candidate) {
            bridge.addBrowserCandidate(sdpMid, sdpMLineIndex, candidate);
        }

        @Override
        public String sipReoffer(String browserOffer) throws MediaException {
            try {
                return bridge.sipReoffer(browserOffer);
            } catch (SdpException | IOException | IllegalStateException e) {
                throw new MediaException("Invalid SDP: " + e.getMessage(), e);
            }
        }

        @Override
        public String browserReanswer(String sipAnswer) throws MediaException {
            try {
                return bridge.browserReanswer(sipAnswer);
            } catch (SdpException | IllegalStateException e) {
                throw new MediaException("Invalid SDP from the SIP side: " + e.getMessage(), e);
            }
        }

        @Override
        public String browserReoffer(String sipOffer) throws MediaException {
            try {
                return bridge.browserReoffer(sipOffer);
            } catch (SdpException | IOException | IllegalStateException e) {
                throw new MediaException("Invalid SDP from the SIP side: " + e.getMessage(), e);
            }
        }

        @Override
        public String sipReanswer(String browserAnswer) throws MediaException {
            try {
                return bridge.sipReanswer(browserAnswer);
            } catch (SdpException | IllegalStateException e) {
                throw new MediaException("Invalid SDP: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            bridge.close();
        }
    }
}
