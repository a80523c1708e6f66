package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link KeyframeRequests}: PLI (RFC 4585 §6.3.1) and FIR (RFC 5104 §4.3.1) of many feeds reach the publisher as one
 * request per interval, and none is lost.
 */
class KeyframeRequestsTest {

    private static final long MS = 1_000_000;

    @Test
    void requestsAreCoalescedAndRateLimited_rfc5104_4_3_1_2() {
        KeyframeRequests requests = new KeyframeRequests(500 * MS);
        assertFalse(requests.due(0), "nothing asked");
        requests.request();
        requests.request();
        requests.request();
        assertTrue(requests.due(1000 * MS), "the first request goes at once");
        assertFalse(requests.due(1001 * MS), "three requests, one sent");
        requests.request();
        assertFalse(requests.due(1200 * MS), "within the interval: held back");
        assertTrue(requests.due(1500 * MS), "...and sent when it has passed, not forgotten");
        assertFalse(requests.due(3000 * MS));
        assertEquals(2, requests.forwarded());
    }
}
