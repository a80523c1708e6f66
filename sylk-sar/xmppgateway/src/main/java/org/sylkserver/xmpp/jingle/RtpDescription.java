package org.sylkserver.xmpp.jingle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jivesoftware.smack.packet.StandardExtensionElement;

/**
 * A Jingle RTP application description (XEP-0167 §4): the media type, the payload types in order of preference, the
 * SDES keys of SRTP (XEP-0167 §7) and whether RTP and RTCP share a port.
 *
 * @param media              {@code audio} or {@code video}
 * @param payloadTypes       in the sender's order of preference
 * @param crypto             the SDES offers/answer, empty for plain RTP
 * @param encryptionRequired the {@code required} flag of {@code <encryption>}
 * @param rtcpMux            {@code <rtcp-mux/>} (XEP-0167 §5, RFC 5761)
 */
public record RtpDescription(String media, List<PayloadType> payloadTypes, List<Crypto> crypto,
                             boolean encryptionRequired, boolean rtcpMux) {

    public static final String NAMESPACE = "urn:xmpp:jingle:apps:rtp:1";
    public static final String ELEMENT = "description";

    public RtpDescription {
        payloadTypes = List.copyOf(payloadTypes);
        crypto = List.copyOf(crypto);
    }

    /**
     * One payload type (XEP-0167 §4): {@code channels} defaults to 1; 0 stands for an absent clock rate, ptime or
     * maxptime; {@code parameters} (name → value, in order) become the SDP fmtp (XEP-0167 §6).
     */
    public record PayloadType(int id, String name, int clockRate, int channels, int ptime, int maxptime,
                              Map<String, String> parameters) {

        public PayloadType {
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }

        /** A payload type without ptime, maxptime or parameters. */
        public PayloadType(int id, String name, int clockRate, int channels) {
            this(id, name, clockRate, channels, 0, 0, Map.of());
        }
    }

    /** One SDES key (XEP-0167 §7, RFC 4568 §9.1): {@code sessionParams} may be null. */
    public record Crypto(String tag, String suite, String keyParams, String sessionParams) {
    }

    /** The description in a Jingle content, as Smack hands it over when it has no model for it. */
    public static RtpDescription from(StandardExtensionElement element) throws MalformedJingleException {
        if (!ELEMENT.equals(element.getElementName()) || !NAMESPACE.equals(element.getNamespace())) {
            throw new MalformedJingleException("not an RTP description: " + element.getNamespace());
        }
        String media = Attributes.required(element, "media");
        List<PayloadType> payloadTypes = new ArrayList<>();
        for (StandardExtensionElement p : Attributes.children(element, "payload-type", NAMESPACE)) {
            Map<String, String> parameters = new LinkedHashMap<>();
            for (StandardExtensionElement parameter : Attributes.children(p, "parameter", NAMESPACE)) {
                String value = parameter.getAttributeValue("value");
                parameters.put(Attributes.required(parameter, "name"), value == null ? "" : value);
            }
            int id = (int) Attributes.requiredNumber(p, "id", 0, 127);
            String name = p.getAttributeValue("name");
            if (id >= 96 && (name == null || name.isEmpty())) {
                // XEP-0167 §4: a dynamic payload type means nothing without its name
                throw new MalformedJingleException("dynamic payload type " + id + " without a name");
            }
            payloadTypes.add(new PayloadType(id, name, (int) Attributes.number(p, "clockrate", 1, 10_000_000, 0),
                    (int) Attributes.number(p, "channels", 1, 255, 1), (int) Attributes.number(p, "ptime", 1, 10_000, 0),
                    (int) Attributes.number(p, "maxptime", 1, 10_000, 0), parameters));
        }
        List<Crypto> crypto = new ArrayList<>();
        StandardExtensionElement encryption = element.getFirstElement("encryption", NAMESPACE);
        boolean required = false;
        if (encryption != null) {
            String flag = encryption.getAttributeValue("required");
            required = "1".equals(flag) || "true".equals(flag);
            for (StandardExtensionElement c : Attributes.children(encryption, "crypto", NAMESPACE)) {
                crypto.add(new Crypto(Attributes.required(c, "tag"), Attributes.required(c, "crypto-suite"),
                        Attributes.required(c, "key-params"), c.getAttributeValue("session-params")));
            }
        }
        return new RtpDescription(media, payloadTypes, crypto, required,
                element.getFirstElement("rtcp-mux", NAMESPACE) != null);
    }

    /** The {@code <description xmlns='urn:xmpp:jingle:apps:rtp:1'>} element. */
    public StandardExtensionElement toElement() {
        StandardExtensionElement.Builder out = StandardExtensionElement.builder(ELEMENT, NAMESPACE)
                .addAttribute("media", media);
        for (PayloadType p : payloadTypes) {
            StandardExtensionElement.Builder type = StandardExtensionElement.builder("payload-type", NAMESPACE)
                    .addAttribute("id", Integer.toString(p.id()));
            if (p.name() != null) {
                type.addAttribute("name", p.name());
            }
            if (p.clockRate() > 0) {
                type.addAttribute("clockrate", Integer.toString(p.clockRate()));
            }
            if (p.channels() > 1) {
                type.addAttribute("channels", Integer.toString(p.channels()));
            }
            if (p.ptime() > 0) {
                type.addAttribute("ptime", Integer.toString(p.ptime()));
            }
            if (p.maxptime() > 0) {
                type.addAttribute("maxptime", Integer.toString(p.maxptime()));
            }
            p.parameters().forEach((name, value) -> type.addElement(StandardExtensionElement
                    .builder("parameter", NAMESPACE).addAttribute("name", name).addAttribute("value", value).build()));
            out.addElement(type.build());
        }
        if (!crypto.isEmpty()) {
            StandardExtensionElement.Builder encryption = StandardExtensionElement.builder("encryption", NAMESPACE);
            if (encryptionRequired) {
                encryption.addAttribute("required", "1");
            }
            for (Crypto c : crypto) {
                StandardExtensionElement.Builder key = StandardExtensionElement.builder("crypto", NAMESPACE)
                        .addAttribute("crypto-suite", c.suite()).addAttribute("key-params", c.keyParams())
                        .addAttribute("tag", c.tag());
                if (c.sessionParams() != null) {
                    key.addAttribute("session-params", c.sessionParams());
                }
                encryption.addElement(key.build());
            }
            out.addElement(encryption.build());
        }
        if (rtcpMux) {
            out.addElement(StandardExtensionElement.builder("rtcp-mux", NAMESPACE).build());
        }
        return out.build();
    }
}
