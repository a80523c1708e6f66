package org.sylkserver.xmpp.s2s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DialbackKeyTest {

    /**
     * The published test vector of XEP-0185 §3 (the method XEP-0220 §4.4.1 recommends): receiving server
     * xmpp.example.com, originating example.org, stream D60000229F, secret s3cr3tf0rd14lb4ck.
     */
    @Test
    void thePublishedTestVector_xep0185_3() {
        DialbackKey keys = new DialbackKey("s3cr3tf0rd14lb4ck");
        assertEquals("37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643",
                keys.key("xmpp.example.com", "example.org", "D60000229F"));
    }

    @Test
    void aKeyVerifiesOnlyForItsOwnDomainsAndStream() {
        DialbackKey keys = new DialbackKey("secret");
        String key = keys.key("remote.example", "sylk.example", "id1");
        assertTrue(keys.verify("remote.example", "sylk.example", "id1", key));
        assertFalse(keys.verify("remote.example", "sylk.example", "id2", key));
        assertFalse(keys.verify("other.example", "sylk.example", "id1", key));
        assertFalse(keys.verify("remote.example", "sylk.example", "id1", null));
    }

    /** One random secret per process: another process's keys do not verify here. */
    @Test
    void freshGeneratorsHaveTheirOwnSecret() {
        assertNotEquals(new DialbackKey().key("a", "b", "c"), new DialbackKey().key("a", "b", "c"));
    }
}
