package org.sylkserver.core;

import java.time.Duration;
import java.util.logging.Logger;

import org.apache.log4j.spi.Filter;
import org.apache.log4j.spi.LoggingEvent;
import org.apache.log4j.spi.ThrowableInformation;
import org.mobicents.servlet.sip.core.DispatcherException;

/**
 * Restcomm's dispatcher answers a request of a dialog it does not know (a BYE without a To tag, a stale in-dialog
 * request of a call that ended) with 481, RFC 3261 §12.2.2, and logs it at ERROR with the whole request and a stack
 * trace: about 30 lines that any peer can make us write once per datagram. This log4j filter drops those records
 * and writes, at most once per ten seconds, one INFO line naming the request and how many it stands for. Every
 * other record of the dispatcher, including other {@link DispatcherException}s, passes unchanged.
 */
final class UnknownDialogLogFilter extends Filter {

    static final String DISPATCHER = "org.mobicents.servlet.sip.core.SipApplicationDispatcherImpl";

    private static final Logger log = Logger.getLogger("sylk.sip");

    private final LogThrottle throttle;

    UnknownDialogLogFilter(LogThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    public int decide(LoggingEvent event) {
        if (!DISPATCHER.equals(event.getLoggerName())) {
            return NEUTRAL;
        }
        ThrowableInformation thrown = event.getThrowableInformation();
        if (thrown == null || !(thrown.getThrowable() instanceof DispatcherException refused)
                || refused.getErrorCode() != 481) {
            return NEUTRAL;
        }
        long count = throttle.occurred();
        if (count > 0) {
            log.info(String.format("%s answered 481: no such dialog (%d such request%s since the last line)",
                    requestLine(event.getRenderedMessage()), count, count == 1 ? "" : "s"));
        }
        return DENY;
    }

    /** "Unexpected exception while processing request BYE sip:a@b SIP/2.0\r\nVia: ..." gives the request line. */
    private static String requestLine(String message) {
        if (message == null) {
            return "a request";
        }
        String first = message.lines().findFirst().orElse("").strip();
        int at = first.indexOf("request ");
        return at < 0 ? first : first.substring(at + "request ".length());
    }

    static UnknownDialogLogFilter everyTenSeconds() {
        return new UnknownDialogLogFilter(new LogThrottle(Duration.ofSeconds(10)));
    }
}
