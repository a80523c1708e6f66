package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sylkRTC envelope rules of spec §4.3, without a container. */
class SylkRtcConnectionTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final SylkRtcConnection connection = new SylkRtcConnection("test", sent::add, pool);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private List<String> settle() throws InterruptedException {
        // requests run on the pool; wait for it to drain by queueing a marker behind them
        connection.received("{\"sylkrtc\":\"ping\",\"transaction\":\"marker\"}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sent.stream().noneMatch(s -> s.contains("\"marker\"")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return sent.subList(0, sent.size() - 1);
    }

    @Test
    void readyEventIsSentWhenTheConnectionOpens_spec4_2() throws InterruptedException {
        connection.opened();
        assertEquals(List.of("{\"sylkrtc\":\"ready-event\"}"), settle());
    }

    @Test
    void pingIsAckedWithItsTransaction_spec4_5_1() throws InterruptedException {
        connection.received("{\"sylkrtc\":\"ping\",\"transaction\":\"5c0e6d5e\"}");
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"5c0e6d5e\"}"), settle());
    }

    @Test
    void unknownRequestWithTransactionGetsAnError_fixesQuirkQ3() throws InterruptedException {
        connection.received("{\"sylkrtc\":\"frobnicate\",\"transaction\":\"t1\"}");
        assertEquals(List.of("{\"sylkrtc\":\"error\",\"transaction\":\"t1\",\"error\":\"Unknown request type: frobnicate\"}"),
                settle());
    }

    @Test
    void missingSylkrtcWithTransactionGetsAnError() throws InterruptedException {
        connection.received("{\"transaction\":\"t2\"}");
        assertEquals(List.of("{\"sylkrtc\":\"error\",\"transaction\":\"t2\",\"error\":\"Missing 'sylkrtc' property\"}"),
                settle());
    }

    @Test
    void messagesThatCannotBeAnsweredGetNoResponse_spec4_3() throws InterruptedException {
        connection.received("{\"sylkrtc\":\"ping\"}");
        connection.received("{\"sylkrtc\":\"ping\",\"transaction\":42}");
        connection.received("not json at all");
        connection.received("[1,2,3]");
        connection.received("{\"sylkrtc\":\"ping\",");
        assertEquals(List.of(), settle());
    }

    @Test
    void unknownExtraPropertiesAreIgnored_spec4_3() throws InterruptedException {
        connection.received("{\"sylkrtc\":\"ping\",\"transaction\":\"t3\",\"extra\":{\"a\":[1]}}");
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"t3\"}"), settle());
    }

    @Test
    void requestsAreAnsweredInOrderEachExactlyOnce_spec4_3() throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            connection.received("{\"sylkrtc\":\"ping\",\"transaction\":\"t" + i + "\"}");
        }
        List<String> answers = settle();
        assertEquals(500, answers.size());
        for (int i = 0; i < 500; i++) {
            assertTrue(answers.get(i).contains("\"t" + i + "\""), "answer " + i + " out of order: " + answers.get(i));
        }
    }
}
