/**
 * Audio codecs behind one interface, {@link org.sylkserver.media.codec.AudioCodec}, and the
 * {@link org.sylkserver.media.codec.Resampler} between each codec's rate and the mixer's 48 kHz.
 *
 * <p>Where each codec comes from: PCMU and PCMA ({@link org.sylkserver.media.codec.G711}) are written here from
 * ITU-T G.711, pure Java, no native code.
 */
package org.sylkserver.media.codec;
