package org.sylkserver.media.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.security.CredentialsAuthority;
import org.ice4j.stack.RawMessage;
import org.ice4j.stack.StunStack;

/**
 * Our side of ICE as a lite agent (RFC 8445 §2.5): we have one host candidate, never send checks and are always
 * controlled; the peer (a browser, or a Jingle client over XEP-0176), a full agent, checks the pair and nominates it
 * with USE-CANDIDATE. A lite agent only has to
 * answer the browser's STUN binding requests (RFC 8445 §7.3) with a success response that carries XOR-MAPPED-ADDRESS,
 * MESSAGE-INTEGRITY keyed with our password and FINGERPRINT (RFC 5389 §15.4, §15.5), and remember which transport
 * addresses passed such a check: only those may send us DTLS and SRTP (a check is the peer's consent, RFC 7675).
 *
 * <p>Chosen over ice4j's full agent so that the browser leg is one socket of the media engine, read by its I/O thread
 * and counted in its port range, like every other media socket; ice4j supplies the STUN message codec and the
 * integrity check. Lite is what media servers with a public address use; it fails only where the server is behind a
 * NAT itself (RFC 8445 §2.5).
 *
 * <p>Threading: {@link #check} runs on the media engine's I/O thread; credentials may be set from the signalling
 * thread.
 */
public final class IceLite {

    /** RFC 8445 §5.3: ice-char is ALPHA / DIGIT / "+" / "/". */
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("sylk.media.webrtc");

    /** The result of one datagram that looked like STUN. */
    public enum Outcome {
        /** A valid check, answered. */
        CHECKED,
        /** A valid check with USE-CANDIDATE (RFC 8445 §7.3.1.5): the pair is selected. */
        NOMINATED,
        /** Not a binding request of this session, or failed its integrity check: dropped. */
        DROPPED
    }

    private final String localUfrag = random(8);
    private final String localPassword = random(24);
    private final StunStack stun = new StunStack();
    private final Set<InetSocketAddress> checked = ConcurrentHashMap.newKeySet();
    private volatile InetSocketAddress selected;

    public IceLite() {
        stun.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
            @Override
            public byte[] getLocalKey(String username) {
                return checkLocalUserName(username) ? localPassword.getBytes(StandardCharsets.UTF_8) : null;
            }

            @Override
            public byte[] getRemoteKey(String username, String media) {
                // a lite agent sends no requests, so it never needs the peer's password
                return null;
            }

            @Override
            public boolean checkLocalUserName(String username) {
                return username.equals(localUfrag) || username.startsWith(localUfrag + ":");
            }
        });
    }

    private static String random(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(ICE_CHARS.charAt(RANDOM.nextInt(ICE_CHARS.length())));
        }
        return out.toString();
    }

    /**
     * A candidate the browser trickled (sylkRTC {@code session-trickle}, {@code videoroom-session-trickle}). As a lite
     * agent we never check towards the browser's candidates (the browser checks towards ours, RFC 8445 §2.5), so
     * they are only validated and logged.
     *
     * @param candidate as RTCIceCandidate.candidate ({@code candidate:...}); null or empty means end of candidates
     * @throws IllegalArgumentException a candidate line that is not RFC 8839 §5.1 syntax
     */
    public static void trickled(String owner, String sdpMid, int sdpMLineIndex, String candidate) {
        if (candidate == null || candidate.isBlank()) {
            LOG.fine(() -> owner + ": browser end of candidates");
            return;
        }
        String value = candidate.startsWith("a=") ? candidate.substring(2) : candidate;
        String[] fields = value.trim().split("\\s+");
        if (!fields[0].startsWith("candidate:") || fields.length < 8 || !fields[6].equals("typ")) {
            throw new IllegalArgumentException("not an ICE candidate (RFC 8839 §5.1): '" + candidate + "'");
        }
        LOG.fine(() -> owner + ": browser candidate for mid " + sdpMid + " (m-line " + sdpMLineIndex + "): " + value);
    }

    public String ufrag() {
        return localUfrag;
    }

    public String password() {
        return localPassword;
    }

    /** The transport address the browser nominated, or null before nomination. */
    public InetSocketAddress selected() {
        return selected;
    }

    /** Where to send media: the nominated address, else the first that passed a check, else null. */
    public InetSocketAddress target() {
        InetSocketAddress nominated = selected;
        if (nominated != null) {
            return nominated;
        }
        return checked.isEmpty() ? null : checked.iterator().next();
    }

    /** Whether a check from {@code source} succeeded: DTLS and SRTP are accepted from there only. */
    public boolean isChecked(InetSocketAddress source) {
        return checked.contains(source);
    }

    /**
     * Handles a datagram that starts like STUN (RFC 7983 §7: first byte 0-3). A valid binding request is answered
     * through {@code reply}; anything else is dropped (a lite agent sends no requests, so it expects no responses).
     */
    public Outcome check(byte[] datagram, InetSocketAddress source, InetSocketAddress local, java.util.function.Consumer<byte[]> reply) {
        Message message;
        try {
            message = Message.decode(datagram, 0, datagram.length);
        } catch (StunException | RuntimeException malformed) {
            return Outcome.DROPPED;
        }
        if (!(message instanceof Request request) || request.getMessageType() != Message.BINDING_REQUEST) {
            return Outcome.DROPPED;
        }
        UsernameAttribute username = (UsernameAttribute) request.getAttribute(Attribute.USERNAME);
        MessageIntegrityAttribute integrity = (MessageIntegrityAttribute) request
                .getAttribute(Attribute.MESSAGE_INTEGRITY);
        if (username == null || integrity == null) {
            return Outcome.DROPPED;
        }
        String user = new String(username.getUsername(), StandardCharsets.UTF_8);
        TransportAddress from = new TransportAddress(source, Transport.UDP);
        TransportAddress to = new TransportAddress(local, Transport.UDP);
        // RFC 8445 §7.3: the USERNAME is '<our ufrag>:<their ufrag>', keyed with our password (short-term credentials)
        if (!user.startsWith(localUfrag + ":")
                || !stun.validateMessageIntegrity(integrity, user, true, RawMessage.build(datagram, datagram.length,
                from, to))) {
            return Outcome.DROPPED;
        }
        Response response = MessageFactory.createBindingResponse(request, from);
        try {
            response.setTransactionID(request.getTransactionID());
        } catch (StunException e) {
            return Outcome.DROPPED;
        }
        response.putAttribute(AttributeFactory.createMessageIntegrityAttribute(localUfrag));
        response.putAttribute(AttributeFactory.createFingerprintAttribute());
        reply.accept(response.encode(stun));
        checked.add(source);
        if (request.containsAttribute(Attribute.USE_CANDIDATE)) {
            selected = source;
            return Outcome.NOMINATED;
        }
        return Outcome.CHECKED;
    }
}
