package org.sylkserver.media.mixer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * What the mixer's shortcuts rely on: any limiter at unity (envelope at or below the knee) gives a new one's output,
 * and passing silence through one at unity is what processing zeros does.
 */
class LimiterTest {

    private static int[] loud(long seed) {
        Random random = new Random(seed);
        int[] sums = new int[AudioMixer.FRAME * 3];
        for (int i = 0; i < sums.length; i++) {
            sums[i] = random.nextInt(80_001) - 40_000;
        }
        return sums;
    }

    private static short[] run(Limiter limiter, int[] sums) {
        short[] out = new short[sums.length];
        limiter.process(sums, out);
        return out;
    }

    @Test
    void anyLimiterAtUnityGivesANewOnesOutput() {
        Limiter quietPast = new Limiter();
        int[] quiet = new int[AudioMixer.FRAME];
        java.util.Arrays.fill(quiet, 0, 10, Limiter.KNEE);
        run(quietPast, quiet);
        assertTrue(quietPast.atUnity());
        assertEquals(Limiter.KNEE, quietPast.state().envelope(), "another state than a new one's");
        int[] sums = loud(1);
        assertArrayEquals(run(new Limiter(), sums), run(quietPast, sums));
        assertFalse(quietPast.atUnity(), "loud sums took it above the knee");
    }

    @Test
    void silenceThroughALimiterAtUnityOnlyCountsDownTheHold() {
        Limiter processed = new Limiter();
        int[] peak = new int[100];
        peak[0] = 12_000;
        run(processed, peak);
        Limiter passed = new Limiter();
        passed.restore(processed.state());
        short[] out = run(processed, new int[700]);
        passed.passSilence(700);
        assertArrayEquals(new short[700], out);
        assertEquals(processed.state(), passed.state());
        passed.passSilence(AudioMixer.FRAME);
        assertEquals(0, passed.state().held());
        Limiter loudOne = new Limiter();
        run(loudOne, loud(2));
        assertThrows(IllegalStateException.class, () -> loudOne.passSilence(AudioMixer.FRAME));
    }
}
