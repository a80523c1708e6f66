package org.sylkserver.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.xmpp.muc.MucSettings;

/**
 * The shipped {@code conf/xmppgateway.ini.sample} (spec §5.8) shows every option with the value the code takes when
 * the option is absent: uncommented as it stands, it changes nothing.
 */
class SampleConfigTest {

    private static final Path SAMPLE = Path.of("../../container-config/conf/xmppgateway.ini.sample");
    /** An option as the sample shows it: {@code ;name = value} (explanations are {@code ; text}). */
    private static final Pattern COMMENTED_OPTION = Pattern.compile("(?m)^;([a-z_]+) =");

    @TempDir
    Path dir;

    @Test
    void uncommentingEveryOptionOfTheSampleChangesNothing_spec_5_8() throws Exception {
        XmppGatewaySettings defaults = XmppGatewaySettings.load(dir);
        MucSettings mucDefaults = MucSettings.load(dir);
        String sample = Files.readString(SAMPLE);
        Files.writeString(dir.resolve("xmppgateway.ini"), COMMENTED_OPTION.matcher(sample).replaceAll("$1 ="));
        List<String> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger xmpp = Logger.getLogger("sylk.xmpp");
        Logger muc = Logger.getLogger("sylk.xmpp.muc");
        xmpp.addHandler(capture);
        muc.addHandler(capture);
        try {
            assertEquals(defaults, XmppGatewaySettings.load(dir));
            assertEquals(mucDefaults, MucSettings.load(dir));
        } finally {
            xmpp.removeHandler(capture);
            muc.removeHandler(capture);
        }
        assertEquals(List.of(), warnings, "every option of the sample is known");
    }

    /**
     * Spec §5.8: {@code sip_session_timeout} defaults to 86400 s in the original's code (its sample file says 600);
     * ours keeps the code's value and says it in the sample.
     */
    @Test
    void sipSessionTimeoutIsADay_spec_5_8() throws Exception {
        assertEquals(Duration.ofSeconds(86400), XmppGatewaySettings.load(dir).sipSessionTimeout());
        assertEquals(1, Pattern.compile("(?m)^;sip_session_timeout = 86400$").matcher(Files.readString(SAMPLE))
                .results().count());
    }
}
