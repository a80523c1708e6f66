package org.sylkserver.media.codec;

/**
 * Conversions between the engine's {@code short[]} samples and the little-endian 16-bit byte arrays that the
 * libjitsi codec bindings read and write (the byte order of the x86-64 machines their JNI libraries run on).
 */
final class Pcm {

    private Pcm() {
    }

    static byte[] toBytes(short[] samples) {
        byte[] bytes = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            bytes[2 * i] = (byte) samples[i];
            bytes[2 * i + 1] = (byte) (samples[i] >> 8);
        }
        return bytes;
    }

    static short[] toSamples(byte[] bytes, int sampleCount) {
        short[] samples = new short[sampleCount];
        for (int i = 0; i < sampleCount; i++) {
            samples[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] << 8));
        }
        return samples;
    }
}
