package org.sylkserver.media.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A chain of {@link Stage}s that a packet goes through top to bottom, until one of them drops or consumes it.
 * Built once, in the order the stages are read; adding a step (the video rooms' rewriting, NACK cache or layer
 * selection) is adding one {@link Stage} to the list where it belongs, and its counters come with it.
 *
 * <p>Not thread-safe: one thread runs a pipeline (see {@link Stage} for the counters).
 */
public final class Pipeline {

    private final String name;
    private final Stage[] stages;

    private Pipeline(String name, List<Stage> stages) {
        this.name = name;
        this.stages = stages.toArray(new Stage[0]);
    }

    /** A pipeline of {@code stages}, in order. */
    public static Pipeline of(String name, List<? extends Stage> stages) {
        return new Pipeline(name, List.copyOf(stages));
    }

    /** Builds a pipeline stage by stage. */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /**
     * Runs {@code packet} through the stages.
     *
     * @return whether it went through every stage (the last one returned it)
     */
    public boolean accept(Packet packet) {
        Packet current = packet;
        for (Stage stage : stages) {
            current = stage.process(current);
            if (current == null) {
                return false;
            }
        }
        return true;
    }

    /** The stages, in order. */
    public List<Stage> stages() {
        return List.of(stages);
    }

    /** The packets dropped by every stage together. */
    public long dropped() {
        long total = 0;
        for (Stage stage : stages) {
            total += stage.dropped();
        }
        return total;
    }

    /** E.g. {@code from-browser [ice 10/0, dtls 4/0, srtp 300/1, ...]}: packets handed in / dropped per stage. */
    @Override
    public String toString() {
        return name + " " + List.of(stages);
    }

    /** Adds stages in the order a packet meets them. */
    public static final class Builder {
        private final String name;
        private final List<Stage> stages = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** Appends {@code stage}; returns this builder. */
        public Builder then(Stage stage) {
            stages.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        public Pipeline build() {
            return new Pipeline(name, stages);
        }
    }
}
