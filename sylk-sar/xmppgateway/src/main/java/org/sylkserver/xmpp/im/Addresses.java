package org.sylkserver.xmpp.im;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Address translation between SIP and XMPP (spec §5.3): {@code sip:user@host} ↔ {@code user@host}; an XMPP resource
 * travels in the SIP GRUU parameter {@code gr} hex-encoded (UTF-8 bytes, lower-case hex) and back; a SIP party
 * without a GRUU gets a generated resource, {@code sylk-} and 32 random letters and digits, hex-encoded. GRUUs never
 * appear in From/To (the bare forms here have none).
 */
public final class Addresses {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Addresses() {
    }

    /** {@code user@host} of a SIP URI's parts as a bare JID; {@link IllegalArgumentException} when it is no JID. */
    public static EntityBareJid bareJid(String user, String host) {
        if (user == null || user.isEmpty() || host == null || host.isEmpty()) {
            throw new IllegalArgumentException("a JID needs a user and a host");
        }
        try {
            return JidCreate.entityBareFrom(user + "@" + host);
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException("not a JID: " + user + "@" + host, e);
        }
    }

    /**
     * The full JID a SIP party speaks from: its GRUU's {@code gr} value as the resource (spec §5.4.1), or a
     * generated one when it has none.
     */
    public static EntityFullJid fullJid(String user, String host, String gr) {
        String resource = gr == null || gr.isEmpty() ? generatedResource() : gr;
        try {
            return JidCreate.entityFullFrom(bareJid(user, host), org.jxmpp.jid.parts.Resourcepart.from(resource));
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException("not a resource: " + resource, e);
        }
    }

    /**
     * {@code sylk-} + 32 random alphanumerics, hex-encoded: 74 characters (spec §5.3). One is made per SIP MESSAGE
     * without GRUU, so the random bytes are drawn in one call (the shared generator takes a lock per call); each
     * byte's low 6 bits pick a character, values past the 62 characters are skipped so that all are equally likely.
     */
    public static String generatedResource() {
        StringBuilder raw = new StringBuilder("sylk-");
        byte[] random = new byte[48];
        while (raw.length() < 5 + 32) {
            RANDOM.nextBytes(random);
            for (int i = 0; i < random.length && raw.length() < 5 + 32; i++) {
                int pick = random[i] & 0x3f;
                if (pick < ALPHANUMERIC.length()) {
                    raw.append(ALPHANUMERIC.charAt(pick));
                }
            }
        }
        return gruuOf(raw.toString());
    }

    /** The SIP URI of a JID, without GRUU: {@code sip:user@host} (spec §5.3). */
    public static String sipUri(Jid jid) {
        return "sip:" + jid.asBareJid();
    }

    /** The {@code gr} value carrying an XMPP resource: its UTF-8 bytes in lower-case hex. */
    public static String gruuOf(String resource) {
        return HexFormat.of().formatHex(resource.getBytes(StandardCharsets.UTF_8));
    }

    /** The XMPP resource in a {@code gr} value, or {@code null} when it is not hex of UTF-8 (then: the bare JID). */
    public static String resourceOf(String gr) {
        if (gr == null || gr.isEmpty() || gr.length() % 2 != 0) {
            return null;
        }
        try {
            byte[] bytes = HexFormat.of().parseHex(gr);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
    }
}
