/**
 * The selective forwarding unit of the video rooms (spec §4.6, issue 13): each publisher's browser sends its audio
 * and video on a PeerConnection of its own ({@link org.sylkserver.media.sfu.Publisher}), each subscription is a
 * PeerConnection the server offers ({@link org.sylkserver.media.sfu.Feed}). RTP is forwarded without transcoding,
 * decrypted once per publisher and encrypted again per feed; each feed has its own SSRCs, sequence numbers and
 * timestamps ({@link org.sylkserver.media.sfu.StreamRewriter}); RTCP ends at every leg: the server reports reception
 * to publishers, keyframe requests of feeds reach the publisher coalesced ({@link
 * org.sylkserver.media.sfu.KeyframeRequests}) and NACKs of feeds are answered from the feed's own
 * {@link org.sylkserver.media.sfu.RetransmissionCache}, or on a retransmission stream with the packet rebuilt from the
 * publisher's ({@link org.sylkserver.media.sfu.ForwardedPackets}). The steps are
 * {@link org.sylkserver.media.pipeline.Stage}s.
 */
package org.sylkserver.media.sfu;
