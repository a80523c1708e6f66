package org.sylkserver.xmpp.jingle;

import java.util.Locale;
import java.util.Set;

import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.sylkserver.media.dtls.DtlsRole;
import org.sylkserver.media.dtls.Fingerprint;
import org.sylkserver.protocols.sdp.SdpException;

/**
 * XEP-0320 §1: the DTLS certificate fingerprint and setup role of a party, a {@code <fingerprint/>} element in its
 * ICE-UDP {@code <transport/>}: {@code hash} is the hash function's name (RFC 8122 §5), {@code setup} the role of
 * RFC 4145 §4 as RFC 5763 §5 uses it ({@code actpass} in an offer, {@code active} or {@code passive}), the text the
 * hash as hex pairs. Both attributes are required (XEP-0320 §7). Kept as received: whether we can check it is
 * {@link #fingerprint()}'s question.
 *
 * @param hash  the hash function, as written
 * @param setup the role, in lower case
 * @param value the hex pairs, surrounding white space removed
 */
public record DtlsFingerprint(String hash, String setup, String value) {

    public static final String NAMESPACE = "urn:xmpp:jingle:apps:dtls:0";
    public static final String ELEMENT = "fingerprint";
    /** XEP-0320 §7's setup values; holdconn is in the schema but mapped to nothing (§1). */
    private static final Set<String> SETUPS = Set.of("actpass", "active", "passive", "holdconn");

    /** The first {@code <fingerprint/>} of a transport, or null without one. */
    static DtlsFingerprint read(StandardExtensionElement transport) throws MalformedJingleException {
        for (StandardExtensionElement element : Attributes.children(transport, ELEMENT, NAMESPACE)) {
            String setup = Attributes.required(element, "setup").trim().toLowerCase(Locale.ROOT);
            if (!SETUPS.contains(setup)) {
                throw new MalformedJingleException("<fingerprint> setup='" + setup + "' (XEP-0320 §7: actpass, "
                        + "active, passive or holdconn)");
            }
            String value = element.getText() == null ? "" : element.getText().trim();
            if (value.isEmpty()) {
                throw new MalformedJingleException("<fingerprint> without the fingerprint (XEP-0320 §1)");
            }
            return new DtlsFingerprint(Attributes.required(element, "hash").trim(), setup, value);
        }
        return null;
    }

    /** Ours: the fingerprint of our certificate with our role. */
    public static DtlsFingerprint of(Fingerprint fingerprint, String setup) {
        return new DtlsFingerprint(fingerprint.algorithm(), setup, fingerprint.hexPairs());
    }

    /**
     * The fingerprint to check the party's certificate against.
     *
     * @throws SdpException for a hash function we do not check (RFC 8122 §5) or a malformed value
     */
    public Fingerprint fingerprint() throws SdpException {
        return Fingerprint.of(hash, value);
    }

    /**
     * Why an offer with this fingerprint cannot be taken (a hash function we cannot check, RFC 8122 §5; a malformed
     * value; holdconn, which XEP-0320 §1 does not map), or null when it can.
     */
    public String problem() {
        try {
            fingerprint();
            DtlsRole.answering(setup);
            return null;
        } catch (SdpException e) {
            return e.getMessage();
        }
    }

    /** The {@code <fingerprint/>} element (XEP-0320 §1). */
    public StandardExtensionElement toElement() {
        return StandardExtensionElement.builder(ELEMENT, NAMESPACE).addAttribute("hash", hash)
                .addAttribute("setup", setup).setText(value).build();
    }
}
