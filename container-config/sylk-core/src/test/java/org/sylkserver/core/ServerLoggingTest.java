package org.sylkserver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.log4j.Level;
import org.apache.log4j.LogManager;
import org.apache.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Restcomm's log4j 1.x configuration follows {@code [Server] log_level} (spec §7.1 config.ini, README "Logs"). */
class ServerLoggingTest {

    /** A Restcomm logger with no level of its own, asked isDebugEnabled() several times per SIP message. */
    private static final String RESTCOMM = "org.mobicents.servlet.sip.message.SipFactoryImpl";

    @AfterEach
    void unconfigure() {
        LogManager.resetConfiguration();
    }

    @Test
    void atInfoTheRepositoryThresholdAnswersDebugChecksWithoutTheLoggerTree() {
        ServerLogging.configureLog4j("INFO");

        assertEquals(Level.INFO, LogManager.getLoggerRepository().getThreshold());
        assertTrue(LogManager.getLoggerRepository().isDisabled(Level.DEBUG_INT));
        assertFalse(Logger.getLogger(RESTCOMM).isDebugEnabled());
        assertTrue(Logger.getLogger(RESTCOMM).isInfoEnabled());
    }

    @Test
    void atWarningInfoIsBelowTheThreshold() {
        ServerLogging.configureLog4j("WARN");

        assertEquals(Level.WARN, LogManager.getLoggerRepository().getThreshold());
        assertFalse(Logger.getLogger(RESTCOMM).isInfoEnabled());
        assertTrue(Logger.getLogger(RESTCOMM).isEnabledFor(Level.WARN));
    }

    @Test
    void logLevelDebugStillTurnsTheContainersDebugLinesOn() {
        ServerLogging.configureLog4j("DEBUG");

        assertEquals(Level.DEBUG, LogManager.getLoggerRepository().getThreshold());
        assertTrue(Logger.getLogger(RESTCOMM).isDebugEnabled());
        // JAIN-SIP stays at INFO even then (its stack logger is too verbose below)
        assertFalse(Logger.getLogger("gov.nist.javax.sip.stack.SIPTransactionStack").isDebugEnabled());
        assertTrue(Logger.getLogger("gov.nist.javax.sip.stack.SIPTransactionStack").isInfoEnabled());
    }
}
