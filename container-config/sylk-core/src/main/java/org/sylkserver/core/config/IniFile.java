package org.sylkserver.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An INI file as SylkServer's configuration files are written: {@code [Section]} headers, {@code key = value}
 * lines (also {@code key: value}), whole-line comments starting with {@code ;} or {@code #}.
 *
 * <p>Written by hand rather than taken from a library: the format is ten lines of rules, and the one INI
 * library on Maven Central (ini4j) has been unmaintained since 2015 and reports no line numbers.
 * A missing file reads as empty, so every option takes its default.
 */
public final class IniFile {

    private final Path path;
    private final Map<String, Map<String, String>> sections;

    private IniFile(Path path, Map<String, Map<String, String>> sections) {
        this.path = path;
        this.sections = sections;
    }

    /** Reads {@code path}; a file that does not exist gives an empty configuration. */
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
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new ConfigException(path + ":" + (i + 1) + ": malformed section header '" + line + "'");
                }
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1).strip(), k -> new LinkedHashMap<>());
                continue;
            }
            int separator = indexOfSeparator(line);
            if (separator <= 0) {
                throw new ConfigException(path + ":" + (i + 1) + ": expected 'option = value', got '" + line + "'");
            }
            if (current == null) {
                throw new ConfigException(path + ":" + (i + 1) + ": option '" + line.substring(0, separator).strip()
                        + "' outside of any [Section]");
            }
            current.put(line.substring(0, separator).strip(), line.substring(separator + 1).strip());
        }
        return new IniFile(path, sections);
    }

    private static int indexOfSeparator(String line) {
        int equals = line.indexOf('=');
        int colon = line.indexOf(':');
        if (equals < 0) {
            return colon;
        }
        return colon < 0 ? equals : Math.min(equals, colon);
    }

    public Path path() {
        return path;
    }

    /** The options of {@code section} in file order (empty if the section is absent). */
    public Map<String, String> section(String section) {
        return Collections.unmodifiableMap(sections.getOrDefault(section, Map.of()));
    }

    /** The names of all sections in file order. */
    public Iterable<String> sectionNames() {
        return Collections.unmodifiableSet(sections.keySet());
    }

    /** Sets {@code section.option} to {@code value}, as if the file said so. */
    public void put(String section, String option, String value) {
        sections.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(option, value);
    }
}
