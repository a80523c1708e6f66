package org.sylkserver.media.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * One SSRC's SRTP context in an {@link SrtpTransformer} and, for a relaying sender, what it protected last (a packet
 * protected again unchanged gets the same SRTP packet). Callers synchronise on it.
 */
final class SrtpStream {
    final RtpCryptoContext context;
    final Remembered remembered;

    SrtpStream(RtpCryptoContext context, Remembered remembered) {
        this.context = context;
        this.remembered = remembered;
    }

    int protect(byte[] buffer, int offset, int length, int headerLength) throws SrtpException,
            GeneralSecurityException {
        if (remembered == null) {
            return context.protect(buffer, offset, length, headerLength);
        }
        remembered.hold(buffer, offset, length);
        try {
            int srtpLength = context.protect(buffer, offset, length, headerLength);
            remembered.keep(buffer, offset, srtpLength);
            return srtpLength;
        } catch (SrtpException e) {
            int again = remembered.protectedBefore(buffer, offset, length);
            if (again < 0) {
                throw e;
            }
            return again;
        }
    }

    /**
     * The last {@value SrtpTransformer#REMEMBERED} RTP packets a relaying sender protected for one SSRC, plain and
     * protected, one slot per sequence number modulo the size, the slots' arrays reused: no allocation per packet once
     * warm.
     */
    static final class Remembered {
        private final int[] sequences = new int[SrtpTransformer.REMEMBERED];
        private final byte[][] plain = new byte[SrtpTransformer.REMEMBERED][];
        private final int[] plainLengths = new int[SrtpTransformer.REMEMBERED];
        private final byte[][] srtp = new byte[SrtpTransformer.REMEMBERED][];
        private final int[] srtpLengths = new int[SrtpTransformer.REMEMBERED];
        /** The plain packet being protected, before it is encrypted in place. */
        private byte[] holding = new byte[0];
        private int holdingLength;

        Remembered() {
            Arrays.fill(sequences, -1);
        }

        void hold(byte[] buffer, int offset, int length) {
            if (holding.length < length) {
                holding = new byte[length];
            }
            System.arraycopy(buffer, offset, holding, 0, length);
            holdingLength = length;
        }

        /** The packet held was protected into {@code buffer[offset, offset + srtpLength)}: keep both. */
        void keep(byte[] buffer, int offset, int srtpLength) {
            int sequence = ((holding[2] & 0xff) << 8) | (holding[3] & 0xff);
            int slot = sequence % SrtpTransformer.REMEMBERED;
            byte[] previous = plain[slot];
            plain[slot] = holding;
            plainLengths[slot] = holdingLength;
            holding = previous == null ? new byte[0] : previous;
            if (srtp[slot] == null || srtp[slot].length < srtpLength) {
                srtp[slot] = new byte[srtpLength];
            }
            System.arraycopy(buffer, offset, srtp[slot], 0, srtpLength);
            srtpLengths[slot] = srtpLength;
            sequences[slot] = sequence;
        }

        /**
         * Writes the SRTP packet made before from exactly the plain packet {@code buffer[offset, offset + length)}
         * over it (the buffer has the tag's room) and returns its length; -1 when there is none.
         */
        int protectedBefore(byte[] buffer, int offset, int length) {
            int sequence = ((buffer[offset + 2] & 0xff) << 8) | (buffer[offset + 3] & 0xff);
            int slot = sequence % SrtpTransformer.REMEMBERED;
            if (sequences[slot] != sequence
                    || !Arrays.equals(plain[slot], 0, plainLengths[slot], buffer, offset, offset + length)) {
                return -1;
            }
            System.arraycopy(srtp[slot], 0, buffer, offset, srtpLengths[slot]);
            return srtpLengths[slot];
        }
    }
}
