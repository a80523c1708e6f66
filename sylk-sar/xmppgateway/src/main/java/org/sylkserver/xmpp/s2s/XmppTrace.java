package org.sylkserver.xmpp.s2s;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.Logger;

/** The raw XML of every stream, in and out ({@code trace_xmpp}, spec §5.2), to {@code xmpp_trace.log}. */
public final class XmppTrace implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    private final Writer writer;

    private XmppTrace(Writer writer) {
        this.writer = writer;
    }

    /** A trace that writes nothing. */
    public static XmppTrace off() {
        return new XmppTrace(null);
    }

    /** A trace appended to {@code file}. */
    public static XmppTrace to(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return new XmppTrace(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND));
    }

    /** Whether anything is written (callers skip making the text otherwise). */
    boolean on() {
        return writer != null;
    }

    void received(String stream, String xml) {
        write("in ", stream, xml);
    }

    void sent(String stream, String xml) {
        write("out", stream, xml);
    }

    private void write(String direction, String stream, String xml) {
        if (writer == null) {
            return;
        }
        synchronized (this) {
            try {
                writer.write(Instant.now() + " " + direction + " [" + stream + "]\n" + xml + "\n\n");
                writer.flush();
            } catch (IOException e) {
                LOG.warning("XMPP trace: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
