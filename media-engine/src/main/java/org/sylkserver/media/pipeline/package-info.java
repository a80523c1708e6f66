/**
 * The media engine's packet pipelines: a packet goes through a chain of small {@link
 * org.sylkserver.media.pipeline.Stage}s, each with one job and its own counters, read top to bottom in a {@link
 * org.sylkserver.media.pipeline.Pipeline}. The stages here are shared by the RTP endpoints and the WebRTC bridge
 * (validation, SRTP); the ones only an endpoint or the bridge needs live, package-private, next to it.
 */
package org.sylkserver.media.pipeline;
