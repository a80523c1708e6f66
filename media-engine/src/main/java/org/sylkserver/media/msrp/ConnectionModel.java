package org.sylkserver.media.msrp;

import java.util.Locale;

import org.sylkserver.protocols.msrp.Syntax;

/**
 * Who opens the TCP connection of an MSRP session (RFC 6135, the COMEDIA model of RFC 4145 applied to MSRP).
 * Without {@code a=setup} RFC 4975 §5.4 applies: the offerer connects and the answerer listens. With it, the
 * answer's value decides: {@code active} connects, {@code passive} listens; {@code holdconn} postpones the
 * connection. {@code a=connection:existing} (RFC 4145 §5) keeps a connection already there.
 *
 * <p>Our choices (spec §1.4, mode {@code acm}): our offers say {@link #OFFER actpass}; we answer {@code actpass}
 * and {@code passive} offers with {@code active}, which lets a client behind NAT offer without being reachable
 * (RFC 6135 §4), and {@code active} offers with {@code passive}.
 */
public final class ConnectionModel {

    /** The {@code a=setup} values (RFC 4145 §4). */
    public enum Setup {
        ACTIVE, PASSIVE, ACTPASS, HOLDCONN;

        /** The SDP value, e.g. {@code actpass}. */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses an {@code a=setup} value. */
        public static Setup parse(String value) {
            for (Setup s : values()) {
                if (s.value().equals(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("bad a=setup value " + Syntax.show(String.valueOf(value))
                    + " (RFC 4145 §4: active, passive, actpass or holdconn)");
        }
    }

    /** The {@code a=connection} values (RFC 4145 §5); absent means {@code new}. */
    public enum Reuse {
        NEW, EXISTING;

        /** Parses an {@code a=connection} value. */
        public static Reuse parse(String value) {
            if ("new".equals(value)) {
                return NEW;
            }
            if ("existing".equals(value)) {
                return EXISTING;
            }
            throw new IllegalArgumentException("bad a=connection value " + Syntax.show(String.valueOf(value))
                    + " (RFC 4145 §5: new or existing)");
        }
    }

    /** What we do for the session's connection. */
    public enum Role {
        /** Open the connection and bind the session with the first SEND (RFC 4975 §5.4). */
        CONNECT,
        /** Wait for the peer's connection and its first SEND. */
        LISTEN,
        /** Keep using the connection we already have with the peer. */
        REUSE,
        /** Neither side connects for now (holdconn). */
        HOLD
    }

    /** Our {@code a=setup} in offers. */
    public static final Setup OFFER = Setup.ACTPASS;

    private ConnectionModel() {
    }

    /**
     * Our {@code a=setup} in an answer.
     *
     * @param offered the offer's value, null when it has none
     */
    public static Setup answer(Setup offered) {
        if (offered == null) {
            return Setup.PASSIVE; // an RFC 4975 offerer connects itself
        }
        return switch (offered) {
            case ACTPASS, PASSIVE -> Setup.ACTIVE;
            case ACTIVE -> Setup.PASSIVE;
            case HOLDCONN -> Setup.HOLDCONN;
        };
    }

    /**
     * Our role once the offer/answer exchange is done.
     *
     * @param weOffered          true when we sent the offer
     * @param offer              the offer's {@code a=setup}, null when absent
     * @param answer             the answer's {@code a=setup}, null when absent
     * @param reuse              the answer's {@code a=connection}, null when absent
     * @param connectionExists   whether we already have a connection with the peer's first hop
     * @throws IllegalArgumentException for an answer RFC 4145 §4.1 does not allow after that offer
     */
    public static Role role(boolean weOffered, Setup offer, Setup answer, Reuse reuse, boolean connectionExists) {
        if (answer == Setup.ACTPASS) {
            throw new IllegalArgumentException("a=setup:actpass in an answer (RFC 4145 §4.1: only in offers)");
        }
        if (answer != null && offer != null && answer != Setup.HOLDCONN
                && (offer == Setup.HOLDCONN || answer == offer)) {
            throw new IllegalArgumentException("a=setup:" + answer.value() + " cannot answer a=setup:" + offer.value()
                    + " (RFC 4145 §4.1)");
        }
        if (answer == Setup.HOLDCONN || answer == null && offer == Setup.HOLDCONN) {
            return Role.HOLD;
        }
        if (reuse == Reuse.EXISTING && connectionExists) {
            return Role.REUSE;
        }
        // without an answer's a=setup the RFC 4975 §5.4 default holds: the offerer connects
        boolean answererConnects = answer == Setup.ACTIVE;
        boolean weConnect = answer == null ? weOffered : weOffered != answererConnects;
        return weConnect ? Role.CONNECT : Role.LISTEN;
    }
}
