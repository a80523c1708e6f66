package org.sylkserver.webrtc;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.media.sdp.SdpException;
import org.sylkserver.media.webrtc.WebRtcBridge;

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
        try {
            return new Bridged(WebRtcBridge.fromBrowserOffer(SylkRuntime.get().media(), name, sdp, sipSrtp,
                    listener(name)));
        } catch (SdpException e) {
            throw new MediaException("Invalid SDP: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MediaException("No media resources: " + e.getMessage(), e);
        }
    }

    @Override
    public SessionMedia fromSipOffer(String sdp) throws MediaException {
        String name = "call-" + NUMBERS.incrementAndGet();
        try {
            return new Bridged(WebRtcBridge.fromSipOffer(SylkRuntime.get().media(), name, sdp, listener(name)));
        } catch (SdpException e) {
            throw new MediaException("Invalid SDP: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MediaException("No media resources: " + e.getMessage(), e);
        }
    }

    private static WebRtcBridge.Listener listener(String name) {
        return new WebRtcBridge.Listener() {
            @Override
            public void connected(WebRtcBridge bridge) {
                log.info(() -> name + ": browser media up (" + bridge.stats().selectedPair() + ", "
                        + bridge.stats().srtpProfile() + ")");
            }

            @Override
            public void failed(WebRtcBridge bridge, String reason) {
                log.warning(name + ": browser media failed: " + reason);
            }
        };
    }

    /** One call's bridge behind the signalling's interface. */
    private record Bridged(WebRtcBridge bridge) implements SessionMedia {

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
