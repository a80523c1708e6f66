package org.sylkserver.xmpp.im;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Entities;
import org.jsoup.safety.Safelist;

/**
 * HTML bodies between SIP ({@code text/html}) and XMPP (XHTML-IM, XEP-0071), spec §5.3. HTML from SIP need not be
 * well-formed XML, and may hold scripts: jsoup reduces it to the text-formatting elements XEP-0071 §7 allows
 * (links, emphasis, lists, paragraphs, quotes, code) and writes them as XHTML; the plain-text body is its text.
 */
public final class Html {

    static final String XHTML = "http://www.w3.org/1999/xhtml";

    private Html() {
    }

    /** The text of an HTML body, for the message's plain {@code <body>}. */
    public static String text(String html) {
        return Jsoup.parse(html).text();
    }

    /** The XHTML-IM {@code <body>} element for an HTML body: sanitized, well-formed. */
    static String xhtmlBody(String html) {
        Document.OutputSettings xhtml = new Document.OutputSettings().syntax(Document.OutputSettings.Syntax.xml)
                .escapeMode(Entities.EscapeMode.xhtml).charset("UTF-8").prettyPrint(false);
        String clean = Jsoup.clean(html, "", Safelist.basic(), xhtml);
        return "<body xmlns='" + XHTML + "'>" + clean + "</body>";
    }
}
