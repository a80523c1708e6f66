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

    /** Times in events and sync entries (spec §4.3) are written as the formatter wrote them, for any time and offset. */
    @Test
    void eventTimesAreWrittenAsTheFormatterWritesThem_spec4_3() {
        java.util.Random random = new java.util.Random(16);
        List<OffsetDateTime> times = new java.util.ArrayList<>(List.of(
                OffsetDateTime.parse("2026-12-06T08:30:00Z"), OffsetDateTime.parse("2026-12-06T08:30:00.120000Z"),
                OffsetDateTime.parse("2026-12-06T08:30:00.000001-05:30"), OffsetDateTime.parse("0001-01-01T00:00:00+18:00"),
                OffsetDateTime.parse("9999-12-31T23:59:59.999999-18:00"), OffsetDateTime.parse("2026-12-06T08:30:00.123456789+01:00"),
                OffsetDateTime.parse("+10000-01-01T00:00:00Z"), OffsetDateTime.parse("2026-12-06T08:30:00+05:45:30")));
        for (int i = 0; i < 20_000; i++) {
            times.add(OffsetDateTime.of(random.nextInt(10_000), 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60),
                    random.nextBoolean() ? random.nextInt(1_000_000_000) : random.nextInt(1000) * 1_000_000,
                    java.time.ZoneOffset.ofTotalSeconds((random.nextInt(35) - 17) * 3600 + (random.nextBoolean() ? 0 : 45 * 60))));
        }
        for (OffsetDateTime time : times) {
            assertEquals(Messaging.TIMESTAMP.format(time), Messaging.format(time), time.toString());
        }
    }

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
