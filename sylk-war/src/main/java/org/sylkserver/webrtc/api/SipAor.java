package org.sylkserver.webrtc.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Locale;

/**
 * Marks a request property that is a SIP address of record (spec §4.3 "AOR normalization"): {@code user@domain},
 * with or without a {@code sip:}/{@code sips:} scheme, stored and echoed without it. The schema check refuses other
 * values with {@code Invalid value for '<name>' property: '<value>' (expected: SIP address of record)}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface SipAor {

    /** The check and the normalization, shared by the schema check and the models' setters. */
    final class Syntax {

        /** RFC 3261 §25.1 user-unreserved and unreserved characters, by ASCII code: what a user part holds unescaped. */
        private static final boolean[] USER = new boolean[128];

        static {
            for (char c = 'a'; c <= 'z'; c++) {
                USER[c] = true;
                USER[Character.toUpperCase(c)] = true;
            }
            for (char c = '0'; c <= '9'; c++) {
                USER[c] = true;
            }
            for (char c : "-_.!~*'()&=+$,;?/".toCharArray()) {
                USER[c] = true;
            }
        }

        private Syntax() {
        }

        /** The value without its scheme. */
        public static String strip(String value) {
            if (value == null) {
                return null;
            }
            String lower = value.toLowerCase(Locale.ROOT);
            if (lower.startsWith("sips:")) {
                return value.substring(5);
            }
            return lower.startsWith("sip:") ? value.substring(4) : value;
        }

        /**
         * Whether the value, scheme stripped, is {@code user@domain} (RFC 3261 §25.1): a user of unreserved and
         * user-unreserved characters, from its first escape ({@code %} and two hex digits) on also {@code %}; a host
         * name of labels (letters, digits, inner hyphens) with an optional final dot, or an IPv4 address, or an IPv6
         * reference in brackets. Checked by hand, not by a regular expression: two AORs of every sylkRTC request
         * pass here (the expression was half the schema check's CPU, issue 14, session 20).
         */
        public static boolean isValid(String value) {
            if (value == null) {
                return false;
            }
            String aor = strip(value);
            int at = aor.indexOf('@');
            return at > 0 && isUser(aor, at) && isHost(aor, at + 1);
        }

        /** {@code aor}'s first {@code end} characters as a user part. */
        private static boolean isUser(String aor, int end) {
            boolean escaped = false;
            for (int i = 0; i < end; i++) {
                char c = aor.charAt(i);
                if (c == '%') {
                    if (i == 0 || (!escaped && (i + 2 >= end || !isHex(aor.charAt(i + 1)) || !isHex(aor.charAt(i + 2))))) {
                        return false;
                    }
                    escaped = true;
                } else if (c >= 128 || !USER[c]) {
                    return false;
                }
            }
            return true;
        }

        /** {@code aor} from {@code start} on as a host: labels with an optional final dot, or {@code [IPv6]}. */
        private static boolean isHost(String aor, int start) {
            int end = aor.length();
            if (start < end && aor.charAt(start) == '[') {
                if (end - start < 3 || aor.charAt(end - 1) != ']') {
                    return false;
                }
                for (int i = start + 1; i < end - 1; i++) {
                    char c = aor.charAt(i);
                    if (!(isHex(c) || c == ':' || c == '.')) {
                        return false;
                    }
                }
                return true;
            }
            if (end > start + 1 && aor.charAt(end - 1) == '.') {
                end--;
            }
            int labelStart = start;
            for (int i = start; i <= end; i++) {
                if (i == end || aor.charAt(i) == '.') {
                    if (i == labelStart || aor.charAt(labelStart) == '-' || aor.charAt(i - 1) == '-') {
                        return false;
                    }
                    labelStart = i + 1;
                } else {
                    char c = aor.charAt(i);
                    if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                        return false;
                    }
                }
            }
            return true;
        }

        private static boolean isHex(char c) {
            return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
        }
    }
}
