package org.sylkserver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.log4j.Level;
import org.apache.log4j.spi.Filter;
import org.apache.log4j.spi.LoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mobicents.servlet.sip.core.DispatcherException;

class UnknownDialogLogFilterTest {

    private static final String BYE = "Unexpected exception while processing request BYE sip:room1@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\nCall-ID: 1@x\r\n\r\n";

    private final AtomicLong now = new AtomicLong();
    private final UnknownDialogLogFilter filter =
            new UnknownDialogLogFilter(new LogThrottle(Duration.ofSeconds(10), now::get));
    private final LogCapture capture = new LogCapture("sylk.sip");

    @AfterEach
    void stopListening() {
        capture.close();
    }

    private static LoggingEvent event(String logger, String message, Throwable thrown) {
        return new LoggingEvent(logger, org.apache.log4j.Logger.getLogger(logger), Level.ERROR, message, thrown);
    }

    /** RFC 3261 §12.2.2: the 481 is the container's; a flood of them costs the log a line per ten seconds. */
    @Test
    void requestsOfUnknownDialogsAreOneThrottledLineInsteadOfAStackTraceEach_rfc3261_s12_2_2() {
        DispatcherException unknown = new DispatcherException(481, "cannot find the application to handle this subsequent request");
        assertEquals(Filter.DENY, filter.decide(event(UnknownDialogLogFilter.DISPATCHER, BYE, unknown)));
        for (int i = 0; i < 500; i++) {
            now.addAndGet(Duration.ofMillis(10).toNanos());
            assertEquals(Filter.DENY, filter.decide(event(UnknownDialogLogFilter.DISPATCHER, BYE, unknown)));
        }
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertEquals(Filter.DENY, filter.decide(event(UnknownDialogLogFilter.DISPATCHER, BYE, unknown)));
        List<String> lines = capture.messages();
        assertEquals(2, lines.size(), lines::toString);
        assertEquals("BYE sip:room1@127.0.0.1:5060 SIP/2.0 answered 481: no such dialog (1 such request since the last line)",
                lines.get(0));
        assertTrue(lines.get(1).contains("(501 such requests"), lines::toString);
    }

    @Test
    void everythingElsePassesUnchanged() {
        assertEquals(Filter.NEUTRAL, filter.decide(event(UnknownDialogLogFilter.DISPATCHER, BYE,
                new DispatcherException(500, "the servlet threw"))));
        assertEquals(Filter.NEUTRAL, filter.decide(event(UnknownDialogLogFilter.DISPATCHER, BYE,
                new IllegalStateException("ours"))));
        assertEquals(Filter.NEUTRAL, filter.decide(event(UnknownDialogLogFilter.DISPATCHER, "no throwable", null)));
        assertEquals(Filter.NEUTRAL, filter.decide(event("gov.nist.javax.sip.stack", BYE,
                new DispatcherException(481, "elsewhere"))));
        assertTrue(capture.messages().isEmpty(), capture.messages()::toString);
    }
}
