package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.webrtc.api.RequestError;

/** The times of sylkRTC requests (spec §4.3: ISO 8601 with offset), read as the JDK's parser reads them. */
class MessagingTimesTest {

    /**
     * Every form the JDK's {@code OffsetDateTime.parse} takes, or refuses, gets the same answer: the usual one goes
     * through CPIM's reader (RFC 3339 §5.6), the rest through the JDK.
     */
    @Test
    void requestTimesAreReadAsTheJdkReadsThem() {
        List<String> forms = List.of("2026-12-06T08:30:00Z", "2026-12-06T08:30:00.123456+02:00",
                "2026-12-06T08:30:00.1-05:30", "2026-12-06t08:30:00z", "2026-12-06T08:30Z", "2026-12-06T08:30:00.123456789Z",
                "2026-12-06T08:30:00.1234567891Z", " 2026-12-06T08:30:00Z", "2026-12-06T08:30:00Z ", "2026-02-30T08:30:00Z",
                "2026-12-06T24:00:00Z", "2026-12-06T23:59:60Z", "2026-12-06T08:30:00+18:01", "2026-12-06T08:30:00",
                "2026-12-06 08:30:00Z", "+12026-12-06T08:30:00Z", "2026-12-06T08:30:00+0200", "", "yesterday");
        for (String form : forms) {
            OffsetDateTime expected;
            try {
                expected = OffsetDateTime.parse(form);
            } catch (DateTimeParseException e) {
                RequestError error = assertThrows(RequestError.class, () -> Messaging.time("timestamp", form), form);
                assertEquals("Invalid value for 'timestamp' property: '" + form + "' (expected: ISO 8601 time)",
                        error.getMessage());
                continue;
            }
            try {
                assertEquals(expected, Messaging.time("timestamp", form), form);
            } catch (RequestError e) {
                throw new AssertionError(form + " refused: " + e.getMessage(), e);
            }
        }
    }
}
