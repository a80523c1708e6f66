package org.sylkserver.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration directory of the server under test. A test class writes the files it needs before its deployment
 * is read; the container adapter empties the directory when the class undeploys, so the next class starts from the
 * defaults rather than from whatever the previous one configured.
 */
final class ServerConfig {

    private ServerConfig() {
    }

    static Path directory() {
        return Path.of(System.getProperty("sylk.work", "target/sylk-it"), "config");
    }

    /** Writes {@code text} as the configuration file {@code name} ({@code webrtcgateway.ini}, ...). */
    static void write(String name, String text) throws IOException {
        Files.createDirectories(directory());
        Files.writeString(directory().resolve(name), text);
    }
}
