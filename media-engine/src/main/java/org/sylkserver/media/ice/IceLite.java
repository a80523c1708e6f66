package org.sylkserver.media.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
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
 * Our side of ICE as a lite agent (RFC 8445 §2.5): we have one host candidate, send no checks of our own accord and
 * are controlled; the peer (a browser, or a Jingle client over XEP-0176), a full agent, checks the pair and nominates
 * it with USE-CANDIDATE. A lite agent only has to answer the peer's STUN binding requests (RFC 8445 §7.3) with a
 * success response that carries XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY keyed with our password and FINGERPRINT
 * (RFC 5389 §15.4, §15.5), and remember which transport addresses passed such a check: only those may send us DTLS
 * and SRTP (a check is the peer's consent, RFC 7675). One exception: towards a peer that cannot know we are lite and
 * waits for our nomination (the responder to our Jingle offer), we nominate the pair its check passed on
 * ({@link #controlling}).
 *
 * <p>Chosen over ice4j's full agent so that the peer's leg is one socket of the media engine, read by its I/O thread
 * and counted in its port range, like every other media socket; ice4j supplies the STUN message codec and the
 * integrity check. Lite is what media servers with a public address use; it fails only where the server is behind a
 * NAT itself (RFC 8445 §2.5).
 *
 * <p>Threading: {@link #check} and {@link #nomination} run on the media engine's I/O thread; credentials may be set
 * from the signalling thread.
 */
public final class IceLite {

    /** RFC 8445 §5.3: ice-char is ALPHA / DIGIT / "+" / "/". */
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("sylk.media.ice");
    /**
     * Checked addresses kept at most: a browser checks from each of its candidates (host addresses of its interfaces,
     * server-reflexive, relayed), a handful; beyond that the least recently checked is forgotten, never the selected
     * one (its consent checks, RFC 7675 §5.1, refresh it anyway). A peer that knows our password cannot make us hold
     * more by checking from many addresses.
     */
    public static final int MAX_CHECKED = 8;

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
    /**
     * Addresses whose check passed, for the per-packet look-up ({@link #isChecked}); at most
     * {@value #MAX_CHECKED} of them ({@link #remember}).
     */
    private final Set<InetSocketAddress> checked = ConcurrentHashMap.newKeySet();
    /** The same addresses, least recently checked first; guarded by itself. */
    private final LinkedHashSet<InetSocketAddress> checkOrder = new LinkedHashSet<>();
    private volatile InetSocketAddress selected;
    /** The peer's credentials when we nominate ({@link #controlling}), else null. */
    private volatile Credentials peer;
    private final long tieBreaker = RANDOM.nextLong() & Long.MAX_VALUE;
    /** Our nominating checks awaiting their response: where each went, by transaction id. */
    private final Map<String, InetSocketAddress> nominations = new ConcurrentHashMap<>();
    private volatile boolean nominated;

    private record Credentials(String ufrag, String password) {
    }

    public IceLite() {
        stun.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
            @Override
            public byte[] getLocalKey(String username) {
                if (checkLocalUserName(username)) {
                    return localPassword.getBytes(StandardCharsets.UTF_8);
                }
                // the key of our nominations' responses: ice4j looks it up as a local one (see nominationAnswered)
                Credentials remote = peer;
                return remote != null && username.equals(remote.ufrag())
                        ? remote.password().getBytes(StandardCharsets.UTF_8) : null;
            }

            @Override
            public byte[] getRemoteKey(String username, String media) {
                // our nominating checks are keyed with the peer's password (RFC 8445 §7.2.2)
                Credentials remote = peer;
                return remote != null && username.startsWith(remote.ufrag() + ":")
                        ? remote.password().getBytes(StandardCharsets.UTF_8) : null;
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

    /**
     * Makes us nominate, towards a full peer with these credentials that leaves it to us: the responder to our Jingle
     * offer (XEP-0176 cannot say that we are lite, so the peer takes the controlled role of RFC 8445 §6.1.1 and waits
     * for a nomination). We stay lite in every other way: once a check of the peer passed, we send one check of our
     * own on that pair, with ICE-CONTROLLING and USE-CANDIDATE (a triggered check, RFC 8445 §7.3.1.4, nominating,
     * §8.1.1); its success response nominates the pair on both sides (§7.3.1.5).
     */
    public void controlling(String peerUfrag, String peerPassword) {
        peer = new Credentials(peerUfrag, peerPassword);
    }

    /**
     * Our nominating check towards {@code target}, whose check of us just passed; null when we do not nominate (not
     * {@link #controlling}, or the nomination is done). At most a few await their response: the peer's next check
     * (its retransmissions, then consent checks every few seconds, RFC 7675 §5.1) triggers the next try.
     */
    public byte[] nomination(InetSocketAddress target) {
        Credentials remote = peer;
        if (remote == null || nominated) {
            return null;
        }
        Request request = MessageFactory.createBindingRequest();
        byte[] transaction = new byte[12];
        RANDOM.nextBytes(transaction);
        String username = remote.ufrag() + ":" + localUfrag;
        try {
            request.setTransactionID(transaction);
            // RFC 8445 §7.1.1: the priority a peer-reflexive candidate of ours would have (type preference 110)
            request.putAttribute(AttributeFactory.createPriorityAttribute((110L << 24) + (65535L << 8) + 255));
        } catch (StunException | IllegalArgumentException e) {
            return null;
        }
        request.putAttribute(AttributeFactory.createUsernameAttribute(username));
        request.putAttribute(AttributeFactory.createIceControllingAttribute(tieBreaker));
        request.putAttribute(AttributeFactory.createUseCandidateAttribute());
        request.putAttribute(AttributeFactory.createMessageIntegrityAttribute(username));
        request.putAttribute(AttributeFactory.createFingerprintAttribute());
        if (nominations.size() >= 4) {
            nominations.clear(); // lost on the way: the peer's next check brings a fresh try
        }
        nominations.put(HexFormat.of().formatHex(transaction), target);
        try {
            return request.encode(stun);
        } catch (RuntimeException e) {
            return null; // ice4j could not encode it: no nomination this time
        }
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
        if (message instanceof Response response) {
            return nominationAnswered(response, datagram, source, local);
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
        boolean nominating = request.containsAttribute(Attribute.USE_CANDIDATE);
        if (nominating) {
            selected = source;
        }
        remember(source);
        return nominating ? Outcome.NOMINATED : Outcome.CHECKED;
    }

    /**
     * Adds {@code source} to the checked addresses as the most recently checked; beyond {@value #MAX_CHECKED} the
     * least recently checked other than the selected one is forgotten.
     */
    private void remember(InetSocketAddress source) {
        synchronized (checkOrder) {
            checkOrder.remove(source);
            checkOrder.add(source);
            checked.add(source);
            InetSocketAddress keep = selected;
            for (Iterator<InetSocketAddress> oldest = checkOrder.iterator();
                 checkOrder.size() > MAX_CHECKED && oldest.hasNext(); ) {
                InetSocketAddress address = oldest.next();
                if (!address.equals(keep) && !address.equals(source)) {
                    oldest.remove();
                    checked.remove(address);
                }
            }
        }
    }

    /**
     * The response to one of our nominating checks: a success from where the check went, keyed with the peer's
     * password (RFC 8445 §7.2.5.1, §7.2.5.2), nominates the pair; anything else is dropped.
     */
    private Outcome nominationAnswered(Response response, byte[] datagram, InetSocketAddress source,
                                       InetSocketAddress local) {
        Credentials remote = peer;
        InetSocketAddress target = nominations.remove(HexFormat.of().formatHex(response.getTransactionID()));
        MessageIntegrityAttribute integrity = (MessageIntegrityAttribute) response
                .getAttribute(Attribute.MESSAGE_INTEGRITY);
        if (remote == null || target == null || !target.equals(source) || integrity == null
                || response.getMessageType() != Message.BINDING_SUCCESS_RESPONSE) {
            return Outcome.DROPPED;
        }
        // ice4j keys a short-term check by the part of the username before the colon, looked up as a local key: our
        // authority gives the peer's password for the peer's ufrag
        if (!stun.validateMessageIntegrity(integrity, remote.ufrag() + ":" + localUfrag, true,
                RawMessage.build(datagram, datagram.length, new TransportAddress(source, Transport.UDP),
                        new TransportAddress(local, Transport.UDP)))) {
            return Outcome.DROPPED;
        }
        nominated = true;
        selected = source;
        remember(source);
        return Outcome.NOMINATED;
    }
}
