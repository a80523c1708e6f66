package org.sylkserver.core.sip;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What was parsed from the keys used last, so that text seen again is not parsed again: the SIP addresses of a
 * conversation's messages ({@link ParsedAddresses}), the URIs the container asks the stack for per request. Bounded:
 * the {@code limit} keys used last are kept, since remote users choose many of the keys. Only for values nobody
 * changes, or that each caller copies.
 *
 * <p>Threads: any; the map is guarded by this object's monitor, and a value is parsed outside it.
 *
 * @param <K> what is parsed (a text, or the parts of one)
 * @param <V> the parsed value
 */
public final class LastParsed<K, V> {

    /** Parses one key. */
    @FunctionalInterface
    public interface Parser<K, V, E extends Exception> {
        V parse(K key) throws E;
    }

    private final Map<K, V> parsed;

    public LastParsed(int limit) {
        this.parsed = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > limit;
            }
        };
    }

    /** The value parsed before from {@code key}, else the parser's, kept for the next time. */
    public <E extends Exception> V of(K key, Parser<? super K, ? extends V, E> parser) throws E {
        synchronized (this) {
            V known = parsed.get(key);
            if (known != null) {
                return known;
            }
        }
        V value = parser.parse(key);
        synchronized (this) {
            parsed.put(key, value);
        }
        return value;
    }

    /** How many values are kept. */
    public synchronized int size() {
        return parsed.size();
    }
}
