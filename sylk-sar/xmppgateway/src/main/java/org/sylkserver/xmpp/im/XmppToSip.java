package org.sylkserver.xmpp.im;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.xhtmlim.packet.XHTMLExtension;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.iscomposing.IsComposing;

/**
 * An XMPP message for one of our SIP users becomes one SIP MESSAGE (spec §5.4.2; one request per message, not one
 * per 1000 characters: quirk Q12 fixed): From the sender's and To the recipient's SIP URI without GRUU, the text
 * CPIM-wrapped ({@code use_cpim}) or raw; a chat state without body becomes an is-composing indication when chat
 * goes as SIP MESSAGE. Error messages and bodiless stanzas otherwise give nothing.
 *
 * <p>With {@code use_msrp_for_chat} the gateway does not bring {@code chat} messages here: they go into MSRP chat
 * sessions (§5.4.3, {@link org.sylkserver.xmpp.chat.ChatSessions#xmppChat}).
 */
public final class XmppToSip {

    /** The MESSAGE to send. */
    public record SipMessage(String from, String to, String contentType, byte[] body) {
    }

    private final boolean useMsrpForChat;
    private final boolean useCpim;

    public XmppToSip(boolean useMsrpForChat, boolean useCpim) {
        this.useMsrpForChat = useMsrpForChat;
        this.useCpim = useCpim;
    }

    public Optional<SipMessage> translate(Message message, OffsetDateTime now) {
        if (message.getFrom() == null || message.getTo() == null || message.getType() == Message.Type.error) {
            return Optional.empty();
        }
        String from = Addresses.sipUri(message.getFrom());
        String to = Addresses.sipUri(message.getTo());
        String body = message.getBody();
        if (body != null) {
            // XHTML-IM (XEP-0071) becomes text/html (spec §5.3), its first body; else the plain body
            XHTMLExtension xhtml = XHTMLExtension.from(message);
            String contentType = "text/plain;charset=utf-8";
            byte[] text = body.getBytes(StandardCharsets.UTF_8);
            if (xhtml != null && xhtml.getBodiesCount() > 0) {
                contentType = "text/html;charset=utf-8";
                text = ("<html>" + xhtml.getBodies().get(0) + "</html>").getBytes(StandardCharsets.UTF_8);
            }
            if (!useCpim) {
                return Optional.of(new SipMessage(from, to, contentType, text));
            }
            CpimMessage cpim = CpimMessage.builder().from(CpimMessage.Address.of(from)).to(CpimMessage.Address.of(to))
                    .dateTime(now.withOffsetSameInstant(ZoneOffset.UTC))
                    .contentHeader("Content-Type", contentType).content(text).build();
            return Optional.of(new SipMessage(from, to, CpimMessage.CONTENT_TYPE, cpim.toBytes()));
        }
        ChatState state = Stanzas.chatState(message);
        if (state != null && message.getType() == Message.Type.chat && !useMsrpForChat) {
            IsComposing indication = ChatStates.toSip(state, now);
            return Optional.of(new SipMessage(from, to, IsComposing.CONTENT_TYPE, indication.toXml()));
        }
        return Optional.empty();
    }
}
