package org.sylkserver.core;

import java.util.logging.LogManager;

/**
 * The JVM's log manager, kept alive until the very end: the JDK resets (and so silences) logging from its own
 * shutdown hook, which races with Tomcat's, and the messages of a clean stop were lost. Only
 * {@link #resetNow()} resets it. Installed by {@code java.util.logging.manager} before any logger exists.
 */
public final class ServerLogManager extends LogManager {

    @Override
    public void reset() {
        // ignored: see the class comment
    }

    /** Removes every handler (called once at start-up, before the server's own handler is installed). */
    void resetNow() {
        super.reset();
    }
}
