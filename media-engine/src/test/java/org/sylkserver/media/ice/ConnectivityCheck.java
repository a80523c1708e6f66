package org.sylkserver.media.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.security.CredentialsAuthority;
import org.ice4j.stack.RawMessage;
import org.ice4j.stack.StunStack;

/**
 * A connectivity check as a full, controlling ICE agent sends it (RFC 8445 §7.2.2), built with ice4j's STUN codec, for
 * tests of our lite agent: USERNAME {@code <their ufrag>:<our ufrag>}, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE when
 * nominating, MESSAGE-INTEGRITY keyed with their password, FINGERPRINT.
 */
public final class ConnectivityCheck {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ConnectivityCheck() {
    }

    /** Encodes every check; MESSAGE-INTEGRITY is keyed with the password of the request being encoded. */
    private static final StunStack STACK = new StunStack();
    /** The remote password of the request this thread is encoding (ice4j asks for it during {@code encode}). */
    private static final ThreadLocal<String> PASSWORD = new ThreadLocal<>();

    static {
        STACK.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
            @Override
            public byte[] getLocalKey(String username) {
                return null;
            }

            @Override
            public byte[] getRemoteKey(String username, String media) {
                String password = PASSWORD.get();
                return password == null ? null : password.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public boolean checkLocalUserName(String username) {
                return false;
            }
        });
    }

    /** The binding request towards an agent with {@code ufrag} and {@code password}, from an agent "peer". */
    public static byte[] request(String ufrag, String password, boolean nominate) throws StunException {
        return request(ufrag, "peer", password, nominate);
    }

    /**
     * The binding request from an agent with {@code localUfrag} towards one with {@code ufrag} and {@code password}
     * (also a consent check, RFC 7675 §5.1, when not nominating). Any thread.
     */
    public static byte[] request(String ufrag, String localUfrag, String password, boolean nominate)
            throws StunException {
        Request request = MessageFactory.createBindingRequest();
        byte[] transaction = new byte[12];
        RANDOM.nextBytes(transaction);
        request.setTransactionID(transaction);
        String username = ufrag + ":" + localUfrag;
        request.putAttribute(AttributeFactory.createUsernameAttribute(username));
        request.putAttribute(AttributeFactory.createPriorityAttribute(2130706431L));
        request.putAttribute(AttributeFactory.createIceControllingAttribute(RANDOM.nextLong() & Long.MAX_VALUE));
        if (nominate) {
            request.putAttribute(AttributeFactory.createUseCandidateAttribute());
        }
        request.putAttribute(AttributeFactory.createMessageIntegrityAttribute(username));
        request.putAttribute(AttributeFactory.createFingerprintAttribute());
        PASSWORD.set(password);
        try {
            return request.encode(STACK);
        } finally {
            PASSWORD.remove();
        }
    }

    /**
     * The address a success response to {@code request} maps (XOR-MAPPED-ADDRESS, RFC 8489 §14.2); throws if
     * {@code response} is not the success response of that transaction.
     */
    public static InetSocketAddress mapped(byte[] request, byte[] response) throws StunException {
        Message message = Message.decode(response, 0, response.length);
        byte[] transaction = Arrays.copyOfRange(request, 8, 20);
        if (message.getMessageType() != Message.BINDING_SUCCESS_RESPONSE
                || !Arrays.equals(transaction, message.getTransactionID())) {
            throw new StunException("not the success response of the check");
        }
        XorMappedAddressAttribute mapped = (XorMappedAddressAttribute) message
                .getAttribute(Attribute.XOR_MAPPED_ADDRESS);
        var address = mapped.getAddress(transaction);
        return new InetSocketAddress(address.getAddress(), address.getPort());
    }

    /**
     * Whether {@code request} is a nominating check from a controlling agent with ufrag {@code ufrag} to a peer with
     * {@code peerUfrag} and {@code peerPassword} (RFC 8445 §7.2.2, §8.1.1): USERNAME {@code peerUfrag:ufrag},
     * ICE-CONTROLLING, USE-CANDIDATE and MESSAGE-INTEGRITY keyed with the peer's password.
     */
    public static boolean isNomination(byte[] request, String ufrag, String peerUfrag, String peerPassword)
            throws StunException {
        Message message = Message.decode(request, 0, request.length);
        String username = peerUfrag + ":" + ufrag;
        UsernameAttribute user = (UsernameAttribute) message.getAttribute(Attribute.USERNAME);
        MessageIntegrityAttribute integrity = (MessageIntegrityAttribute) message
                .getAttribute(Attribute.MESSAGE_INTEGRITY);
        TransportAddress nowhere = new TransportAddress("127.0.0.1", 9, Transport.UDP);
        return message.getMessageType() == Message.BINDING_REQUEST && user != null
                && username.equals(new String(user.getUsername(), StandardCharsets.UTF_8))
                && message.containsAttribute(Attribute.ICE_CONTROLLING)
                && message.containsAttribute(Attribute.USE_CANDIDATE) && integrity != null
                && stack(peerUfrag, peerPassword).validateMessageIntegrity(integrity, username, true,
                RawMessage.build(request, request.length, nowhere, nowhere));
    }

    /**
     * The success response of a peer with {@code ufrag} and {@code password} to {@code request} that came from
     * {@code source} (RFC 8445 §7.3: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY keyed with the peer's password).
     */
    public static byte[] answer(byte[] request, InetSocketAddress source, String ufrag, String password)
            throws StunException {
        Request decoded = (Request) Message.decode(request, 0, request.length);
        Response response = MessageFactory.createBindingResponse(decoded, new TransportAddress(source, Transport.UDP));
        response.setTransactionID(decoded.getTransactionID());
        String username = new String(((UsernameAttribute) decoded.getAttribute(Attribute.USERNAME)).getUsername(),
                StandardCharsets.UTF_8);
        response.putAttribute(AttributeFactory.createMessageIntegrityAttribute(username));
        response.putAttribute(AttributeFactory.createFingerprintAttribute());
        return response.encode(stack(ufrag, password));
    }

    /** A STUN stack whose local key, for {@code ufrag}, is {@code password}. */
    private static StunStack stack(String ufrag, String password) {
        StunStack stack = new StunStack();
        stack.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
            @Override
            public byte[] getLocalKey(String username) {
                return username.equals(ufrag) || username.startsWith(ufrag + ":")
                        ? password.getBytes(StandardCharsets.UTF_8) : null;
            }

            @Override
            public byte[] getRemoteKey(String username, String media) {
                return null;
            }

            @Override
            public boolean checkLocalUserName(String username) {
                return username.equals(ufrag) || username.startsWith(ufrag + ":");
            }
        });
        return stack;
    }
}
