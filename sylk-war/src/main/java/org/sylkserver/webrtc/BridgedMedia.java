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
        return opened((name, watch) -> WebRtcBridge.fromBrowserOffer(SylkRuntime.get().media(), name, sdp, sipSrtp,
                watch));
    }

    @Override
    public SessionMedia fromSipOffer(String sdp) throws MediaException {
        return opened((name, watch) -> WebRtcBridge.fromSipOffer(SylkRuntime.get().media(), name, sdp, watch));
    }

    /** Opens a call's bridge from the first offer. */
    @FunctionalInterface
    private interface Opening {
        WebRtcBridge open(String name, Watch watch) throws SdpException, IOException;
    }

    /** The media of a new call, named {@code call-N} in the logs; a bad offer or no free ports as MediaException. */
    private static SessionMedia opened(Opening opening) throws MediaException {
        String name = "call-" + NUMBERS.incrementAndGet();
        Watch watch = new Watch(name);
        try {
            return new Bridged(opening.open(name, watch), watch);
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

    /** One SDP translation of a bridge. */
    @FunctionalInterface
    private interface Translation {
        String sdp() throws SdpException, IOException;
    }

    /** What {@code translation} gives; the bridge's refusals (bad SDP, wrong moment, no ports) as MediaException. */
    private static String translated(String refusal, Translation translation) throws MediaException {
        try {
            return translation.sdp();
        } catch (SdpException | IOException | IllegalStateException e) {
            throw new MediaException(refusal + e.getMessage(), e);
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
            return translated("Invalid SDP from the SIP side: ", () -> bridge.browserAnswer(sipAnswer));
        }

        @Override
        public String browserOffer() {
            return bridge.browserOffer();
        }

        @Override
        public String sipAnswer(String browserAnswer) throws MediaException {
            return translated("Invalid SDP: ", () -> bridge.sipAnswer(browserAnswer));
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
            return translated("Invalid SDP: ", () -> bridge.sipReoffer(browserOffer));
        }

        @Override
        public String browserReanswer(String sipAnswer) throws MediaException {
            return translated("Invalid SDP from the SIP side: ", () -> bridge.browserReanswer(sipAnswer));
        }

        @Override
        public String browserReoffer(String sipOffer) throws MediaException {
            return translated("Invalid SDP from the SIP side: ", () -> bridge.browserReoffer(sipOffer));
        }

        @Override
        public String sipReanswer(String browserAnswer) throws MediaException {
            return translated("Invalid SDP: ", () -> bridge.sipReanswer(browserAnswer));
        }

        @Override
        public void close() {
            bridge.close();
        }
    }
}
