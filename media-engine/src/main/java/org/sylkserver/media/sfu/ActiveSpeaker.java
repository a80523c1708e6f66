package org.sylkserver.media.sfu;

import java.util.Map;

/**
 * Which publisher of a room is the active speaker, from the publishers' smoothed RFC 6464 levels (−dBov, 0 the
 * loudest, 127 silence, §3) taken at a regular pace. The loudest publisher at or above {@link #SPEECH} becomes the
 * speaker at once when there is none; otherwise it takes over only after being the loudest at {@code takeOver}
 * consecutive times, so that a cough or a short overlap does not make the speaker flicker. A speaker who falls silent
 * stays the speaker until someone else speaks; one who leaves the room is no longer. Not thread-safe.
 */
public final class ActiveSpeaker {

    /** The quietest level that counts as speech: −50 dBov, above a quiet room's noise once a browser's filters ran. */
    public static final int SPEECH = 50;

    private final int takeOver;
    private String speaker;
    private String challenger;
    private int challenges;

    /** @param takeOver the consecutive times a challenger must be the loudest to take over (at least 1) */
    public ActiveSpeaker(int takeOver) {
        if (takeOver < 1) {
            throw new IllegalArgumentException("takeOver must be at least 1: " + takeOver);
        }
        this.takeOver = takeOver;
    }

    /**
     * Takes the room's levels now, by publisher.
     *
     * @return the active speaker, or null when nobody spoke yet (or the speaker left and nobody speaks)
     */
    public String update(Map<String, Integer> levels) {
        if (speaker != null && !levels.containsKey(speaker)) {
            speaker = null;
        }
        String loudest = null;
        int loudestLevel = SPEECH + 1;
        for (Map.Entry<String, Integer> entry : levels.entrySet()) {
            if (entry.getValue() < loudestLevel) {
                loudest = entry.getKey();
                loudestLevel = entry.getValue();
            }
        }
        if (loudest == null || loudest.equals(speaker)) {
            challenger = null;
            challenges = 0;
        } else if (speaker == null) {
            speaker = loudest;
            challenger = null;
            challenges = 0;
        } else {
            challenges = loudest.equals(challenger) ? challenges + 1 : 1;
            challenger = loudest;
            if (challenges >= takeOver) {
                speaker = loudest;
                challenger = null;
                challenges = 0;
            }
        }
        return speaker;
    }
}
