package org.sylkserver.core.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Typed, validated access to the options of one section of an {@link IniFile}. Every error names the file,
 * the section, the option and the bad value: {@code config.ini: [SIP] local_udp_port = 'abc': not a port number}.
 */
public final class SectionReader {

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
    public java.time.Duration seconds(String option, java.time.Duration defaultValue) throws ConfigException {
        String value = raw(option);
        if (value == null) {
            return defaultValue;
        }
        try {
            double seconds = Double.parseDouble(value.strip());
            if (seconds >= 0 && seconds <= 86400 * 365) {
                return java.time.Duration.ofMillis(Math.round(seconds * 1000));
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
        return parseInteger(option, value, min, max, "not a whole number");
    }

    public int port(String option, int defaultValue) throws ConfigException {
        String value = raw(option);
        return value == null ? defaultValue : parseInteger(option, value, 0, 65535, "not a port number (0-65535)");
    }

    /** A port where an empty value means "disabled" (spec §1.3). */
    public OptionalInt optionalPort(String option, int defaultValue) throws ConfigException {
        String value = raw(option);
        if (value == null) {
            return OptionalInt.of(defaultValue);
        }
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(parseInteger(option, value, 1, 65535, "not a port number (1-65535, empty to disable)"));
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

    /** A comma separated list; blank items are dropped. */
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

    public String choice(String option, String defaultValue, Set<String> allowed) throws ConfigException {
        String value = string(option, defaultValue).strip();
        if (!allowed.contains(value)) {
            throw error(option, value, "must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
        return value;
    }

    /** An IP literal; {@code null} when absent, empty or {@code any} (meaning "the default route's address"). */
    public InetAddress ipAddress(String option) throws ConfigException {
        String value = raw(option);
        if (value == null || value.isBlank() || value.equalsIgnoreCase("any")) {
            return null;
        }
        String literal = value.strip();
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            throw error(option, value, "not an IP address");
        }
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw error(option, value, "not an IP address");
        }
    }

    /** A path; relative paths are resolved against {@code base}. {@code null} when absent and no default. */
    public Path path(String option, Path base, Path defaultValue) {
        String value = raw(option);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        return base.resolve(value.strip()).normalize();
    }

    public ConfigException error(String option, String value, String problem) {
        return new ConfigException(file.path() + ": [" + section + "] " + option + " = '" + value + "': " + problem);
    }

    /** Options present in the file that nobody asked for. */
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
