package org.sylkserver.conference;

import java.io.StringWriter;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.sylkserver.conference.chat.JoinInfo;
import org.sylkserver.conference.files.RoomFiles;

/**
 * The {@code application/conference-info+xml} document of a room (RFC 4575 §5), always a full state document
 * (spec §3.6): the description, the user count, one {@code user} per distinct participant URI with one
 * {@code endpoint} per session and one {@code media} per stream, {@code status} on-hold or connected.
 */
final class ConferenceInfo {

    static final String NAMESPACE = "urn:ietf:params:xml:ns:conference-info";
    static final String CONTENT_TYPE = "application/conference-info+xml";
    /** AG Projects' extensions of the document (sipsimple's {@code agp-conf}). */
    static final String AGP_NAMESPACE = "urn:ag-projects:xml:ns:conference-info";

    private ConferenceInfo() {
    }

    /** The chat nicknames (RFC 7701) the document shows as display text (spec §3.4, §3.6). */
    interface Nicknames {
        /** None: every name is the From display name. */
        Nicknames NONE = new Nicknames() {
            @Override
            public String of(Participant participant) {
                return null;
            }

            @Override
            public String lastOf(String uri) {
                return null;
            }
        };

        /** The nickname of the participant's chat session, or null. */
        String of(Participant participant);

        /** The last nickname the user {@code uri} set, or null. */
        String lastOf(String uri);
    }

    /**
     * @param room         {@code user@host} of the room
     * @param version      the document's version (RFC 4575 §5.1: incremented for every notification)
     * @param participants who is in the room now
     * @param nicknames    their chat nicknames, shown instead of their From display names
     * @param files        the room's uploaded files (AG Projects' {@code resources/files} extension, spec §3.6)
     * @param screenImageUrls {@code user@host} → link to the screen that user is sharing now (spec §3.7)
     * @param join         the other ways in, listed as conf-uris
     * @param serverVersion for the free text
     */
    static String document(String room, long version, List<Participant> participants, Nicknames nicknames,
                           List<RoomFiles.RoomFile> files, Map<String, String> screenImageUrls, JoinInfo join,
                           String serverVersion) {
        Map<String, List<Participant>> users = new LinkedHashMap<>();
        for (Participant p : participants) {
            users.computeIfAbsent(p.uri, u -> new java.util.ArrayList<>()).add(p);
        }
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeStartElement("conference-info");
            xml.writeDefaultNamespace(NAMESPACE);
            xml.writeAttribute("entity", "sip:" + room);
            xml.writeAttribute("state", "full");
            xml.writeAttribute("version", Long.toString(version));
            xml.writeStartElement("conference-description");
            text(xml, "display-text", "Ad-hoc conference");
            text(xml, "subject", "");
            text(xml, "free-text", "Hosted by SylkServer-" + serverVersion);
            xml.writeStartElement("conf-uris");
            List<String> uris = new java.util.ArrayList<>(List.of("sip:" + room));
            if (join.xmpp()) {
                uris.add("xmpp:" + room);
            }
            join.phones().forEach(phone -> uris.add("tel:" + phone));
            for (String uri : uris) {
                xml.writeStartElement("entry");
                text(xml, "uri", uri);
                text(xml, "purpose", "participation");
                xml.writeEndElement();
            }
            xml.writeEndElement();
            if (!files.isEmpty()) {
                resources(xml, files);
            }
            xml.writeEndElement();
            xml.writeStartElement("host-info");
            xml.writeStartElement("web-page");
            xml.writeCharacters("http://sylkserver.com");
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeStartElement("conference-state");
            text(xml, "user-count", Integer.toString(users.size()));
            text(xml, "active", "true");
            xml.writeEndElement();
            xml.writeStartElement("users");
            int mediaId = 1;
            for (Map.Entry<String, List<Participant>> user : users.entrySet()) {
                xml.writeStartElement("user");
                xml.writeAttribute("entity", "sip:" + user.getKey());
                // spec §3.6: the user's last nickname, else the From display name of its latest session
                String display = firstNonBlank(nicknames.lastOf(user.getKey()),
                        user.getValue().get(user.getValue().size() - 1).displayName);
                if (display != null) {
                    text(xml, "display-text", display);
                }
                for (Participant p : user.getValue()) {
                    xml.writeStartElement("endpoint");
                    xml.writeAttribute("entity", p.contact);
                    String endpointDisplay = firstNonBlank(nicknames.of(p), p.displayName);
                    if (endpointDisplay != null) {
                        text(xml, "display-text", endpointDisplay);
                    }
                    text(xml, "status", p.onHold() ? "on-hold" : "connected");
                    xml.writeStartElement("joining-info");
                    text(xml, "when", DateTimeFormatter.ISO_INSTANT.format(p.joined));
                    xml.writeEndElement();
                    if (p.endpoint != null || p.chat == null) {
                        xml.writeStartElement("media");
                        xml.writeAttribute("id", Integer.toString(mediaId++));
                        text(xml, "type", "audio");
                        text(xml, "status", p.onHold() ? "recvonly" : "sendrecv");
                        xml.writeEndElement();
                    }
                    if (p.chat != null) {
                        xml.writeStartElement("media");
                        xml.writeAttribute("id", Integer.toString(mediaId++));
                        text(xml, "type", "message");
                        text(xml, "status", "sendrecv");
                        xml.writeEndElement();
                    }
                    xml.writeEndElement();
                }
                String screen = screenImageUrls.get(user.getKey());
                if (screen != null) {
                    // an extension of the user element: after the endpoints (RFC 4575 §5.6)
                    xml.writeStartElement("agp-conf", "screen_image_url", AGP_NAMESPACE);
                    xml.writeNamespace("agp-conf", AGP_NAMESPACE);
                    xml.writeCharacters(screen);
                    xml.writeEndElement();
                }
                xml.writeEndElement();
            }
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write conference-info", e);
        }
        return out.toString();
    }

    /** The room's files, in the AG Projects namespace so that RFC 4575 readers skip them (RFC 4575 §5.1). */
    private static void resources(XMLStreamWriter xml, List<RoomFiles.RoomFile> files) throws XMLStreamException {
        xml.writeStartElement("resources");
        xml.writeDefaultNamespace(AGP_NAMESPACE);
        xml.writeStartElement("files");
        for (RoomFiles.RoomFile file : files) {
            xml.writeStartElement("file");
            text(xml, "name", file.name());
            text(xml, "hash", file.hash());
            text(xml, "size", Long.toString(file.size()));
            text(xml, "sender", "sip:" + file.sender());
            text(xml, "status", "OK");
            xml.writeEndElement();
        }
        xml.writeEndElement();
        xml.writeEndElement();
    }

    private static String firstNonBlank(String preferred, String fallback) {
        if (preferred != null && !preferred.isBlank()) {
            return preferred;
        }
        return fallback != null && !fallback.isBlank() ? fallback : null;
    }

    private static void text(XMLStreamWriter xml, String element, String value) throws XMLStreamException {
        xml.writeStartElement(element);
        xml.writeCharacters(value);
        xml.writeEndElement();
    }
}
