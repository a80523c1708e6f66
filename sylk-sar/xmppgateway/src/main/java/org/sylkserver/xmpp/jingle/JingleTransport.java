package org.sylkserver.xmpp.jingle;

import java.util.ArrayList;
import java.util.List;

import org.jivesoftware.smack.packet.StandardExtensionElement;

/** The transport of a Jingle RTP content: raw UDP (XEP-0177) or ICE-UDP (XEP-0176, with XEP-0320 DTLS-SRTP). */
public sealed interface JingleTransport {

    String RAW_UDP = "urn:xmpp:jingle:transports:raw-udp:1";
    String ICE_UDP = "urn:xmpp:jingle:transports:ice-udp:1";
    String ELEMENT = "transport";

    /** The {@code <transport>} element. */
    StandardExtensionElement toElement();

    /**
     * The transport of a content as Smack hands it over; null for another transport method (answered
     * {@code unsupported-transports}, XEP-0166 §7.4).
     */
    static JingleTransport from(StandardExtensionElement element) throws MalformedJingleException {
        if (!ELEMENT.equals(element.getElementName())) {
            return null;
        }
        return switch (element.getNamespace()) {
            case RAW_UDP -> RawUdp.read(element);
            case ICE_UDP -> IceUdp.read(element);
            default -> null;
        };
    }

    /** XEP-0177 §4.2: where the party receives RTP (component 1) and RTCP (component 2). */
    record RawUdp(List<RawCandidate> candidates) implements JingleTransport {

        public RawUdp {
            candidates = List.copyOf(candidates);
        }

        static RawUdp read(StandardExtensionElement element) throws MalformedJingleException {
            List<RawCandidate> candidates = new ArrayList<>();
            for (StandardExtensionElement c : Attributes.children(element, "candidate", RAW_UDP)) {
                candidates.add(new RawCandidate((int) Attributes.requiredNumber(c, "component", 1, 255),
                        (int) Attributes.number(c, "generation", 0, Integer.MAX_VALUE, 0), Attributes.required(c, "id"),
                        Attributes.required(c, "ip"), (int) Attributes.requiredNumber(c, "port", 0, 65535)));
            }
            return new RawUdp(candidates);
        }

        @Override
        public StandardExtensionElement toElement() {
            StandardExtensionElement.Builder out = StandardExtensionElement.builder(ELEMENT, RAW_UDP);
            for (RawCandidate c : candidates) {
                out.addElement(StandardExtensionElement.builder("candidate", RAW_UDP)
                        .addAttribute("component", Integer.toString(c.component()))
                        .addAttribute("generation", Integer.toString(c.generation())).addAttribute("id", c.id())
                        .addAttribute("ip", c.ip()).addAttribute("port", Integer.toString(c.port())).build());
            }
            return out.build();
        }
    }

    /** A raw-UDP candidate (XEP-0177 §4.2). */
    record RawCandidate(int component, int generation, String id, String ip, int port) {
    }

    /**
     * XEP-0176 §5.3: the ICE credentials and candidates of one party; with XEP-0320 §1, its DTLS fingerprint and
     * role (null when the party proposes plain RTP).
     */
    record IceUdp(String ufrag, String pwd, List<IceCandidate> candidates, DtlsFingerprint fingerprint)
            implements JingleTransport {

        public IceUdp {
            candidates = List.copyOf(candidates);
        }

        /** Without DTLS. */
        public IceUdp(String ufrag, String pwd, List<IceCandidate> candidates) {
            this(ufrag, pwd, candidates, null);
        }

        static IceUdp read(StandardExtensionElement element) throws MalformedJingleException {
            List<IceCandidate> candidates = new ArrayList<>();
            for (StandardExtensionElement c : Attributes.children(element, "candidate", ICE_UDP)) {
                String relAddr = c.getAttributeValue("rel-addr");
                candidates.add(new IceCandidate((int) Attributes.requiredNumber(c, "component", 1, 255),
                        Attributes.required(c, "foundation"),
                        (int) Attributes.number(c, "generation", 0, Integer.MAX_VALUE, 0), Attributes.required(c, "id"),
                        Attributes.required(c, "ip"), (int) Attributes.number(c, "network", 0, Integer.MAX_VALUE, 0),
                        (int) Attributes.requiredNumber(c, "port", 0, 65535),
                        Attributes.requiredNumber(c, "priority", 1, 0xFFFFFFFFL), Attributes.required(c, "protocol"),
                        c.getAttributeValue("type") == null ? "host" : c.getAttributeValue("type"), relAddr,
                        (int) Attributes.number(c, "rel-port", 0, 65535, 0)));
            }
            return new IceUdp(element.getAttributeValue("ufrag"), element.getAttributeValue("pwd"), candidates,
                    DtlsFingerprint.read(element));
        }

        @Override
        public StandardExtensionElement toElement() {
            StandardExtensionElement.Builder out = StandardExtensionElement.builder(ELEMENT, ICE_UDP);
            if (ufrag != null) {
                out.addAttribute("ufrag", ufrag);
            }
            if (pwd != null) {
                out.addAttribute("pwd", pwd);
            }
            if (fingerprint != null) {
                out.addElement(fingerprint.toElement());
            }
            for (IceCandidate c : candidates) {
                StandardExtensionElement.Builder candidate = StandardExtensionElement.builder("candidate", ICE_UDP)
                        .addAttribute("component", Integer.toString(c.component()))
                        .addAttribute("foundation", c.foundation())
                        .addAttribute("generation", Integer.toString(c.generation())).addAttribute("id", c.id())
                        .addAttribute("ip", c.ip()).addAttribute("network", Integer.toString(c.network()))
                        .addAttribute("port", Integer.toString(c.port()))
                        .addAttribute("priority", Long.toString(c.priority())).addAttribute("protocol", c.protocol())
                        .addAttribute("type", c.type());
                if (c.relAddr() != null) {
                    candidate.addAttribute("rel-addr", c.relAddr()).addAttribute("rel-port", Integer.toString(c.relPort()));
                }
                out.addElement(candidate.build());
            }
            return out.build();
        }
    }

    /** An ICE candidate (XEP-0176 §5.3, RFC 8445 §5.1); {@code relAddr} is null for host candidates. */
    record IceCandidate(int component, String foundation, int generation, String id, String ip, int network, int port,
                        long priority, String protocol, String type, String relAddr, int relPort) {
    }
}
