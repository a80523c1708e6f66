package org.sylkserver.core.sip;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;

/**
 * The SIP From and To addresses of the MESSAGEs an application makes (the XMPP gateway's from XMPP messages, the
 * sylkRTC gateway's from account-messages), parsed once per address text and reused: a conversation sends every
 * message between the same two addresses, and parsing both took 7 % of the XMPP stanza worker's time at 5,000
 * messages/s (JFR, session 18) and a tenth of the container's part of an account-message (session 20). Sharing is safe because {@code SipFactory.createRequest}
 * copies the addresses it is given (JSR 289 §15.1) and nobody changes the parsed ones. Bounded: the {@code limit}
 * addresses used last are kept, as many remote users may write to ours.
 *
 * <p>Threads: any ({@link LastParsed}).
 */
public final class ParsedAddresses {

    /** Parses one address text, as {@code SipFactory.createAddress} does. */
    public interface Parser {
        Address parse(String text) throws ServletParseException;
    }

    private final Parser parser;
    private final LastParsed<String, Address> parsed;

    public ParsedAddresses(Parser parser, int limit) {
        this.parser = parser;
        this.parsed = new LastParsed<>(limit);
    }

    /** The parsed address of {@code text}: the one parsed before, else parsed now (outside the lock). */
    public Address of(String text) throws ServletParseException {
        return parsed.of(text, parser::parse);
    }

    /** How many addresses are kept (for the tests). */
    int size() {
        return parsed.size();
    }
}
