package org.sylkserver.media.recording;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Takes the codec data out of one video RTP payload, per the codec's payload format: VP8 (RFC 7741 §4), VP9
 * (RFC 9628 §4) or H.264 in packetization mode 1 (RFC 6184 §5.6–5.8). The {@link VideoTrack} puts the payloads of one
 * timestamp together into a frame.
 */
abstract class VideoDepacketizer {

    /** What one payload said of its frame. */
    static final class Fragment {
        /**
         * The payload can begin a frame (VP8 S bit with partition 0, VP9 B bit; H.264, which has no such mark: the
         * payload begins a NAL unit, it is not the continuation of a fragmented one).
         */
        boolean startsFrame;
        /** The frame is a keyframe (only meaningful on a fragment that starts one, or any H.264 fragment). */
        boolean keyframe;
        /** The width and height a VP8 keyframe states (RFC 6386 §9.1), or 0. */
        int width;
        int height;
    }

    /** The IVF FourCC of the codec. */
    abstract String fourcc();

    /**
     * Appends the codec data of {@code payload} to {@code frame} and describes it in {@code fragment}.
     *
     * @return false when the payload is malformed (nothing appended then)
     */
    abstract boolean depacketize(byte[] payload, Fragment fragment, ByteArrayOutputStream frame);

    /** Whether any payload of a frame may say it is a keyframe (H.264: an IDR slice anywhere in the access unit). */
    boolean keyframeAnywhere() {
        return false;
    }

    /** The depacketizer of an RTP encoding name ({@code VP8}, {@code VP9}, {@code H264}), or null. */
    static VideoDepacketizer of(String encoding) {
        return switch (encoding.toLowerCase(Locale.ROOT)) {
            case "vp8" -> new Vp8();
            case "vp9" -> new Vp9();
            case "h264" -> new H264();
            default -> null;
        };
    }

    /** RFC 7741 §4.2 payload descriptor, §4.3 payload header. */
    static final class Vp8 extends VideoDepacketizer {
        @Override
        String fourcc() {
            return "VP80";
        }

        @Override
        boolean depacketize(byte[] payload, Fragment fragment, ByteArrayOutputStream frame) {
            if (payload.length < 1) {
                return false;
            }
            int first = payload[0] & 0xff;
            int offset = 1;
            if ((first & 0x80) != 0) { // X: extension octet
                if (payload.length < 2) {
                    return false;
                }
                int extension = payload[1] & 0xff;
                offset = 2;
                if ((extension & 0x80) != 0) { // I: PictureID, 7 or 15 bits by its M bit
                    if (payload.length <= offset) {
                        return false;
                    }
                    offset += (payload[offset] & 0x80) != 0 ? 2 : 1;
                }
                if ((extension & 0x40) != 0) { // L: TL0PICIDX
                    offset++;
                }
                if ((extension & 0x30) != 0) { // T or K: TID/Y/KEYIDX
                    offset++;
                }
            }
            if (offset >= payload.length) {
                return false;
            }
            boolean start = (first & 0x10) != 0 && (first & 0x07) == 0; // S and partition index 0
            fragment.startsFrame = start;
            if (start) {
                // §4.3: P (inverse key frame flag) is bit 0 of the first octet of the VP8 payload header
                fragment.keyframe = (payload[offset] & 0x01) == 0;
                // RFC 6386 §9.1: a keyframe's 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height
                if (fragment.keyframe && payload.length >= offset + 10 && (payload[offset + 3] & 0xff) == 0x9d
                        && (payload[offset + 4] & 0xff) == 0x01 && (payload[offset + 5] & 0xff) == 0x2a) {
                    fragment.width = ((payload[offset + 6] & 0xff) | (payload[offset + 7] & 0xff) << 8) & 0x3fff;
                    fragment.height = ((payload[offset + 8] & 0xff) | (payload[offset + 9] & 0xff) << 8) & 0x3fff;
                }
            }
            frame.write(payload, offset, payload.length - offset);
            return true;
        }
    }

    /**
     * RFC 9628 §4.2 payload descriptor (flexible and non-flexible modes, scalability structure skipped). One spatial
     * layer, which is what browsers send unless asked for SVC: layers of one picture would need a superframe index.
     */
    static final class Vp9 extends VideoDepacketizer {
        @Override
        String fourcc() {
            return "VP90";
        }

        @Override
        boolean depacketize(byte[] payload, Fragment fragment, ByteArrayOutputStream frame) {
            if (payload.length < 1) {
                return false;
            }
            int first = payload[0] & 0xff;
            boolean pictureId = (first & 0x80) != 0;
            boolean interPicture = (first & 0x40) != 0;
            boolean layers = (first & 0x20) != 0;
            boolean flexible = (first & 0x10) != 0;
            boolean begins = (first & 0x08) != 0;
            boolean structure = (first & 0x02) != 0;
            int offset = 1;
            try {
                if (pictureId) {
                    offset += (payload[offset] & 0x80) != 0 ? 2 : 1;
                }
                if (layers) {
                    offset += flexible ? 1 : 2; // layer indices, and TL0PICIDX in non-flexible mode
                }
                if (flexible && interPicture) {
                    // up to three P_DIFF octets, each with N set when another follows
                    for (int i = 0; i < 3; i++) {
                        boolean more = (payload[offset++] & 0x01) != 0;
                        if (!more) {
                            break;
                        }
                    }
                }
                if (structure) {
                    int ss = payload[offset++] & 0xff;
                    int spatialLayers = (ss >> 5) + 1;
                    if ((ss & 0x10) != 0) { // Y: width and height per spatial layer
                        if (payload.length >= offset + 4) {
                            fragment.width = (payload[offset] & 0xff) << 8 | payload[offset + 1] & 0xff;
                            fragment.height = (payload[offset + 2] & 0xff) << 8 | payload[offset + 3] & 0xff;
                        }
                        offset += 4 * spatialLayers;
                    }
                    if ((ss & 0x08) != 0) { // G: picture group description
                        int pictures = payload[offset++] & 0xff;
                        for (int i = 0; i < pictures; i++) {
                            int references = (payload[offset++] >> 2) & 0x03;
                            offset += references;
                        }
                    }
                }
            } catch (ArrayIndexOutOfBoundsException e) {
                return false;
            }
            if (offset >= payload.length) {
                return false;
            }
            fragment.startsFrame = begins;
            fragment.keyframe = begins && !interPicture;
            frame.write(payload, offset, payload.length - offset);
            return true;
        }
    }

    /**
     * RFC 6184: single NAL unit packets (§5.6), STAP-A (§5.7.1) and FU-A (§5.8), written as an Annex B byte stream
     * (a start code before each NAL unit), which is what H.264 in IVF holds. Interleaved mode types are refused.
     */
    static final class H264 extends VideoDepacketizer {
        private static final byte[] START_CODE = {0, 0, 0, 1};
        private static final int IDR = 5;

        @Override
        String fourcc() {
            return "H264";
        }

        @Override
        boolean keyframeAnywhere() {
            return true;
        }

        @Override
        boolean depacketize(byte[] payload, Fragment fragment, ByteArrayOutputStream frame) {
            if (payload.length < 1) {
                return false;
            }
            int type = payload[0] & 0x1f;
            if (type >= 1 && type <= 23) {
                fragment.startsFrame = true;
                note(type, fragment);
                frame.write(START_CODE, 0, 4);
                frame.write(payload, 0, payload.length);
                return true;
            }
            if (type == 24) { // STAP-A: 16-bit size, then a NAL unit, repeated
                fragment.startsFrame = true;
                ByteArrayOutputStream units = new ByteArrayOutputStream();
                int offset = 1;
                while (offset < payload.length) {
                    if (offset + 2 > payload.length) {
                        return false;
                    }
                    int size = (payload[offset] & 0xff) << 8 | payload[offset + 1] & 0xff;
                    offset += 2;
                    if (size == 0 || offset + size > payload.length) {
                        return false;
                    }
                    note(payload[offset] & 0x1f, fragment);
                    units.write(START_CODE, 0, 4);
                    units.write(payload, offset, size);
                    offset += size;
                }
                frame.writeBytes(units.toByteArray());
                return true;
            }
            if (type == 28) { // FU-A: FU indicator, FU header (S, E, R, type), fragment
                if (payload.length < 3) {
                    return false;
                }
                int header = payload[1] & 0xff;
                int unitType = header & 0x1f;
                note(unitType, fragment);
                fragment.startsFrame = (header & 0x80) != 0;
                if (fragment.startsFrame) {
                    frame.write(START_CODE, 0, 4);
                    frame.write((payload[0] & 0xe0) | unitType); // the NAL header again (§5.8)
                }
                frame.write(payload, 2, payload.length - 2);
                return true;
            }
            return false;
        }

        private static void note(int unitType, Fragment fragment) {
            if (unitType == IDR) {
                fragment.keyframe = true;
            }
        }
    }
}
