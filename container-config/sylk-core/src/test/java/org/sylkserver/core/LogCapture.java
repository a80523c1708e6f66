package org.sylkserver.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what is logged to one of the server's loggers ({@code sylk.core} unless named) while it is open. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());

    public LogCapture() {
        this("sylk.core");
    }

    public LogCapture(String loggerName) {
        logger = Logger.getLogger(loggerName);
        logger.addHandler(this);
    }

    public List<String> messages() {
        return List.copyOf(messages);
    }

    public boolean contains(String text) {
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
