package org.sylkserver.xmpp.im;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.xhtmlim.packet.XHTMLExtension;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.iscomposing.IsComposing;
import org.sylkserver.protocols.mime.ContentType;

/**
 * A SIP MESSAGE for an XMPP user becomes an XMPP message (spec §5.4.1): checks (400 for what is missing or broken,
 * 606 when the sender is not of one of our domains), CPIM unwrapped (its From replaces the SIP From), text as a
 * {@code normal} message (or {@code chat} with {@code <active/>} when chat goes as SIP MESSAGE), HTML as XHTML-IM
 * with its text as the body, is-composing as a chat state (only when chat goes as SIP MESSAGE); other types are accepted and
 * dropped.
 */
public final class SipToXmpp {

    /** What to answer, and the stanza to send (null: nothing to send). */
    public record Outcome(int status, String reason, Message stanza) {
        static Outcome refuse(int status, String reason) {
            return new Outcome(status, reason, null);
        }
    }

    private final Set<String> localDomains;
    private final boolean useMsrpForChat;

    public SipToXmpp(Set<String> localDomains, boolean useMsrpForChat) {
        this.localDomains = localDomains;
        this.useMsrpForChat = useMsrpForChat;
    }

    /**
     * @param contentType the MESSAGE's Content-Type, or null
     * @param body        its body
     * @param from        the From URI, or null
     * @param requestUri  the Request-URI (the XMPP recipient; its {@code gr} names a resource), or null
     */
    public Outcome translate(String contentType, byte[] body, String from, String requestUri) {
        if (contentType == null || from == null || requestUri == null) {
            return Outcome.refuse(400, "Missing Content-Type, From or To");
        }
        SipParty sender;
        SipParty recipient;
        try {
            sender = SipParty.parse(from);
            recipient = SipParty.parse(requestUri);
        } catch (IllegalArgumentException e) {
            return Outcome.refuse(400, "Bad From or Request-URI");
        }
        if (!localDomains.contains(sender.host())) {
            return Outcome.refuse(606, "Not Acceptable");
        }
        ContentType type = ContentType.parse(contentType);
        byte[] content = body == null ? new byte[0] : body;
        if (type.mediaType().equals(CpimMessage.CONTENT_TYPE)) {
            CpimMessage cpim;
            try {
                cpim = CpimMessage.parse(content);
            } catch (CpimException e) {
                return Outcome.refuse(400, "Bad CPIM body");
            }
            if (cpim.from().isPresent()) {
                try {
                    SipParty cpimFrom = SipParty.parse(cpim.from().get().uri());
                    // the GRUU of the SIP From stays the resource: the CPIM From carries none (spec §5.3)
                    sender = new SipParty(cpimFrom.user(), cpimFrom.host(), sender.gr());
                } catch (IllegalArgumentException e) {
                    return Outcome.refuse(400, "Bad CPIM From");
                }
                if (!localDomains.contains(sender.host())) {
                    return Outcome.refuse(606, "Not Acceptable");
                }
            }
            type = ContentType.parse(cpim.contentType() == null ? "text/plain" : cpim.contentType());
            content = cpim.content();
        }
        Jid fromJid;
        Jid toJid;
        try {
            fromJid = Addresses.fullJid(sender.user(), sender.host(), sender.gr());
            toJid = recipientJid(recipient);
        } catch (IllegalArgumentException e) {
            return Outcome.refuse(400, "Not an XMPP address");
        }
        Charset charset = type.textCharset().orElse(StandardCharsets.UTF_8);
        MessageBuilder message = StanzaBuilder.buildMessage().from(fromJid).to(toJid);
        switch (type.mediaType()) {
            case "text/plain", "text/html" -> {
                String text = new String(content, charset);
                if (type.mediaType().equals("text/html")) {
                    XHTMLExtension xhtml = new XHTMLExtension();
                    xhtml.addBody(Html.xhtmlBody(text));
                    message.addExtension(xhtml);
                    text = Html.text(text);
                }
                message.setBody(text);
                if (useMsrpForChat) {
                    message.ofType(Message.Type.normal);
                } else {
                    message.ofType(Message.Type.chat).addExtension(new ChatStateExtension(ChatState.active));
                }
            }
            case IsComposing.CONTENT_TYPE -> {
                if (useMsrpForChat) {
                    return new Outcome(200, "OK", null);
                }
                IsComposing indication;
                try {
                    indication = IsComposing.parse(content);
                } catch (IllegalArgumentException e) {
                    return Outcome.refuse(400, "Bad is-composing body");
                }
                message.ofType(Message.Type.chat).addExtension(new ChatStateExtension(ChatStates.fromSip(indication)));
            }
            default -> {
                return new Outcome(200, "OK", null);
            }
        }
        return new Outcome(200, "OK", message.build());
    }

    /** The recipient: a full JID when the Request-URI's {@code gr} decodes to a resource, else the bare JID. */
    public static Jid recipientJid(SipParty recipient) {
        EntityBareJid bare = Addresses.bareJid(recipient.user(), recipient.host());
        String resource = Addresses.resourceOf(recipient.gr());
        if (resource == null) {
            return bare;
        }
        try {
            return JidCreate.entityFullFrom(bare, Resourcepart.from(resource));
        } catch (XmppStringprepException e) {
            return bare;
        }
    }
}
