package org.sylkserver.media.mixer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Prompts made of shared pieces play them in turn, once or in a loop, and report their end once. */
class PromptTest {

    @Test
    void piecesPlayInTurnThenTheCallbackRunsOnce() {
        AtomicInteger finished = new AtomicInteger();
        Prompt prompt = Prompt.once(List.of(new short[] {1, 1, 1}, new short[0], new short[] {2, 2}),
                finished::incrementAndGet);
        int[] frame = new int[4];
        assertTrue(prompt.addTo(frame));
        assertArrayEquals(new int[] {1, 1, 1, 2}, frame);
        frame = new int[4];
        assertTrue(prompt.addTo(frame));
        assertArrayEquals(new int[] {2, 0, 0, 0}, frame, "the rest is silence");
        assertFalse(prompt.addTo(new int[4]));
        assertEquals(1, finished.get());
        assertTrue(prompt.finished());
    }

    @Test
    void aLoopWrapsAroundItsPiecesUntilStopped() {
        Prompt loop = Prompt.looping(List.of(new short[] {1}, new short[] {2, 3}));
        int[] frame = new int[7];
        assertTrue(loop.addTo(frame));
        assertArrayEquals(new int[] {1, 2, 3, 1, 2, 3, 1}, frame);
        loop.stop();
        assertFalse(loop.addTo(new int[7]));
    }

    @Test
    void theSharedPiecesAreNotModified() {
        short[] piece = {5, 6};
        Prompt prompt = Prompt.once(List.of(piece, piece), () -> { });
        int[] frame = {10, 10, 10, 10};
        prompt.addTo(frame);
        assertArrayEquals(new int[] {15, 16, 15, 16}, frame, "added to what is there");
        assertArrayEquals(new short[] {5, 6}, piece);
    }

    /** Skipping moves a prompt on as adding it would, its end and callback included (renditions rely on it). */
    @Test
    void skippingMovesOnLikeAdding() {
        AtomicInteger addedEnds = new AtomicInteger();
        AtomicInteger skippedEnds = new AtomicInteger();
        List<short[]> pieces = List.of(new short[] {1, 2, 3}, new short[0], new short[] {4, 5});
        Prompt added = Prompt.once(pieces, addedEnds::incrementAndGet);
        Prompt skipped = Prompt.once(pieces, skippedEnds::incrementAndGet);
        assertTrue(added.unplayed());
        assertTrue(added.addTo(new int[2]));
        assertTrue(skipped.skip(2));
        assertFalse(skipped.unplayed());
        int[] frame = new int[2];
        added.addTo(frame);
        int[] same = new int[2];
        skipped.addTo(same);
        assertArrayEquals(frame, same, "both at the same place");
        assertTrue(added.addTo(new int[2]));
        assertTrue(skipped.skip(2));
        assertFalse(added.addTo(new int[2]));
        assertFalse(skipped.skip(2));
        assertEquals(1, addedEnds.get());
        assertEquals(1, skippedEnds.get());
        assertEquals(added.content(), Prompt.once(pieces, () -> { }).content(), "same pieces, same content");
    }

    /**
     * What a member following a rendition counts on: {@code skipsBeforeEnd} is the number of {@code skip} calls that
     * move the prompt on before the one that ends it, from any point, for any pieces (empty ones too) and frame size.
     */
    @Test
    void skipsBeforeEndCountsTheMovesUntilTheEnd() {
        Random random = new Random(12);
        for (int run = 0; run < 500; run++) {
            List<short[]> pieces = new ArrayList<>();
            for (int p = random.nextInt(5); p >= 0; p--) {
                pieces.add(new short[random.nextInt(4) == 0 ? 0 : random.nextInt(50)]);
            }
            int frame = 1 + random.nextInt(12);
            Prompt prompt = Prompt.once(pieces, () -> { });
            for (int before = random.nextInt(6); before > 0; before--) {
                prompt.skip(frame);
            }
            int expected = prompt.skipsBeforeEnd(frame);
            int moves = 0;
            while (prompt.skip(frame)) {
                moves++;
            }
            assertEquals(expected, moves, "run " + run);
            assertEquals(0, prompt.skipsBeforeEnd(frame), "finished");
        }
        Prompt loop = Prompt.looping(List.of(new short[] {1, 2}));
        assertEquals(Integer.MAX_VALUE, loop.skipsBeforeEnd(3));
        loop.stop();
        assertEquals(0, loop.skipsBeforeEnd(3));
    }
}
