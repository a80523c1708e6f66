import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import javax.json.Json;
import javax.json.JsonObject;
import javax.json.JsonValue;

/**
 * How the benchmark asks an SFU for the same room set-up: a publisher's offer answered, a subscriber's feed offered
 * and its answer taken. One implementation per server under test, each through that server's own client API.
 */
interface Signalling extends AutoCloseable {

    Duration WAIT = Duration.ofSeconds(30);

    /** A publisher joined to room {@code room}: the server's answer, and the id subscribers name it by. */
    record Published(String answer, String id) { }

    /** A feed offered to a subscriber: the server's offer and what to answer it with. */
    interface Feed {
        String offer();

        void answer(String sdp) throws Exception;
    }

    /**
     * A member that only watches, where the API needs one ({@code null} if it does not): sylkRTC attaches feeds to a
     * member's session, and a member joins with an offer of its own.
     */
    Object viewer(int room, int index, String offer, java.util.function.Consumer<String> answer) throws Exception;

    Published publish(int room, int index, String offer) throws Exception;

    Feed subscribe(int room, Object viewer, int viewerIndex, Published publisher) throws Exception;

    static JsonObject parse(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /**
     * sylkRTC (spec §4.6): one WebSocket connection per member, account-add, then videoroom-join with the member's
     * offer, videoroom-feed-attach / -feed-answer per feed.
     */
    final class SylkRtc implements Signalling {
        private final URI url;
        private final HttpClient http = HttpClient.newHttpClient();
        private final List<Member> members = new java.util.concurrent.CopyOnWriteArrayList<>();

        SylkRtc(URI url) {
            this.url = url;
        }

        private final class Member implements WebSocket.Listener {
            final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
            final List<JsonObject> seen = new ArrayList<>();
            final StringBuilder partial = new StringBuilder();
            final String session;
            WebSocket socket;
            int feeds;

            Member(String session) {
                this.session = session;
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    frames.add(parse(partial.toString()));
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            void send(String json) {
                socket.sendText(json, true).join();
            }

            synchronized JsonObject await(Predicate<JsonObject> wanted, String what) throws Exception {
                for (int i = 0; i < seen.size(); i++) {
                    if (wanted.test(seen.get(i))) {
                        return seen.remove(i);
                    }
                }
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (true) {
                    JsonObject frame = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (frame == null) {
                        throw new IllegalStateException(session + ": no " + what + " among " + seen);
                    }
                    if ("error".equals(frame.getString("sylkrtc", "")) || frame.containsKey("error")) {
                        throw new IllegalStateException(session + ": " + frame);
                    }
                    if (wanted.test(frame)) {
                        return frame;
                    }
                    seen.add(frame);
                }
            }

            JsonObject event(String event, String key, String value) throws Exception {
                return await(m -> "videoroom-event".equals(m.getString("sylkrtc", "")) && event.equals(m.getString("event", ""))
                        && (key == null || value.equals(m.getString(key, ""))), event + " " + value);
            }
        }

        private Member join(String session, String offer) throws Exception {
            Member member = new Member(session);
            member.socket = http.newWebSocketBuilder().subprotocols("sylkRTC-2").buildAsync(url, member)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            members.add(member);
            member.await(m -> "ready-event".equals(m.getString("sylkrtc", "")), "ready-event");
            String account = session + "@bench.example";
            member.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"a\",\"account\":\"" + account
                    + "\",\"password\":\"x\",\"display_name\":\"" + session + "\"}");
            member.await(m -> "ack".equals(m.getString("sylkrtc", "")), "account-add ack");
            member.send(Json.createObjectBuilder().add("sylkrtc", "videoroom-join").add("transaction", "j")
                    .add("account", account).add("session", session)
                    .add("uri", "bench" + session.substring(0, session.indexOf('-')) + "@videoconference.bench.example")
                    .add("sdp", offer).build().toString());
            return member;
        }

        @Override
        public Object viewer(int room, int index, String offer, java.util.function.Consumer<String> answer)
                throws Exception {
            Member member = join("r" + room + "-v" + index, offer);
            answer.accept(member.event("session-state", "state", "accepted").getString("sdp"));
            return member;
        }

        @Override
        public Published publish(int room, int index, String offer) throws Exception {
            Member member = join("r" + room + "-p" + index, offer);
            return new Published(member.event("session-state", "state", "accepted").getString("sdp"), member.session);
        }

        @Override
        public Feed subscribe(int room, Object viewer, int viewerIndex, Published publisher) throws Exception {
            Member member = (Member) viewer;
            String feed;
            synchronized (member) {
                feed = member.session + "-f" + member.feeds++;
            }
            member.send("{\"sylkrtc\":\"videoroom-feed-attach\",\"transaction\":\"" + feed + "\",\"session\":\""
                    + member.session + "\",\"publisher\":\"" + publisher.id() + "\",\"feed\":\"" + feed + "\"}");
            String offer = member.event("feed-attached", "feed", feed).getString("sdp");
            return new Feed() {
                @Override
                public String offer() {
                    return offer;
                }

                @Override
                public void answer(String sdp) {
                    member.send(Json.createObjectBuilder().add("sylkrtc", "videoroom-feed-answer")
                            .add("transaction", feed + "a").add("session", member.session).add("feed", feed)
                            .add("sdp", sdp).build().toString());
                }
            };
        }

        @Override
        public void close() {
            for (Member member : members) {
                member.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS)
                        .exceptionally(e -> null).join();
            }
        }
    }

    /**
     * Janus's videoroom plugin over its HTTP API: one Janus session, one handle per publisher and per feed
     * (joinandconfigure with the offer; join as subscriber, then start with the answer), events by long poll.
     */
    final class Janus implements Signalling {
        private final URI base;
        private final HttpClient http = HttpClient.newHttpClient();
        private final Map<Long, BlockingQueue<JsonObject>> events = new ConcurrentHashMap<>();
        private final AtomicLong transactions = new AtomicLong();
        private final java.util.Set<Integer> rooms = ConcurrentHashMap.newKeySet();
        private final long session;
        private final long control;
        private volatile boolean closed;
        private final Thread poller;

        Janus(URI base) throws Exception {
            this.base = base;
            session = post(base, Json.createObjectBuilder().add("janus", "create")).getJsonObject("data")
                    .getJsonNumber("id").longValue();
            poller = new Thread(this::poll, "janus-events");
            poller.setDaemon(true);
            poller.start();
            control = attach();
        }

        private JsonObject post(URI uri, javax.json.JsonObjectBuilder body) throws Exception {
            String text = body.add("transaction", "t" + transactions.incrementAndGet()).build().toString();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(WAIT)
                    .POST(HttpRequest.BodyPublishers.ofString(text)).build(), HttpResponse.BodyHandlers.ofString());
            JsonObject answer = parse(response.body());
            if ("error".equals(answer.getString("janus", "")) || pluginError(answer) != null) {
                throw new IllegalStateException("Janus: " + answer + " to " + text.substring(0, Math.min(200, text.length())));
            }
            return answer;
        }

        private static String pluginError(JsonObject answer) {
            JsonObject data = answer.containsKey("plugindata") ? answer.getJsonObject("plugindata").getJsonObject("data") : null;
            return data != null && data.containsKey("error") ? data.toString() : null;
        }

        private void poll() {
            while (!closed) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/" + session
                            + "?maxev=10")).timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    JsonValue value = Json.createReader(new StringReader(response.body())).readValue();
                    List<JsonObject> list = value.getValueType() == JsonValue.ValueType.ARRAY
                            ? value.asJsonArray().getValuesAs(JsonObject.class) : List.of(value.asJsonObject());
                    for (JsonObject event : list) {
                        if (event.containsKey("sender")) {
                            queue(event.getJsonNumber("sender").longValue()).add(event);
                        }
                    }
                } catch (Exception e) {
                    if (!closed) {
                        System.err.println("janus poll: " + e);
                    }
                }
            }
        }

        private BlockingQueue<JsonObject> queue(long handle) {
            return events.computeIfAbsent(handle, h -> new LinkedBlockingQueue<>());
        }

        private long attach() throws Exception {
            return post(URI.create(base + "/" + session), Json.createObjectBuilder().add("janus", "attach")
                    .add("plugin", "janus.plugin.videoroom")).getJsonObject("data").getJsonNumber("id").longValue();
        }

        private JsonObject message(long handle, javax.json.JsonObjectBuilder body, String type, String sdp) throws Exception {
            javax.json.JsonObjectBuilder message = Json.createObjectBuilder().add("janus", "message").add("body", body);
            if (sdp != null) {
                message.add("jsep", Json.createObjectBuilder().add("type", type).add("sdp", sdp));
            }
            return post(URI.create(base + "/" + session + "/" + handle), message);
        }

        /** The next plugin event of this handle that carries a jsep. */
        private JsonObject jsep(long handle) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                JsonObject event = queue(handle).poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event == null) {
                    throw new IllegalStateException("Janus: no jsep for handle " + handle);
                }
                if (pluginError(event) != null) {
                    throw new IllegalStateException("Janus: " + event);
                }
                if (event.containsKey("jsep")) {
                    return event;
                }
            }
        }

        private void endOfCandidates(long handle) throws Exception {
            post(URI.create(base + "/" + session + "/" + handle), Json.createObjectBuilder().add("janus", "trickle")
                    .add("candidate", Json.createObjectBuilder().add("completed", true)));
        }

        private void room(int room) throws Exception {
            synchronized (rooms) {
                if (rooms.add(room)) {
                    message(control, Json.createObjectBuilder().add("request", "create").add("room", 1000 + room)
                            .add("publishers", 100).add("bitrate", 0).add("audiocodec", "opus")
                            .add("videocodec", "vp8").add("notify_joining", false), null, null);
                }
            }
        }

        @Override
        public Object viewer(int room, int index, String offer, java.util.function.Consumer<String> answer) {
            return null;
        }

        @Override
        public Published publish(int room, int index, String offer) throws Exception {
            room(room);
            long handle = attach();
            message(handle, Json.createObjectBuilder().add("request", "joinandconfigure").add("room", 1000 + room)
                    .add("ptype", "publisher").add("display", "r" + room + "-p" + index), "offer", offer);
            endOfCandidates(handle);
            JsonObject event = jsep(handle);
            long id = event.getJsonObject("plugindata").getJsonObject("data").getJsonNumber("id").longValue();
            return new Published(event.getJsonObject("jsep").getString("sdp"), Long.toString(id));
        }

        @Override
        public Feed subscribe(int room, Object viewer, int viewerIndex, Published publisher) throws Exception {
            long handle = attach();
            message(handle, Json.createObjectBuilder().add("request", "join").add("room", 1000 + room)
                    .add("ptype", "subscriber").add("streams", Json.createArrayBuilder()
                            .add(Json.createObjectBuilder().add("feed", Long.parseLong(publisher.id())))), null, null);
            String offer = jsep(handle).getJsonObject("jsep").getString("sdp");
            return new Feed() {
                @Override
                public String offer() {
                    return offer;
                }

                @Override
                public void answer(String sdp) throws Exception {
                    message(handle, Json.createObjectBuilder().add("request", "start"), "answer", sdp);
                    endOfCandidates(handle);
                }
            };
        }

        @Override
        public void close() throws Exception {
            closed = true;
            for (int room : rooms) {
                message(control, Json.createObjectBuilder().add("request", "destroy").add("room", 1000 + room), null, null);
            }
            post(URI.create(base + "/" + session), Json.createObjectBuilder().add("janus", "destroy"));
        }
    }
}
