package org.sylkserver.xmpp.presence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;

import org.jivesoftware.smack.packet.Presence;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.s2s.StreamElement;

/**
 * The PIDF document (RFC 3863, with the data model of RFC 4479 and RPID, RFC 4480) a SIP watcher gets for an XMPP
 * user (spec §5.5.1): one person whose activities say {@code away}/{@code busy} when a resource is away, xa or dnd;
 * one tuple per resource with basic status, the extended status of AG Projects' PIDF extension (as Blink reads
 * it), the resource's SIP contact with its {@code gr}, device id and description, service capabilities and the
 * status texts as notes. Unavailable resources are closed/offline.
 */
public final class Pidf {

    public static final String CONTENT_TYPE = "application/pidf+xml";
    static final String AGP = "urn:ag-projects:xml:ns:pidf";

    private Pidf() {
    }

    /**
     * @param bareJid   the XMPP user the document is about
     * @param resources the last presence of each resource (unavailable ones included, reported as offline)
     */
    public static byte[] of(String bareJid, Map<String, Presence> resources, Instant now) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"")
                .append(" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"")
                .append(" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"")
                .append(" xmlns:caps=\"urn:ietf:params:xml:ns:pidf:caps\"")
                .append(" xmlns:agp=\"").append(AGP).append("\"")
                .append(" entity=\"sip:").append(escape(bareJid)).append("\">\n");
        TreeSet<String> activities = new TreeSet<>();
        for (Presence presence : resources.values()) {
            String status = extendedStatus(presence);
            if (status.equals("away") || status.equals("busy")) {
                activities.add(status);
            }
        }
        xml.append("  <dm:person id=\"PID-").append(md5(bareJid)).append("\">");
        if (!activities.isEmpty()) {
            xml.append("<rpid:activities>");
            activities.forEach(activity -> xml.append("<rpid:").append(activity).append("/>"));
            xml.append("</rpid:activities>");
        }
        xml.append("</dm:person>\n");
        resources.forEach((resource, presence) -> tuple(xml, bareJid, resource, presence, now));
        xml.append("</presence>\n");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void tuple(StringBuilder xml, String bareJid, String resource, Presence presence, Instant now) {
        String hex = Addresses.gruuOf(resource);
        boolean open = presence.getType() == Presence.Type.available;
        xml.append("  <tuple id=\"SID-").append(hex).append("\">\n")
                .append("    <status><basic>").append(open ? "open" : "closed").append("</basic>")
                .append("<agp:extended>").append(extendedStatus(presence)).append("</agp:extended></status>\n")
                .append("    <contact>sip:").append(escape(bareJid)).append(";gr=").append(hex).append(";xmpp</contact>\n")
                .append("    <dm:deviceID>").append(hex).append("</dm:deviceID>\n")
                .append("    <agp:device-info id=\"").append(hex).append("\"><agp:description>")
                .append(escape(resource)).append("</agp:description></agp:device-info>\n")
                .append("    <timestamp>").append(now).append("</timestamp>\n")
                .append("    <caps:servcaps><caps:text>true</caps:text><caps:message>true</caps:message></caps:servcaps>\n");
        if (presence.getStatus() != null && !presence.getStatus().isEmpty()) {
            xml.append("    <note");
            if (presence.getLanguage() != null && !presence.getLanguage().isEmpty()) {
                xml.append(" xml:lang=\"").append(escape(presence.getLanguage())).append('"');
            }
            xml.append('>').append(escape(presence.getStatus())).append("</note>\n");
        }
        xml.append("  </tuple>\n");
    }

    /** available / away (show away, xa) / busy (dnd) / offline (unavailable), spec §5.5.1. */
    static String extendedStatus(Presence presence) {
        if (presence.getType() != Presence.Type.available) {
            return "offline";
        }
        return switch (presence.getMode()) {
            case away, xa -> "away";
            case dnd -> "busy";
            default -> "available";
        };
    }

    private static String escape(String text) {
        return StreamElement.escape(text);
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing", e);
        }
    }
}
