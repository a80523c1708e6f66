package org.sylkserver.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.mixer.AudioMixer;

/** The prompts ship in the archive and the welcome follows spec §3.3 (without the original's tens bug). */
class SoundsTest {

    private static int length(String... names) {
        return List.of(names).stream().mapToInt(n -> Sounds.get(n).length).sum();
    }

    @Test
    void everyPromptIsThereAt48kHz() {
        for (String name : new String[] {"co_welcome_conference", "co_only_one", "co_there_is_one", "co_there_are",
                "co_more_participants", "connected_tone", "joined_tone", "left_tone", "co_enter_pin",
                "co_right_pin", "co_wrong_pin", "co_pin_refused", "bi_24", "bi_90", "moh/moh_a"}) {
            short[] samples = Sounds.get(name);
            assertTrue(samples.length > AudioMixer.RATE / 10, name + " has audio");
        }
    }

    @Test
    void theCountPromptDependsOnTheOthers() {
        int pauses = Sounds.pause(300).length;
        assertEquals(length("co_welcome_conference", "co_only_one", "connected_tone") + 2 * pauses,
                joined(Sounds.welcome(true, 0)).length);
        assertEquals(length("co_there_is_one", "connected_tone") + pauses, joined(Sounds.welcome(false, 1)).length);
        int small = Sounds.pause(100).length;
        assertEquals(length("co_there_are", "bi_7", "co_more_participants", "connected_tone") + 2 * small + pauses,
                joined(Sounds.welcome(false, 7)).length);
        assertEquals(length("co_there_are", "bi_30", "co_more_participants", "connected_tone") + 2 * small + pauses,
                joined(Sounds.welcome(false, 30)).length, "30 is bi_30 alone, not bi_30 + bi_0");
        assertEquals(length("co_there_are", "bi_40", "bi_2", "co_more_participants", "connected_tone")
                + 2 * small + pauses, joined(Sounds.welcome(false, 42)).length);
        assertEquals(length("connected_tone") + pauses, joined(Sounds.welcome(false, 100)).length, "no count from 100 on");
    }

    /** How long the pieces last together. */
    private static short[] joined(List<short[]> pieces) {
        return new short[pieces.stream().mapToInt(p -> p.length).sum()];
    }
}
