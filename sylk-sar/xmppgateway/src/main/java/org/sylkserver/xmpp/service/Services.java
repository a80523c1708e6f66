package org.sylkserver.xmpp.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.caps.packet.CapsExtension;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.iqversion.packet.Version;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.sylkserver.xmpp.XmppGatewaySettings;
import org.sylkserver.xmpp.jingle.ConferenceInfo;
import org.sylkserver.xmpp.jingle.DtlsFingerprint;

/**
 * The IQs the gateway answers itself (spec §5.2): service discovery (XEP-0030) for our domains, MUC domains, users
 * and rooms with the identities and features listed there, software version (XEP-0092) and ping (XEP-0199); any
 * other get or set is answered {@code service-unavailable} (RFC 6120 §8.2.3), as are discovery requests for JIDs
 * that are not ours.
 */
public final class Services {

    static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    static final String SYLKSERVER = "http://sylkserver.com";
    static final String PING = "urn:xmpp:ping";
    static final String VERSION = "jabber:iq:version";
    /** The node of our entity capabilities (spec §5.2). */
    public static final String CAPS_NODE = "https://sylkserver.com";
    /**
     * The Jingle features (spec §5.2). Coin as XEP-0298 §7 names it, {@code urn:xmpp:coin:1}, the namespace of the
     * element our focus calls carry (the original advertised {@code urn:xmpp:coin}, which no element uses).
     */
    static final List<String> MEDIA = List.of("urn:ietf:rfc:3264", ConferenceInfo.NAMESPACE, "urn:xmpp:jingle:1",
            "urn:xmpp:jingle:apps:rtp:1", "urn:xmpp:jingle:apps:rtp:audio", "urn:xmpp:jingle:transports:ice-udp:1",
            "urn:xmpp:jingle:transports:raw-udp:1");

    private final XmppGatewaySettings settings;
    private final String version;

    public Services(XmppGatewaySettings settings, String version) {
        this.settings = settings;
        this.version = version;
    }

    /**
     * The answer to a get or set addressed to one of our domains, from the JID asked (an S2S stanza must name its
     * sender, RFC 6120 §8.1.2.2).
     */
    public IQ answer(IQ request) {
        IQ answer = respond(request);
        answer.setFrom(request.getTo());
        answer.setTo(request.getFrom());
        return answer;
    }

    private IQ respond(IQ request) {
        Jid target = request.getTo();
        String domain = target.getDomain().toString().toLowerCase(Locale.ROOT);
        boolean local = settings.domains().contains(domain);
        boolean muc = settings.mucDomains().contains(domain);
        if (request.getType() != IQ.Type.get || (!local && !muc)) {
            return unavailable(request);
        }
        if (request instanceof Ping) {
            return IQ.createResultIQ(request);
        }
        if (request instanceof Version) {
            return Version.createResultFor(request, new Version("SylkServer", version));
        }
        if (request instanceof DiscoverInfo info
                && (info.getNode() == null || info.getNode().startsWith(CAPS_NODE + "#"))) {
            // XEP-0115 §6.2: the node of our caps asks for the same information
            DiscoverInfo result = new DiscoverInfo();
            reply(request, result);
            result.setNode(info.getNode());
            describe(result, muc, target.hasLocalpart());
            return result;
        }
        if (request instanceof DiscoverItems items && items.getNode() == null) {
            DiscoverItems result = new DiscoverItems();
            reply(request, result);
            if (local && !target.hasLocalpart()) {
                DiscoverItems.Item component = new DiscoverItems.Item(JidCreate.domainBareFromOrThrowUnchecked(
                        settings.mucPrefix() + "." + domain));
                component.setName("Multi-User Chat");
                result.addItem(component);
            }
            return result;
        }
        return unavailable(request);
    }

    /**
     * Entity capabilities (XEP-0115) of the presence a user ({@code room} false) or a room sends: node
     * {@value #CAPS_NODE}, SHA-1 of what disco#info says of it (§5.1, no data forms).
     */
    public CapsExtension caps(boolean room) {
        DiscoverInfo info = new DiscoverInfo();
        describe(info, room, true);
        return new CapsExtension(CAPS_NODE, verification(info), "sha-1");
    }

    /** XEP-0115 §5.1: identities as category/type/lang/name, then features, each sorted and ended by '<'. */
    static String verification(DiscoverInfo info) {
        StringBuilder s = new StringBuilder();
        info.getIdentities().stream()
                .map(i -> i.getCategory() + "/" + i.getType() + "/" + (i.getLanguage() == null ? "" : i.getLanguage())
                        + "/" + (i.getName() == null ? "" : i.getName()))
                .sorted().forEach(identity -> s.append(identity).append('<'));
        info.getFeatures().stream().map(DiscoverInfo.Feature::getVar).sorted()
                .forEach(feature -> s.append(feature).append('<'));
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-1").digest(s.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 missing", e);
        }
    }

    /**
     * What disco#info says of a JID of ours (spec §5.2): a MUC domain or room, our domain, or a user. Identities are
     * (category, name, type) in Smack's constructor.
     */
    private static void describe(DiscoverInfo result, boolean muc, boolean hasLocalpart) {
        result.addFeature(DISCO_INFO);
        result.addFeature(DISCO_ITEMS);
        result.addFeature(SYLKSERVER);
        // XEP-0092 §2: an entity answering version requests advertises it (clients ask disco first)
        result.addFeature(VERSION);
        if (muc) {
            result.addIdentity(new DiscoverInfo.Identity("conference", "SylkServer Chat Service", "text"));
            result.addFeature("http://jabber.org/protocol/muc");
            result.addFeatures(MEDIA);
            if (hasLocalpart) {
                result.addFeature("muc_temporary");
                result.addFeature("muc_unmoderated");
            }
        } else if (!hasLocalpart) {
            result.addIdentity(new DiscoverInfo.Identity("gateway", "SylkServer", "simple"));
            result.addIdentity(new DiscoverInfo.Identity("server", "SylkServer", "im"));
            result.addFeature(PING);
        } else {
            result.addIdentity(new DiscoverInfo.Identity("client", "pc"));
            result.addFeature(PING);
            result.addFeature("http://jabber.org/protocol/caps");
            result.addFeature("http://jabber.org/protocol/chatstates");
            result.addFeatures(MEDIA);
            // XEP-0320 §2: our users' calls take DTLS-SRTP (clients such as Conversations ask before calling)
            result.addFeature(DtlsFingerprint.NAMESPACE);
        }
    }

    private static void reply(IQ request, IQ result) {
        result.setType(IQ.Type.result);
        result.setStanzaId(request.getStanzaId());
        result.setFrom(request.getTo());
        result.setTo(request.getFrom());
    }

    private static IQ unavailable(IQ request) {
        return IQ.createErrorResponse(request, StanzaError.Condition.service_unavailable);
    }
}
