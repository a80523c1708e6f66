package org.sylkserver.core.config;

import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, validated access to the options of one section of an {@link IniFile}. Every error names the file,
 * the section, the option and the bad value: {@code config.ini: [SIP] local_udp_port = 'abc': not a port number (0-65535)}.
 * Booleans are written true/false, yes/no, on/off or 1/0; lists are comma separated.
 */
public final class SectionReader {

    private static final String NOT_A_PORT = "not a port number (0-65535)";

    private final IniFile file;
    private final String section;
    private final Map<String, String> options;
    private final Set<String> used = new HashSet<>();

    public SectionReader(IniFile file, String section) {
        this.file = file;
        this.section = section;
        this.options = file.section(section);
    }

    /** The raw value, or {@code null} when the option is absent. */
    public String raw(String option) {
        used.add(option);
        return options.get(option);
    }

    public String string(String option, String defaultValue) {
        String value = raw(option);
        return value == null ? defaultValue : value;
    }

    public boolean bool(String option, boolean defaultValue) throws ConfigException {
        String value = raw(option);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw error(option, value, "not a boolean (true/false, yes/no, on/off, 1/0)");
        };
    }

    /** A duration in seconds, fractions allowed (e.g. {@code 2.5}). */
    public Duration seconds(String option, Duration defaultValue) throws ConfigException {
        String value = raw(option);
        if (value == null) {
            return defaultValue;
        }
        try {
            double seconds = Double.parseDouble(value.strip());
            if (seconds >= 0 && seconds <= 86400 * 365) {
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(option, value, "not a number of seconds");
    }

    public int integer(String option, int defaultValue, int min, int max) throws ConfigException {
        String value = raw(option);
        if (value == null) {
            return defaultValue;
        }
        return parseInteger(option, value, min, max, "not a whole number in [" + min + ", " + max + "]");
    }

    public int port(String option, int defaultValue) throws ConfigException {
        String value = raw(option);
        return value == null ? defaultValue : parseInteger(option, value, 0, 65535, NOT_A_PORT);
    }

    /** A port where an empty value means "disabled" (spec §1.3); {@code 0} asks for any free port. */
    public OptionalInt optionalPort(String option, int defaultValue) throws ConfigException {
        String value = raw(option);
        if (value == null) {
            return OptionalInt.of(defaultValue);
        }
        return optionalPort(option);
    }

    /** A port that is not set unless the option has a value. */
    public OptionalInt optionalPort(String option) throws ConfigException {
        String value = raw(option);
        if (value == null || value.isBlank()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(parseInteger(option, value, 0, 65535, NOT_A_PORT));
    }

    private int parseInteger(String option, String value, int min, int max, String problem) throws ConfigException {
        try {
            int number = Integer.parseInt(value.strip());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(option, value, problem);
    }

    /** A comma separated list, items trimmed; blank items are dropped. */
    public List<String> list(String option, List<String> defaultValue) {
        String value = raw(option);
        if (value == null) {
            return defaultValue;
        }
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return List.copyOf(items);
    }

    /** One of {@code allowed}, compared case-insensitively and returned as written in {@code allowed}. */
    public String choice(String option, String defaultValue, Set<String> allowed) throws ConfigException {
        String value = string(option, defaultValue).strip();
        for (String candidate : allowed) {
            if (candidate.equalsIgnoreCase(value)) {
                return candidate;
            }
        }
        throw error(option, value, "must be one of " + String.join(", ", new TreeSet<>(allowed)));
    }

    /** An IP literal; {@code null} when absent, empty or {@code any} (meaning "the default route's address"). */
    public InetAddress ipAddress(String option) throws ConfigException {
        String value = raw(option);
        if (value == null || value.isBlank() || value.strip().equalsIgnoreCase("any")) {
            return null;
        }
        InetAddress address = IpLiteral.parse(value.strip());
        if (address == null) {
            throw error(option, value, "not an IP address (or empty / 'any' for the default route's address)");
        }
        return address;
    }

    /** A path; relative paths are resolved against {@code base}. {@code defaultValue} when absent or empty. */
    public Path path(String option, Path base, Path defaultValue) throws ConfigException {
        String value = raw(option);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return base.resolve(value.strip()).normalize();
        } catch (InvalidPathException e) {
            // e.g. a NUL byte: the file system has no such name, and start-up must say which option it was
            throw error(option, value.replace("\0", "\\0"), "not a valid path (" + e.getReason() + ")");
        }
    }

    /** The error for a bad value of {@code option}, naming file, section, option and value. */
    public ConfigException error(String option, String value, String problem) {
        return new ConfigException(file.source(section, option) + ": [" + section + "] " + option + " = '" + value
                + "': " + problem);
    }

    /** Options present in the section that nobody asked for. */
    public List<String> unknownOptions() {
        List<String> unknown = new ArrayList<>();
        for (String option : options.keySet()) {
            if (!used.contains(option)) {
                unknown.add(option);
            }
        }
        return unknown;
    }
}
