package org.sylkserver.echo;

import java.nio.file.Path;
import java.time.Duration;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;

/**
 * {@code echo.ini}, section {@code [Echo]}: the original hard-codes both values (spec §6.1); they are options
 * here so that load tests can answer at once.
 *
 * @param answerDelay    time between 180 Ringing and the answer (default 2 s)
 * @param sessionTimeout the server ends calls after this long (default 600 s)
 */
record EchoSettings(Duration answerDelay, Duration sessionTimeout) {

    static EchoSettings load(Path configDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("echo.ini"));
        SectionReader echo = new SectionReader(ini, "Echo");
        return new EchoSettings(echo.seconds("answer_delay", Duration.ofSeconds(2)),
                echo.seconds("session_timeout", Duration.ofSeconds(600)));
    }
}
