package org.sylkserver.xmpp.jingle;

import java.util.List;

import org.jivesoftware.smack.packet.StandardExtensionElement;

/** Reading the attributes of Jingle elements, a syntax error becoming {@link MalformedJingleException}. */
final class Attributes {

    private Attributes() {
    }

    /** The children named {@code name} in {@code namespace} (Smack gives null for none). */
    static List<StandardExtensionElement> children(StandardExtensionElement element, String name, String namespace) {
        List<StandardExtensionElement> children = element.getElements(name, namespace);
        return children != null ? children : List.of();
    }

    /** All children (Smack gives null for none). */
    static List<StandardExtensionElement> children(StandardExtensionElement element) {
        List<StandardExtensionElement> children = element.getElements();
        return children != null ? children : List.of();
    }

    static String required(StandardExtensionElement element, String name) throws MalformedJingleException {
        String value = element.getAttributeValue(name);
        if (value == null || value.isEmpty()) {
            throw new MalformedJingleException("<" + element.getElementName() + "> without " + name);
        }
        return value;
    }

    /** The attribute as a number in [min, max], or {@code absent} when it is missing. */
    static long number(StandardExtensionElement element, String name, long min, long max, long absent)
            throws MalformedJingleException {
        String value = element.getAttributeValue(name);
        if (value == null) {
            return absent;
        }
        try {
            long number = Long.parseLong(value.strip());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MalformedJingleException("<" + element.getElementName() + "> " + name + "='" + value
                + "' is not a number in [" + min + ", " + max + "]");
    }

    static long requiredNumber(StandardExtensionElement element, String name, long min, long max)
            throws MalformedJingleException {
        required(element, name);
        return number(element, name, min, max, 0);
    }
}
