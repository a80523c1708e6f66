package org.sylkserver.core.files;

import java.util.Locale;

/** File sizes as people read them in status messages (spec §3.5). */
public final class FileSizes {

    private static final String[] UNITS = {"KB", "MB", "GB", "TB"};

    private FileSizes() {
    }

    /** {@code 512 bytes}, {@code 1.5 KB}, {@code 100.0 MB}: binary multiples, one decimal. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
