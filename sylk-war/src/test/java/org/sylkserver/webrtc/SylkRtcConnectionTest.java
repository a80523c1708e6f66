package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.sylkserver.webrtc.api.Mandatory;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SylkRtcMessage;
import org.sylkserver.webrtc.api.SylkRtcRequest;

/** The sylkRTC connection rules of spec §4.2-4.3 and §4.5.1, without a container. */
class SylkRtcConnectionTest {

    /** What the connection wrote to its WebSocket. */
    static final class RecordingTransport implements ClientTransport {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final List<String> closes = new CopyOnWriteArrayList<>();
        /** Every write in order: "held <text>" for a frame sent with more to follow, "sent <text>", "flush". */
        final List<String> writes = new CopyOnWriteArrayList<>();

        @Override
        public void send(String text) {
            send(text, false);
        }

        @Override
        public void send(String text, boolean more) {
            sent.add(text);
            writes.add((more ? "held " : "sent ") + text);
        }

        @Override
        public void flush() {
            writes.add("flush");
        }

        @Override
        public void close(int code, String reason) {
            closes.add(code + " " + reason);
        }
    }

    /** A request with a mandatory property, for the handler rules. */
    public static class EchoRequest extends SylkRtcRequest {
        @Mandatory
        private String text;

        public EchoRequest() {
            super("echo");
        }

        public String getText() {
            return text;
        }

        public void setText(String text) {
            this.text = text;
        }
    }

    /** An event a handler sends. */
    public static class EchoEvent extends SylkRtcMessage {
        private final String text;

        EchoEvent(String text) {
            super("echo-event");
            this.text = text;
        }

        public String getText() {
            return text;
        }
    }

    private final RecordingTransport transport = new RecordingTransport();
    // a direct pool: every message is handled before onText returns
    private final SylkRtcConnection connection = new SylkRtcConnection("192.0.2.1:40000", transport, Runnable::run, Gateway.notStarted());

    private void receive(String text) {
        connection.onText(text, true);
    }

    @Test
    void readyEventIsSentWhenTheConnectionOpens_spec4_2() {
        connection.onOpen();
        assertEquals(List.of("{\"sylkrtc\":\"ready-event\"}"), transport.sent);
    }

    @Test
    void pingIsAckedWithItsTransaction_spec4_5_1() {
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"5c0e6d5e-7a5e-4e0f-9a55-1d1d7c1a2b01\"}");
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"5c0e6d5e-7a5e-4e0f-9a55-1d1d7c1a2b01\"}"), transport.sent);
    }

    @Test
    void unknownExtraPropertiesAreIgnored_spec4_3() {
        receive("{\"extra\":{\"a\":[1]},\"transaction\":\"t3\",\"sylkrtc\":\"ping\"}");
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"t3\"}"), transport.sent);
    }

    @Test
    void unknownRequestTypeWithTransactionGetsAnError_fixesQuirkQ3() {
        receive("{\"sylkrtc\":\"frobnicate\",\"transaction\":\"t1\"}");
        receive("{\"sylkrtc\":\"ack\",\"transaction\":\"t2\"}");
        assertEquals(List.of(
                "{\"sylkrtc\":\"error\",\"transaction\":\"t1\",\"error\":\"Unknown request type: frobnicate\"}",
                "{\"sylkrtc\":\"error\",\"transaction\":\"t2\",\"error\":\"Unknown request type: ack\"}"), transport.sent);
    }

    @Test
    void missingOrNonStringSylkrtcWithTransactionGetsAnError_fixesQuirkQ3() {
        receive("{\"transaction\":\"t1\"}");
        receive("{\"sylkrtc\":null,\"transaction\":\"t2\"}");
        receive("{\"sylkrtc\":7,\"transaction\":\"t3\"}");
        assertEquals(List.of(
                "{\"sylkrtc\":\"error\",\"transaction\":\"t1\",\"error\":\"Missing 'sylkrtc' property\"}",
                "{\"sylkrtc\":\"error\",\"transaction\":\"t2\",\"error\":\"Missing 'sylkrtc' property\"}",
                "{\"sylkrtc\":\"error\",\"transaction\":\"t3\",\"error\":\"Invalid value for 'sylkrtc' property: 7 (expected: string)\"}"),
                transport.sent);
    }

    @Test
    void requestsWithoutAStringTransactionCannotBeAnswered_spec4_3() {
        receive("{\"sylkrtc\":\"ping\"}");
        receive("{\"sylkrtc\":\"ping\",\"transaction\":42}");
        receive("{\"sylkrtc\":\"ping\",\"transaction\":null}");
        receive("{\"sylkrtc\":\"frobnicate\"}");
        assertEquals(List.of(), transport.sent);
    }

    @Test
    void messagesThatAreNotJsonObjectsGetNoResponseAndTheNextPingIsAcked_spec4_3() {
        receive("{this is not json");
        receive("{\"sylkrtc\":\"ping\",");
        receive("[{\"sylkrtc\":\"ping\",\"transaction\":\"in-array\"}]");
        receive("\"ping\"");
        receive("");
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"t\"} trailing");
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"after\"}");
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"after\"}"), transport.sent);
        assertEquals(List.of(), transport.closes);
    }

    @Test
    void fragmentsAreJoinedIntoOneMessage_rfc6455_5_4() {
        connection.onText("{\"sylkrtc\":\"pi", false);
        connection.onText("ng\",\"transaction\":", false);
        connection.onText("\"frag\"}", true);
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"frag\"}"), transport.sent);
    }

    /** A ping whose JSON is exactly {@code bytes} long, padded in its transaction. */
    private static String pingOfSize(int bytes) {
        String empty = "{\"sylkrtc\":\"ping\",\"transaction\":\"\"}";
        return "{\"sylkrtc\":\"ping\",\"transaction\":\"" + "x".repeat(bytes - empty.length()) + "\"}";
    }

    @Test
    void aMessageOf64KiBIsAccepted() {
        receive(pingOfSize(ClientLimits.DEFAULTS.maxMessageBytes()));
        assertEquals(1, transport.sent.size());
        assertTrue(transport.sent.get(0).startsWith("{\"sylkrtc\":\"ack\""));
        assertEquals(List.of(), transport.closes);
    }

    @Test
    void aLargerMessageClosesTheConnectionWith1009_rfc6455_7_4_1() {
        connection.onText(pingOfSize(ClientLimits.DEFAULTS.maxMessageBytes()), false);
        connection.onText(" ", true);
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"after-close\"}");
        assertEquals(List.of("1009 Message too big"), transport.closes);
        assertEquals(List.of(), transport.sent);
    }

    @Test
    void theLimitCountsUtf8BytesNotCharacters() {
        // 'é' is two bytes in UTF-8: this message has fewer than 64 Ki characters but more than 64 KiB
        String text = "{\"sylkrtc\":\"ping\",\"transaction\":\"" + "é".repeat(ClientLimits.DEFAULTS.maxMessageBytes() / 2) + "\"}";
        assertTrue(text.length() < ClientLimits.DEFAULTS.maxMessageBytes());
        receive(text);
        assertEquals(List.of("1009 Message too big"), transport.closes);
    }

    @Test
    void requestsAreAnsweredInOrderEachExactlyOnce_spec4_3() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            AtomicInteger running = new AtomicInteger();
            List<Integer> overlaps = new CopyOnWriteArrayList<>();
            RequestCatalogue catalogue = new RequestCatalogue().add("echo", EchoRequest.class, (c, request) -> {
                if (running.incrementAndGet() != 1) {
                    overlaps.add(running.get());
                }
                c.send(new EchoEvent(request.getText()));
                running.decrementAndGet();
            });
            SylkRtcConnection queued = new SylkRtcConnection("192.0.2.1:40001", transport, pool, catalogue, Gateway.notStarted());
            // as many as may wait at once (max_pending_requests), with the last request below
            int count = ClientLimits.DEFAULTS.maxPendingRequests() - 1;
            for (int i = 0; i < count; i++) {
                queued.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t" + i + "\",\"text\":\"" + i + "\"}", true);
            }
            CountDownLatch drained = new CountDownLatch(1);
            queued.onText("{\"sylkrtc\":\"nothing\",\"transaction\":\"last\"}", true);
            pool.execute(() -> {
                while (transport.sent.size() < 2 * count + 1) {
                    Thread.onSpinWait();
                }
                drained.countDown();
            });
            assertTrue(drained.await(10, TimeUnit.SECONDS), "all requests answered");
            assertEquals(List.of(), overlaps, "requests of one connection never run concurrently");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                // events a handler sends go out before its ack
                expected.add("{\"sylkrtc\":\"echo-event\",\"text\":\"" + i + "\"}");
                expected.add("{\"sylkrtc\":\"ack\",\"transaction\":\"t" + i + "\"}");
            }
            expected.add("{\"sylkrtc\":\"error\",\"transaction\":\"last\",\"error\":\"Unknown request type: nothing\"}");
            assertEquals(expected, transport.sent);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code depth} nested arrays around {@code inner}: {@code [[...inner...]]}. */
    private static String nested(int depth, String inner) {
        return "[".repeat(depth) + inner + "]".repeat(depth);
    }

    /**
     * Issue 11 part 3: a 60 KB message of nested arrays used to overflow the stack of the tree builder; the Error
     * escaped the connection's executor and left it wedged (no request answered again). RFC 8259 §9 lets a parser
     * limit the depth of nesting.
     */
    @Test
    void aDeeplyNestedMessageGetsAnErrorAndTheConnectionKeepsWorking_rfc8259_9() {
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"deep\",\"x\":" + nested(30_000, "1") + "}");
        receive("{\"x\":" + nested(30_000, "1") + ",\"transaction\":\"deep-first\",\"sylkrtc\":\"ping\"}");
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"after\"}");
        int limit = ClientLimits.DEFAULTS.maxJsonDepth();
        String error = "Message nested too deeply (more than " + limit + " levels)";
        assertEquals(List.of("{\"sylkrtc\":\"error\",\"transaction\":\"deep\",\"error\":\"" + error + "\"}",
                "{\"sylkrtc\":\"error\",\"transaction\":\"deep-first\",\"error\":\"" + error + "\"}",
                "{\"sylkrtc\":\"ack\",\"transaction\":\"after\"}"), transport.sent);
        assertEquals(List.of(), transport.closes);
    }

    @Test
    void nestingUpToMaxJsonDepthIsAcceptedAndOneMoreLevelIsNot() {
        int limit = ClientLimits.DEFAULTS.maxJsonDepth();
        // the request object itself is the first level
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"at-limit\",\"x\":" + nested(limit - 1, "") + "}");
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"over\",\"x\":" + nested(limit, "") + "}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"at-limit\"}", transport.sent.get(0));
        assertTrue(transport.sent.get(1).startsWith("{\"sylkrtc\":\"error\",\"transaction\":\"over\""), transport.sent.get(1));
    }

    /**
     * RFC 8259 §9: the bracket count that spares a request its depth-only parse is never below the nesting the
     * parser reaches (which decided before), on random texts of JSON's structural characters, strings and escapes
     * (valid, broken, unbalanced), and equals it for every valid one.
     */
    @Test
    void theBracketCountIsNeverBelowTheParsersNesting_rfc8259_9() {
        java.util.Random random = new java.util.Random(8259);
        String[] pieces = {"{", "}", "[", "]", "\"", "\\", "\\\"", ":", ",", "1", "\"a\"", "\"[{\"", "true", " "};
        int valid = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int k = random.nextInt(30); k > 0; k--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            int parsed = 0;
            int depth = 0;
            boolean complete = true;
            try (javax.json.stream.JsonParser parser = JsonP.PROVIDER.createParser(new java.io.StringReader(text.toString()))) {
                while (parser.hasNext()) {
                    switch (parser.next()) {
                        case START_OBJECT, START_ARRAY -> parsed = Math.max(parsed, ++depth);
                        case END_OBJECT, END_ARRAY -> depth--;
                        default -> { }
                    }
                }
            } catch (javax.json.JsonException | java.util.NoSuchElementException e) {
                complete = false;
            }
            int counted = SylkRtcConnection.bracketDepth(text.toString());
            assertTrue(counted >= parsed, text + ": counted " + counted + ", parsed " + parsed);
            if (complete && !text.isEmpty()) {
                valid++;
                assertEquals(parsed, counted, text.toString());
            }
        }
        assertTrue(valid > 100, "valid texts " + valid);
    }

    @Test
    void aDeeplyNestedMessageWithoutTransactionOrBrokenIsOnlyLogged() {
        receive(nested(30_000, "{}"));
        receive("{\"x\":" + nested(30_000, "1"));
        receive("{\"a\":{\"transaction\":\"not-top-level\",\"x\":" + nested(30_000, "1") + "}}");
        receive("{\"sylkrtc\":\"ping\",\"transaction\":\"after\"}");
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"after\"}"), transport.sent);
    }

    /**
     * Issue 11 part 3: a client that sends faster than its requests are handled is closed with 1008 (RFC 6455
     * §7.4.1) once {@code max_pending_requests} wait, instead of queueing without bound.
     */
    @Test
    void aClientFloodingRequestsIsClosedWith1008_rfc6455_7_4_1() {
        List<Runnable> held = new ArrayList<>();
        SylkRtcConnection flooded = new SylkRtcConnection("192.0.2.1:40005", transport, held::add, Gateway.notStarted());
        int limit = ClientLimits.DEFAULTS.maxPendingRequests();
        for (int i = 0; i < limit; i++) {
            flooded.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t" + i + "\"}", true);
        }
        assertEquals(List.of(), transport.closes, "up to the limit may wait");
        flooded.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"over\"}", true);
        flooded.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"ignored\"}", true);
        assertEquals(List.of("1008 Too many pending requests"), transport.closes);
        held.forEach(Runnable::run);
        assertEquals(limit, transport.sent.size(), "what was queued before the limit is still answered");
    }

    @Test
    void requestsHandledMeanwhileMakeRoomAgain() {
        int limit = ClientLimits.DEFAULTS.maxPendingRequests();
        for (int i = 0; i < 3 * limit; i++) {
            receive("{\"sylkrtc\":\"ping\",\"transaction\":\"t" + i + "\"}");
        }
        assertEquals(3 * limit, transport.sent.size());
        assertEquals(List.of(), transport.closes);
    }

    /** Issue 11 part 3: whatever a task throws, even an Error, the connection's executor runs the next one. */
    @Test
    void anErrorInATaskDoesNotStopTheConnectionsExecutor() {
        RequestCatalogue catalogue = new RequestCatalogue()
                .add("echo", EchoRequest.class, (c, request) -> {
                    throw new StackOverflowError("injected");
                })
                .add("ping", org.sylkserver.webrtc.api.PingRequest.class, (c, request) -> { });
        List<Runnable> pool = new ArrayList<>();
        SylkRtcConnection failing = new SylkRtcConnection("192.0.2.1:40006", transport, pool::add, catalogue, Gateway.notStarted());
        failing.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t1\",\"text\":\"x\"}", true);
        failing.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t2\"}", true);
        assertEquals(1, pool.size(), "one drain for both tasks");
        pool.get(0).run();
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"t2\"}"), transport.sent);
        failing.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t3\"}", true);
        assertEquals(2, pool.size(), "the executor drains again");
        pool.get(1).run();
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"t3\"}", transport.sent.get(1));
    }

    @Test
    void handlerErrorsAreReportedWithTheirText_spec4_3() {
        RequestCatalogue catalogue = new RequestCatalogue().add("echo", EchoRequest.class, (c, request) -> {
            throw new RequestError("Unknown session " + request.getText());
        });
        new SylkRtcConnection("192.0.2.1:40002", transport, Runnable::run, catalogue, Gateway.notStarted())
                .onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t1\",\"text\":\"s1\"}", true);
        assertEquals(List.of("{\"sylkrtc\":\"error\",\"transaction\":\"t1\",\"error\":\"Unknown session s1\"}"), transport.sent);
    }

    /**
     * A handler whose outcome waits for another server defers its response (issue 15: an address-book service or
     * IMAP server never holds the connection): the connection answers the next requests meanwhile, and the deferred
     * one gets its event and ack, or its error, when the reply is sent.
     */
    @Test
    void aDeferredResponseIsSentByItsReplyAndOtherRequestsGoOnMeanwhile_spec4_3() {
        List<SylkRtcConnection.Reply> replies = new ArrayList<>();
        RequestCatalogue catalogue = new RequestCatalogue()
                .add("echo", EchoRequest.class, (c, request) -> replies.add(c.deferResponse()))
                .add(org.sylkserver.webrtc.api.PingRequest.TYPE, org.sylkserver.webrtc.api.PingRequest.class,
                        (c, ping) -> { });
        SylkRtcConnection deferring = new SylkRtcConnection("192.0.2.1:40007", transport, Runnable::run, catalogue,
                Gateway.notStarted());
        deferring.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t1\",\"text\":\"a\"}", true);
        deferring.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t2\",\"text\":\"b\"}", true);
        deferring.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t3\"}", true);
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"t3\"}"), transport.sent);
        deferring.send(new EchoEvent("done"));
        replies.get(0).ack();
        replies.get(1).error("Address book not available");
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"t3\"}",
                "{\"sylkrtc\":\"echo-event\",\"text\":\"done\"}",
                "{\"sylkrtc\":\"ack\",\"transaction\":\"t1\"}",
                "{\"sylkrtc\":\"error\",\"transaction\":\"t2\",\"error\":\"Address book not available\"}"),
                transport.sent);
    }

    /**
     * Issue 14: a pipelined request (account-message, whose store commit it does not wait for) lets the connection go
     * on with its next pipelined requests; still every answer goes out in the order of the requests (spec §4.3: one
     * ack or error per request), the pipelined requests' last steps run in that order, and a request that is not
     * pipelined (a remove of the message just sent), and everything after it, waits until they are all answered, so
     * that it sees what they did.
     */
    @Test
    void pipelinedRequestsAreAnsweredInOrderAndTheOthersWaitForThem_spec4_3() {
        List<SylkRtcConnection.Pipelined> pipelined = new ArrayList<>();
        List<String> stored = new ArrayList<>();
        List<List<String>> seenByPing = new ArrayList<>();
        RequestCatalogue catalogue = new RequestCatalogue()
                .addPipelined("echo", EchoRequest.class, (c, request) -> {
                    if (request.getText().equals("bad")) {
                        throw new RequestError("Invalid value");
                    }
                    pipelined.add(c.pipeline());
                })
                .add(org.sylkserver.webrtc.api.PingRequest.TYPE, org.sylkserver.webrtc.api.PingRequest.class,
                        (c, ping) -> seenByPing.add(List.copyOf(stored)));
        SylkRtcConnection connection = new SylkRtcConnection("192.0.2.1:40008", transport, Runnable::run, catalogue,
                Gateway.notStarted());
        connection.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t1\",\"text\":\"a\"}", true);
        connection.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t2\",\"text\":\"b\"}", true);
        connection.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t3\",\"text\":\"bad\"}", true);
        connection.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t4\"}", true);
        connection.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t5\",\"text\":\"c\"}", true);
        assertEquals(2, pipelined.size(), "the second echo was handled while the first was at work; the last waits");
        assertEquals(List.of(), transport.sent, "t3's error waits for the answers before it");
        pipelined.get(1).then(() -> stored.add("b"));
        assertEquals(List.of(), transport.sent, "t2 is done, but t1 is not answered yet");
        assertEquals(List.of(), stored, "nor is t2's last step run before t1's");
        pipelined.get(0).then(() -> stored.add("a"));
        assertEquals(List.of("a", "b"), stored);
        assertEquals(List.of(List.of("a", "b")), seenByPing, "the ping ran after both, and saw what they did");
        assertEquals(3, pipelined.size(), "the echo after the ping ran after it");
        pipelined.get(2).then(() -> {
            throw new RequestError("Message store unavailable");
        });
        assertEquals(List.of("{\"sylkrtc\":\"ack\",\"transaction\":\"t1\"}",
                "{\"sylkrtc\":\"ack\",\"transaction\":\"t2\"}",
                "{\"sylkrtc\":\"error\",\"transaction\":\"t3\",\"error\":\"Invalid value\"}",
                "{\"sylkrtc\":\"ack\",\"transaction\":\"t4\"}",
                "{\"sylkrtc\":\"error\",\"transaction\":\"t5\",\"error\":\"Message store unavailable\"}"),
                transport.sent);
        connection.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t6\"}", true);
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"t6\"}", transport.sent.get(5), "nothing waits any more");
    }

    /**
     * Issue 14: a pipelined request counts against {@code max_pending_requests} until it is answered, so that a client
     * cannot have more unanswered requests at the server than that by sending faster than the store commits.
     */
    @Test
    void pipelinedRequestsCountAgainstThePendingLimitUntilAnswered() {
        List<SylkRtcConnection.Pipelined> pipelined = new ArrayList<>();
        RequestCatalogue catalogue = new RequestCatalogue()
                .addPipelined("echo", EchoRequest.class, (c, request) -> pipelined.add(c.pipeline()));
        SylkRtcConnection connection = new SylkRtcConnection("192.0.2.1:40009", transport, Runnable::run, catalogue,
                Gateway.notStarted());
        int limit = ClientLimits.DEFAULTS.maxPendingRequests();
        for (int i = 0; i < limit; i++) {
            connection.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t" + i + "\",\"text\":\"x\"}", true);
        }
        pipelined.get(0).then(() -> { });
        connection.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"u\",\"text\":\"x\"}", true);
        assertEquals(List.of(), transport.closes, "one answered made room for one more");
        connection.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"v\",\"text\":\"x\"}", true);
        assertEquals(List.of(SylkRtcConnection.CLOSE_POLICY_VIOLATION + " Too many pending requests"), transport.closes);
    }

    /** Of the sylkRTC-2 requests, only account-message is pipelined: every other one sees what it stored. */
    @Test
    void onlyAccountMessageIsPipelined() {
        for (String type : List.of("account-message", "account-remove-message", "account-sync-conversations",
                "account-disposition-notification", "account-remove", "ping")) {
            javax.json.JsonObject request = javax.json.Json.createObjectBuilder().add("sylkrtc", type).build();
            assertEquals(type.equals("account-message"), RequestCatalogue.SYLKRTC_2.pipelines(request), type);
        }
    }

    @Test
    void schemaViolationsAreReportedBeforeTheHandlerRuns_spec4_3() {
        RequestCatalogue catalogue = new RequestCatalogue().add("echo", EchoRequest.class, (c, request) -> {
            throw new AssertionError("handler must not run");
        });
        SylkRtcConnection checked = new SylkRtcConnection("192.0.2.1:40003", transport, Runnable::run, catalogue, Gateway.notStarted());
        checked.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t1\"}", true);
        checked.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t2\",\"text\":[\"x\"]}", true);
        assertEquals(List.of(
                "{\"sylkrtc\":\"error\",\"transaction\":\"t1\",\"error\":\"Mandatory property 'text' of 'EchoRequest' object is missing\"}",
                "{\"sylkrtc\":\"error\",\"transaction\":\"t2\",\"error\":\"Invalid value for 'text' property: [\\\"x\\\"] (expected: string)\"}"),
                transport.sent);
    }

    @Test
    void unexpectedHandlerFailuresAreInternalErrorsAndTheConnectionStaysUsable_spec4_3() {
        RequestCatalogue catalogue = new RequestCatalogue()
                .add("echo", EchoRequest.class, (c, request) -> {
                    throw new IllegalStateException("bug");
                })
                .add("ping", org.sylkserver.webrtc.api.PingRequest.class, (c, request) -> { });
        SylkRtcConnection failing = new SylkRtcConnection("192.0.2.1:40004", transport, Runnable::run, catalogue, Gateway.notStarted());
        failing.onText("{\"sylkrtc\":\"echo\",\"transaction\":\"t1\",\"text\":\"x\"}", true);
        failing.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t2\"}", true);
        assertEquals(List.of("{\"sylkrtc\":\"error\",\"transaction\":\"t1\",\"error\":\"Internal error\"}",
                "{\"sylkrtc\":\"ack\",\"transaction\":\"t2\"}"), transport.sent);
        assertEquals(List.of(), transport.closes);
    }

    /**
     * Answers of requests that wait one behind the other are sent with "more to follow", so that the transport writes
     * them in one go (issue 14's benchmark: one socket write and two thread hand-offs per event cost more than the
     * event itself); the last one without, and the transport is flushed once the queue is empty: nothing stays held.
     */
    @Test
    void framesOfQueuedTasksAreWrittenTogetherAndFlushedWhenTheQueueRunsEmpty() {
        List<Runnable> pool = new ArrayList<>();
        SylkRtcConnection queued = new SylkRtcConnection("192.0.2.1:40007", transport, pool::add, Gateway.notStarted());
        for (int i = 1; i <= 3; i++) {
            queued.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t" + i + "\"}", true);
        }
        assertEquals(1, pool.size(), "one drain for the three requests");
        pool.get(0).run();
        assertEquals(List.of("held {\"sylkrtc\":\"ack\",\"transaction\":\"t1\"}",
                "held {\"sylkrtc\":\"ack\",\"transaction\":\"t2\"}",
                "sent {\"sylkrtc\":\"ack\",\"transaction\":\"t3\"}", "flush"), transport.writes);
        // alone, a request's answer goes out at once
        queued.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t4\"}", true);
        pool.get(1).run();
        assertEquals("sent {\"sylkrtc\":\"ack\",\"transaction\":\"t4\"}", transport.writes.get(4));
    }

    @Test
    void clientTraceLogsEachMessageWithItsDirectionAndPeer_spec7_3() {
        List<String> traced = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                traced.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger trace = Logger.getLogger(SylkRtcConnection.TRACE_LOGGER);
        trace.addHandler(capture);
        System.setProperty("sylk.trace.client", "true");
        try {
            SylkRtcConnection traced1 = new SylkRtcConnection("192.0.2.9:5060", transport, Runnable::run, Gateway.notStarted());
            traced1.onText("{\"sylkrtc\":\"ping\",\"transaction\":\"t\"}", true);
        } finally {
            System.clearProperty("sylk.trace.client");
            trace.removeHandler(capture);
        }
        assertEquals(2, traced.size());
        assertTrue(traced.get(0).matches("Packet \\d+ INCOMING, client at 192\\.0\\.2\\.9:5060\n\\{\"sylkrtc\":\"ping\",\"transaction\":\"t\"}"),
                traced.get(0));
        assertTrue(traced.get(1).matches("Packet \\d+ OUTGOING, client at 192\\.0\\.2\\.9:5060\n\\{\"sylkrtc\":\"ack\",\"transaction\":\"t\"}"),
                traced.get(1));
    }
}
