package org.sylkserver.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An INI file as SylkServer's configuration files are written, read the way Python's {@code configparser}
 * (which the original uses) reads them: {@code [Section]} headers, {@code option = value} or
 * {@code option: value} lines, whole-line comments starting with {@code ;} or {@code #}, indented lines
 * continuing the previous value, option names case-insensitive, section names case-sensitive, no inline
 * comments (so {@code outbound_proxy = proxy ;transport=tcp} keeps its {@code ;}).
 *
 * <p>Written by hand rather than taken from a library: ini4j has been unmaintained since 2015, and Commons
 * Configuration's {@code INIConfiguration} reports no line numbers, cuts values at {@code " ;"} / {@code " #"},
 * gives quotes and trailing backslashes a meaning configparser does not, and would put three more libraries
 * on the container's shared class path. The format itself is a handful of rules.
 */
public final class IniFile {

    private final Path path;
    private final Map<String, Map<String, String>> sections;
    private final Set<String> overridden = new HashSet<>();

    private IniFile(Path path, Map<String, Map<String, String>> sections) {
        this.path = path;
        this.sections = sections;
    }

    /** Reads {@code path}; a file that does not exist gives an empty configuration (every option defaults). */
    public static IniFile read(Path path) throws ConfigException {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        if (!Files.exists(path)) {
            return new IniFile(path, sections);
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, String> current = null;
        String continued = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            String line = raw.strip();
            if (line.isEmpty()) {
                continued = null;
                continue;
            }
            if (line.startsWith(";") || line.startsWith("#")) {
                continue;
            }
            if (continued != null && Character.isWhitespace(raw.charAt(0))) {
                // configparser joins continuation lines with a newline; list options split on commas anyway
                current.merge(continued, line, (value, more) -> value.isEmpty() ? more : value + "\n" + more);
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new ConfigException(path + ":" + (i + 1) + ": malformed section header '" + line + "'");
                }
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1).strip(),
                        k -> new LinkedHashMap<>());
                continued = null;
                continue;
            }
            int separator = indexOfSeparator(line);
            if (separator <= 0) {
                throw new ConfigException(path + ":" + (i + 1) + ": expected 'option = value', got '" + line + "'");
            }
            String option = optionName(line.substring(0, separator));
            if (current == null) {
                throw new ConfigException(path + ":" + (i + 1) + ": option '" + option + "' outside of any [Section]");
            }
            current.put(option, line.substring(separator + 1).strip());
            continued = option;
        }
        return new IniFile(path, sections);
    }

    /** The first {@code =} or {@code :} separates name and value, as in configparser. */
    private static int indexOfSeparator(String line) {
        int equals = line.indexOf('=');
        int colon = line.indexOf(':');
        if (equals < 0) {
            return colon;
        }
        return colon < 0 ? equals : Math.min(equals, colon);
    }

    private static String optionName(String text) {
        return text.strip().toLowerCase(Locale.ROOT);
    }

    public Path path() {
        return path;
    }

    /** The options of {@code section} in file order, names in lower case (empty if the section is absent). */
    public Map<String, String> section(String section) {
        return Collections.unmodifiableMap(sections.getOrDefault(section, Map.of()));
    }

    /** The names of all sections in file order. */
    public Set<String> sectionNames() {
        return Collections.unmodifiableSet(sections.keySet());
    }

    /** Sets {@code section.option} to {@code value} on top of what the file says (a command-line override). */
    public void put(String section, String option, String value) {
        String name = optionName(option);
        sections.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(name, value);
        overridden.add(section + "." + name);
    }

    /** Where the value of {@code section.option} came from, for error messages: the file, or an override of it. */
    public String source(String section, String option) {
        return overridden.contains(section + "." + optionName(option)) ? path + " (override)" : path.toString();
    }
}
