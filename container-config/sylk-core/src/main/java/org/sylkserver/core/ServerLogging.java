package org.sylkserver.core;

import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

import org.apache.log4j.PropertyConfigurator;

/**
 * One log format for the whole server on standard output: Tomcat and the applications log through
 * java.util.logging, Restcomm and JAIN-SIP through log4j 1.x. Lines read
 * {@code 2026-11-24 16:30:59.316 INFO [sylk.core] message}.
 */
final class ServerLogging {

    private static final String FORMAT = "%1$tF %1$tT.%1$tL %4$s [%3$s] %5$s%6$s%n";

    /** One for the server's life: {@link #configure} replaces the appender, the throttle's count carries over. */
    private static final UnknownDialogLogFilter UNKNOWN_DIALOG = UnknownDialogLogFilter.everyTenSeconds();

    private ServerLogging() {
    }

    /** Installs the handlers at INFO; called first thing, before any logger is used. */
    static void prepare() {
        System.setProperty("java.util.logging.SimpleFormatter.format", FORMAT);
        System.setProperty("java.util.logging.manager", ServerLogManager.class.getName());
        if (LogManager.getLogManager() instanceof ServerLogManager manager) {
            manager.resetNow();
        } else {
            LogManager.getLogManager().reset();
            Logger.getLogger("sylk.core").warning("log manager " + LogManager.getLogManager().getClass().getName()
                    + " is in use; messages written while the server stops may be lost");
        }
        Handler console = new StreamHandler(System.out, new SimpleFormatter()) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();
            }

            /** Flushes only: closing would close System.out, which Tomcat still writes to while stopping. */
            @Override
            public synchronized void close() {
                flush();
            }
        };
        console.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(console);
        root.setLevel(Level.INFO);
        configureLog4j("INFO");
    }

    /** Applies {@code [Server] log_level} (debug, info, warning, error, critical). */
    static void configure(String logLevel) {
        Level level = switch (logLevel) {
            case "debug" -> Level.FINE;
            case "warning" -> Level.WARNING;
            case "error", "critical" -> Level.SEVERE;
            default -> Level.INFO;
        };
        Logger.getLogger("").setLevel(level);
        // the server's own start/stop lines stay visible at log_level = warning
        Logger.getLogger("sylk.core").setLevel(level == Level.WARNING ? Level.INFO : null);
        configureLog4j(switch (logLevel) {
            case "debug" -> "DEBUG";
            case "warning" -> "WARN";
            case "error" -> "ERROR";
            case "critical" -> "FATAL";
            default -> "INFO";
        });
    }

    /** log4j 1.x (Restcomm, JAIN-SIP) at {@code level}: DEBUG, INFO, WARN, ERROR or FATAL. */
    static void configureLog4j(String level) {
        Properties log4j = new Properties();
        log4j.setProperty("log4j.rootLogger", level + ", console");
        // the repository's threshold answers Restcomm's many isDebugEnabled() per SIP message with one comparison
        // instead of a walk up the logger tree (3.5 % of an account-message's CPU samples, issue 14, session 20);
        // nothing below the level is ever enabled, so no logger is lost: log_level = debug lowers both
        log4j.setProperty("log4j.threshold", level);
        log4j.setProperty("log4j.appender.console", "org.apache.log4j.ConsoleAppender");
        log4j.setProperty("log4j.appender.console.Target", "System.out");
        log4j.setProperty("log4j.appender.console.layout", "org.apache.log4j.PatternLayout");
        log4j.setProperty("log4j.appender.console.layout.ConversionPattern", "%d{yyyy-MM-dd HH:mm:ss.SSS} %p [%c] %m%n");
        // JAIN-SIP's stack logger is very verbose below WARN even when the server is at debug
        log4j.setProperty("log4j.logger.gov.nist", "DEBUG".equals(level) ? "INFO" : "WARN");
        // JAIN-SIP logs under the stack name; SIP messages go to the trace file, not here
        log4j.setProperty("log4j.logger.SylkServer", "WARN");
        PropertyConfigurator.configure(log4j);
        org.apache.log4j.Logger.getRootLogger().getAppender("console").addFilter(UNKNOWN_DIALOG);
    }
}
