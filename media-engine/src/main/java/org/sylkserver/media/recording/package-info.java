/**
 * Recording of the video rooms' publishers (issue 13, spec §8.3 {@code record}): each publisher's Opus audio in an
 * Ogg file ({@link org.sylkserver.media.recording.OggOpusWriter}, RFC 7845) and its video in an IVF file
 * ({@link org.sylkserver.media.recording.IvfWriter}), written from the RTP the publisher sends without transcoding.
 *
 * <p>Both containers are written here by hand: they are small (a page header with a CRC, a 32-byte file header and a
 * 12-byte frame header), and the Java libraries on Maven Central for them are either unmaintained for years
 * (vorbis-java-core) or bring a whole transcoding toolkit for a muxer (jcodec), none writing VP9 or Opus to WebM.
 *
 * <p>The forwarding thread only copies a packet into a bounded queue ({@link
 * org.sylkserver.media.recording.PublisherRecording#offer}); everything else runs on the {@link
 * org.sylkserver.media.recording.Recorder}'s threads, and a full queue drops packets rather than wait.
 */
package org.sylkserver.media.recording;
