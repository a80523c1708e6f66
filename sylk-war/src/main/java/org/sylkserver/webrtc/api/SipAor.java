package org.sylkserver.webrtc.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Locale;
import java.util.regex.Pattern;

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

        /** RFC 3261 §25.1: user = 1*(unreserved / escaped / user-unreserved); host = hostname / IPv4 / [IPv6]. */
        private static final Pattern AOR = Pattern.compile(
                "[A-Za-z0-9\\-_.!~*'()&=+$,;?/]+(?:%[0-9A-Fa-f]{2}[A-Za-z0-9\\-_.!~*'()&=+$,;?/%]*)*"
                        + "@(?:[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?)*\\.?"
                        + "|\\[[0-9A-Fa-f:.]+\\])");

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

        /** Whether the value, scheme stripped, is {@code user@domain}. */
        public static boolean isValid(String value) {
            return value != null && AOR.matcher(strip(value)).matches();
        }
    }
}
