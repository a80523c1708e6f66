package org.sylkserver.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what is logged to the server's {@code sylk.core} logger while it is open. */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("sylk.core");
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());

    LogCapture() {
        logger.addHandler(this);
    }

    List<String> messages() {
        return List.copyOf(messages);
    }

    boolean contains(String text) {
        return messages().stream().anyMatch(message -> message.contains(text));
    }

    @Override
    public void publish(LogRecord record) {
        messages.add(record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
