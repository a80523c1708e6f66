package org.sylkserver.media.recording;

/** What the recording needs to know of an Opus packet (RFC 6716 §3.1–3.2): its duration from the TOC byte. */
final class OpusPackets {

    /** RFC 6716 §3.2.5: a packet holds at most 120 ms. */
    private static final int MAX_SAMPLES = 5760;

    private OpusPackets() {
    }

    /**
     * The 48 kHz samples {@code packet} decodes to: the frame size of its configuration (§3.1, Table 2) times its
     * frame count (code 0: one, 1 and 2: two, 3: the count in the second byte, §3.2.5); 0 for a malformed packet.
     */
    static int samples(byte[] packet) {
        if (packet.length < 1) {
            return 0;
        }
        int toc = packet[0] & 0xff;
        int config = toc >> 3;
        int frameSamples;
        if (config < 12) { // SILK-only: 10, 20, 40, 60 ms
            frameSamples = new int[]{480, 960, 1920, 2880}[config & 3];
        } else if (config < 16) { // hybrid: 10, 20 ms
            frameSamples = (config & 1) == 0 ? 480 : 960;
        } else { // CELT-only: 2.5, 5, 10, 20 ms
            frameSamples = 120 << (config & 3);
        }
        int frames = switch (toc & 3) {
            case 0 -> 1;
            case 1, 2 -> 2;
            default -> packet.length < 2 ? 0 : packet[1] & 0x3f;
        };
        int samples = frames * frameSamples;
        return samples > MAX_SAMPLES ? 0 : samples;
    }

    /**
     * A packet of {@code samples} (120, 240, 480 or 960) that decoders conceal: a CELT-only TOC byte with one frame of
     * zero length (§3.2.1: a zero-length frame is a lost one). It fills the gaps of lost packets and of a paused or
     * silent (DTX) sender so that the file's time stays RTP time.
     */
    static byte[] concealment(int samples) {
        int config = switch (samples) {
            case 120 -> 28;
            case 240 -> 29;
            case 480 -> 30;
            case 960 -> 31;
            default -> throw new IllegalArgumentException(samples + " samples");
        };
        return new byte[]{(byte) (config << 3)};
    }
}
