package org.sylkserver.core;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of {@code sylk-server} (spec §7.4), parsed from the command line.
 *
 * @param configDir  directory holding config.ini and the applications' .ini files
 * @param varDir     directory for data, logs and the running container's files
 * @param runtimeDir directory for the pid file
 * @param overrides  {@code Section.option=value} settings given with {@code --set}, applied over config.ini
 * @param debug      force log_level debug
 * @param help       print usage and exit
 * @param version    print the version and exit
 */
public record CommandLine(Path configDir, Path varDir, Path runtimeDir, Map<String, String> overrides,
                          boolean debug, boolean help, boolean version) {

    static final String USAGE = """
            Usage: sylk-server [OPTIONS]

            Runs SylkServer in the foreground: SIP applications (conference, echo, ...) and the WebRTC gateway
            on one Tomcat/Restcomm SIP Servlets container. Ctrl-C (SIGINT) or SIGTERM stops it cleanly.

            Options:
              --config-dir DIR     directory with config.ini and the applications' .ini files
                                   (default: /etc/sylkserver if it has a config.ini, else ./config)
              --var-dir DIR        data, traces and the container's working files (default: ./var)
              --runtime-dir DIR    where the pid file sylk-server.pid is written (default: VAR/run)
              --set SECTION.OPTION=VALUE
                                   override one config.ini option, e.g. --set SIP.local_udp_port=5070
                                   (repeatable; applied after config.ini is read)
              --debug              log at debug level (same as log_level = debug)
              --version            print the version and exit
              -h, --help           print this help and exit

            Configuration: config.ini (see conf/config.ini.sample for every option and its default).
            Without a config.ini the built-in defaults are used: SIP on UDP/TCP 5060 and TLS 5061 (with a
            self-signed certificate created on first start), web server and WebSocket API on port 10888.
            """;

    /** Parses {@code args}; throws IllegalArgumentException with a message for the user on a bad option. */
    public static CommandLine parse(String[] args) {
        Path configDir = null;
        Path varDir = Path.of("var");
        Path runtimeDir = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        boolean debug = false;
        boolean help = false;
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--config-dir" -> configDir = Path.of(value(args, ++i, arg));
                case "--var-dir" -> varDir = Path.of(value(args, ++i, arg));
                case "--runtime-dir" -> runtimeDir = Path.of(value(args, ++i, arg));
                case "--set" -> {
                    String setting = value(args, ++i, arg);
                    int eq = setting.indexOf('=');
                    int dot = setting.indexOf('.');
                    if (eq < 0 || dot < 1 || dot > eq) {
                        throw new IllegalArgumentException("--set expects SECTION.OPTION=VALUE, got '" + setting + "'");
                    }
                    overrides.put(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
                }
                case "--debug" -> debug = true;
                case "--version" -> version = true;
                case "-h", "--help" -> help = true;
                case "--no-fork", "--systemd" -> {
                    // the server always runs in the foreground; accepted for compatibility with the original
                }
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (configDir == null) {
            configDir = defaultConfigDir();
        }
        varDir = varDir.toAbsolutePath().normalize();
        if (runtimeDir == null) {
            runtimeDir = varDir.resolve("run");
        }
        return new CommandLine(configDir.toAbsolutePath().normalize(), varDir, runtimeDir.toAbsolutePath().normalize(),
                java.util.Collections.unmodifiableMap(overrides), debug, help, version);
    }

    /** {@code /etc/sylkserver} when it has a {@code config.ini}, else {@code ./config} (also {@code sylk-db}'s default). */
    public static Path defaultConfigDir() {
        Path system = Path.of("/etc/sylkserver");
        return system.resolve("config.ini").toFile().isFile() ? system : Path.of("config");
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return args[index];
    }
}
