package org.sylkserver.xmpp.im;

import java.util.regex.Pattern;

/** The plain-text body of an HTML message (spec §5.3): the markup stripped, the five XML entities decoded. */
final class Html {

    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern BREAK = Pattern.compile("(?i)<br\\s*/?>|</p>");

    private Html() {
    }

    static String text(String html) {
        String text = BREAK.matcher(html).replaceAll("\n");
        text = TAG.matcher(text).replaceAll("");
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&nbsp;", " ").replace("&amp;", "&").strip();
    }
}
