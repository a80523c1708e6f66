package org.sylkserver.webrtc.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class SipAorTest {

    /** RFC 3261 §25.1 as the schema check wrote it before it was checked by hand: the reference for the same answers. */
    private static final Pattern RFC3261_AOR = Pattern.compile(
            "[A-Za-z0-9\\-_.!~*'()&=+$,;?/]+(?:%[0-9A-Fa-f]{2}[A-Za-z0-9\\-_.!~*'()&=+$,;?/%]*)*"
                    + "@(?:[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?)*\\.?"
                    + "|\\[[0-9A-Fa-f:.]+\\])");

    private static boolean reference(String value) {
        return RFC3261_AOR.matcher(SipAor.Syntax.strip(value)).matches();
    }

    @Test
    void rfc3261_s25_1_usualAddressesOfRecord() {
        for (String aor : new String[] {"alice@example.com", "sip:alice@example.com", "SIPS:bob@example.com",
                "alice.smith+1@sub-domain.example.com.", "a%41%lice@example.com",
                "alice@127.0.0.1", "alice@[2001:db8::1]", "a-b_c.d!e~f*g'h(i)j&k=l+m$n,o;p?q/r@x"}) {
            assertTrue(SipAor.Syntax.isValid(aor), aor);
        }
        for (String aor : new String[] {"alice", "@example.com", "alice@", "alice@-example.com", "alice@example-.com",
                "alice@exa_mple.com", "alice@example..com", "alice@.", "%41@example.com", "a%4@example.com",
                "a%zz@example.com", "alice@@example.com", "alice bob@example.com", "alicé@example.com", "alice@[]",
                "alice@[::1", "alice@[::1]x", "alice@exämple.com"}) {
            assertFalse(SipAor.Syntax.isValid(aor), aor);
        }
        assertFalse(SipAor.Syntax.isValid(null));
    }

    /** The hand-written check answers as the grammar's regular expression does, for random near-AORs. */
    @Test
    void rfc3261_s25_1_theCheckAgreesWithTheGrammarsRegularExpression() {
        String alphabet = "aZ09-_.!~*'()&=+$,;?/%@[]:.Ff é\t";
        Random random = new Random(14);
        int valid = 0;
        for (int n = 0; n < 300_000; n++) {
            StringBuilder text = new StringBuilder(random.nextInt(4) == 0 ? "sip:" : "");
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                // mostly letters, so that a good share is valid
                text.append(random.nextInt(3) == 0 ? alphabet.charAt(random.nextInt(alphabet.length())) : 'a');
            }
            if (random.nextBoolean()) {
                text.insert(random.nextInt(text.length() + 1), '@');
            }
            String value = text.toString();
            boolean expected = reference(value);
            assertEquals(expected, SipAor.Syntax.isValid(value), () -> "'" + value + "'");
            valid += expected ? 1 : 0;
        }
        assertTrue(valid > 10_000, "valid samples: " + valid);
    }
}
