package org.sylkserver.media.mixer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.codec.Resampler;

/**
 * What a member hears of a prompt played to it alone, from the prompt's start, rendered once for everyone: every
 * joiner of every room hears the same welcome while it is isolated (spec §3.3), and mixing, limiting and bringing
 * down to the codec's rate each of its frames for each joiner was most of a join's cost. A rendition holds, frame
 * by frame, the samples the member's encoder gets and the states its {@link Limiter} and downsampler are left in;
 * a member on a rendition takes the samples and moves its prompt on, and when it leaves the rendition (another
 * prompt, the prompt stopped, connected to the room, on hold) it takes over the states and goes on computing from
 * there. Frames nobody has reached yet are computed by the first member that does, the normal way, and kept.
 *
 * <p>The output is the same to the bit as computing each frame: a rendition starts only from a limiter at unity
 * and a downsampler at rest, and from such states the output depends on the input alone ({@link Limiter#atUnity},
 * {@link Resampler#atRest}); the input is the prompt's samples, the same for prompts of the same pieces.
 *
 * <p>Members with a stateless codec (G.711) also share the encoded frame: it is encoded once per codec.
 *
 * <p>Holds at most {@code capacity} frames over all renditions (at 8 kHz, about 1.5 KiB each, most of it the
 * downsampler's history); when full it starts again empty, members on the renditions dropped computing their
 * frames again. Any thread: rooms are mixed in parallel.
 */
final class Renditions {

    /** One prompt at one codec rate. */
    private record Key(List<short[]> content, boolean loops, int rate) {
    }

    /**
     * Frame {@code k}: the samples at the codec's rate (never modified: the encoder only reads them), the limiter's
     * and downsampler's (null at 48 kHz) states after it, and the samples as stateless encoders made them, by
     * encoding name.
     */
    record Frame(short[] samples, Limiter.State limiter, Resampler.State downsampler, Map<String, byte[]> encodings) {

        Frame(short[] samples, Limiter.State limiter, Resampler.State downsampler) {
            this(samples, limiter, downsampler, new ConcurrentHashMap<>(2));
        }

        /**
         * The samples encoded by {@code encoder}, a {@link AudioCodec#stateless() stateless} one whose
         * {@link AudioCodec#encodingName() encoding name} is {@code encodingName}: encoded once for every member with
         * that codec (the payload is shared: never modified).
         */
        byte[] encoded(String encodingName, AudioCodec encoder) {
            return encodings.computeIfAbsent(encodingName, name -> encoder.encode(samples));
        }
    }

    /** The frames of one prompt at one rate, appended as members first reach them. */
    static final class Rendition {
        private final Renditions owner;
        private volatile Frame[] frames = new Frame[0];
        private volatile boolean dropped;

        private Rendition(Renditions owner) {
            this.owner = owner;
        }

        /** Frame {@code k}, or null when nobody has rendered it yet. */
        Frame frame(int k) {
            Frame[] known = frames;
            return k < known.length ? known[k] : null;
        }

        /**
         * Keeps frame {@code k} once rendered (the first one, if two members rendered it at once); whether the
         * rendition has frame {@code k} now (not when the renditions are full).
         */
        synchronized boolean add(int k, Frame frame) {
            Frame[] known = frames;
            if (k < known.length) {
                return true;
            }
            if (dropped || k > known.length || !owner.reserve()) {
                return false;
            }
            Frame[] more = Arrays.copyOf(known, k + 1);
            more[k] = frame;
            frames = more;
            return true;
        }
    }

    private final int capacity;
    private final Map<Key, Rendition> renditions = new ConcurrentHashMap<>();
    private int frames;

    /** @param capacity frames kept at most over all renditions */
    Renditions(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The rendition of {@code prompt} at {@code rate} (the codec's sample rate). */
    Rendition of(Prompt prompt, int rate) {
        return renditions.computeIfAbsent(new Key(prompt.content(), prompt.loops(), rate), key -> new Rendition(this));
    }

    /** Counts one more frame kept; when full, drops every rendition and starts again empty. */
    private synchronized boolean reserve() {
        if (frames >= capacity) {
            renditions.values().forEach(rendition -> rendition.dropped = true);
            renditions.clear();
            frames = 0;
            return false;
        }
        frames++;
        return true;
    }

    /** Frames kept now. */
    synchronized int size() {
        return frames;
    }
}
