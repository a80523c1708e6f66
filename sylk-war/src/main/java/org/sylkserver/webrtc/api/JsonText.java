package org.sylkserver.webrtc.api;

/** JSON text written by hand where a binding is too slow (a sync's thousands of entries). */
final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /**
     * Appends {@code value} as a JSON string (RFC 8259 §7) escaped as the JSON-P generator under JSON-B escapes it:
     * quotation mark, reverse solidus and the control characters below U+0020 (the short forms where there is one),
     * everything else as it is.
     */
    static void quote(StringBuilder json, String value) {
        json.append('"');
        int length = value.length();
        int from = 0;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            json.append(value, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        json.append(value, from, length).append('"');
    }
}
