package org.sylkserver.core.msrp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.BiConsumer;

/**
 * {@code [Server] trace_msrp}: every MSRP message in and out, appended to {@code msrp_trace.log} in the trace
 * directory with the time, direction and peer (bodies as text; binary bytes as the platform decodes them).
 */
public final class MsrpTrace {

    private MsrpTrace() {
    }

    public static BiConsumer<String, byte[]> to(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the trace directory for " + file, e);
        }
        return (heading, bytes) -> {
            String entry = Instant.now() + " " + heading + "\n" + new String(bytes, StandardCharsets.UTF_8) + "\n";
            // one lock for the one trace file, which the MSRP connections of every room append to
            synchronized (MsrpTrace.class) {
                try {
                    Files.writeString(file, entry, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                } catch (IOException e) {
                    // tracing must never break a session
                }
            }
        };
    }
}
