package org.sylkserver.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.json.Json;
import javax.json.JsonObject;
import javax.json.JsonValue;

/**
 * Headless Chromium (Debian package {@code chromium}) for the end-to-end tests, driven over the Chrome DevTools
 * protocol with the JDK's HTTP and WebSocket clients: open a page, evaluate JavaScript in it (awaiting promises),
 * wait for a condition. Started with fake media devices, so pages may call {@code getUserMedia} without a camera,
 * and with the flags this machine needs (no sandbox as root, no background network traffic).
 */
final class Chromium implements AutoCloseable {

    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://[^/]+)/");

    private final Process process;
    private final String devtoolsHost;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Page> pages = new ArrayList<>();
    private final StringBuilder output = new StringBuilder();

    private Chromium(Process process, String devtoolsHost) {
        this.process = process;
        this.devtoolsHost = devtoolsHost;
    }

    static Chromium start(Path profile) throws IOException, InterruptedException {
        return start(profile, List.of());
    }

    /**
     * As {@link #start(Path)}, the fake microphone playing {@code microphone} (a WAV file, looped) instead of its
     * beeps, and Web Audio allowed to run without a user gesture (so a page can analyse what it receives).
     */
    static Chromium startWithMicrophone(Path profile, Path microphone) throws IOException, InterruptedException {
        return start(profile, List.of("--use-file-for-fake-audio-capture=" + microphone,
                "--autoplay-policy=no-user-gesture-required"));
    }

    private static Chromium start(Path profile, List<String> extra) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                // WebRTC gathers no loopback candidates by default, and the gateway's media is on 127.0.0.1
                "--allow-loopback-in-peer-connection",
                "--user-data-dir=" + profile, "--remote-debugging-port=0"));
        command.addAll(extra);
        command.add("about:blank");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        while (System.nanoTime() < deadline && (line = lines.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher devtools = DEVTOOLS.matcher(line);
            if (devtools.find()) {
                Chromium chromium = new Chromium(process, devtools.group(1).replace("ws://", ""));
                Thread drain = new Thread(() -> chromium.drain(lines), "chromium-output");
                drain.setDaemon(true);
                drain.start();
                return chromium;
            }
        }
        process.destroyForcibly();
        throw new IOException("chromium did not start its DevTools server; it printed:\n" + seen);
    }

    private void drain(BufferedReader lines) {
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                }
            }
        } catch (IOException ignored) {
            // the browser is gone
        }
    }

    /** What the browser printed (for failure messages). */
    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Opens {@code url} in a new tab and waits until its document has loaded. */
    Page open(String url) throws Exception {
        HttpRequest create = HttpRequest.newBuilder(URI.create("http://" + devtoolsHost + "/json/new?"
                + URLEncoder.encode(url, StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody()).build();
        String body = http.send(create, HttpResponse.BodyHandlers.ofString()).body();
        JsonObject target = Json.createReader(new StringReader(body)).readObject();
        Page page = new Page();
        page.socket = http.newWebSocketBuilder().buildAsync(URI.create(target.getString("webSocketDebuggerUrl")), page)
                .get(10, TimeUnit.SECONDS);
        pages.add(page);
        // a new tab starts on about:blank, whose readyState is already complete: wait for the page asked for
        String expected = Json.createArrayBuilder().add(url).build().getJsonString(0).toString();
        page.awaitTrue("location.href === " + expected + " && document.readyState === 'complete'",
                Duration.ofSeconds(15));
        return page;
    }

    @Override
    public void close() throws InterruptedException {
        for (Page page : pages) {
            page.socket.abort();
        }
        // its helper processes (renderer, GPU, zygote) write to the profile too: they must be gone before the
        // profile directory is deleted
        java.util.List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        helpers.forEach(ProcessHandle::destroy);
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        for (ProcessHandle helper : helpers) {
            try {
                helper.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                helper.destroyForcibly();
            }
        }
    }

    /** One tab, with its own DevTools connection. */
    static final class Page implements WebSocket.Listener {

        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonObject>> calls = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        /**
         * Evaluates a JavaScript expression in the page, awaiting it if it is a promise.
         *
         * @return its value (JSON); throws with the page's message if it threw or rejected
         */
        JsonValue evaluate(String expression) throws Exception {
            JsonObject params = Json.createObjectBuilder().add("expression", expression).add("awaitPromise", true)
                    .add("returnByValue", true).build();
            JsonObject result = call("Runtime.evaluate", params).getJsonObject("result");
            if (result.containsKey("exceptionDetails")) {
                JsonObject details = result.getJsonObject("exceptionDetails");
                String text = details.containsKey("exception")
                        ? details.getJsonObject("exception").getString("description", details.toString())
                        : details.toString();
                throw new AssertionError("the page threw: " + text);
            }
            JsonObject value = result.getJsonObject("result");
            return value.containsKey("value") ? value.get("value") : JsonValue.NULL;
        }

        /**
         * Makes the page's {@code getUserMedia} ask for the microphone without Chrome's audio processing: its noise
         * suppression above all may learn the fake microphone's regular beeps as noise and take them out, and the
         * tests check the transport, with sound in it.
         */
        void withoutAudioProcessing() throws Exception {
            evaluate("""
                    (() => {
                        const devices = navigator.mediaDevices;
                        const original = devices.getUserMedia.bind(devices);
                        devices.getUserMedia = constraints => original({...constraints, audio: constraints.audio && {
                            echoCancellation: false, noiseSuppression: false, autoGainControl: false}});
                        return true;
                    })()""");
        }

        /** Chooses {@code file} in the page's file input {@code selector}, as a person does in the file dialog. */
        void chooseFile(String selector, Path file) throws Exception {
            JsonObject params = Json.createObjectBuilder()
                    .add("expression", "document.querySelector(" + Json.createValue(selector) + ")").build();
            JsonObject input = call("Runtime.evaluate", params).getJsonObject("result").getJsonObject("result");
            if (!input.containsKey("objectId")) {
                throw new AssertionError("no element " + selector + ": " + input);
            }
            call("DOM.setFileInputFiles", Json.createObjectBuilder()
                    .add("files", Json.createArrayBuilder().add(file.toAbsolutePath().toString()))
                    .add("objectId", input.getString("objectId")).build());
        }

        /** Waits until {@code expression} is {@code true} in the page. */
        void awaitTrue(String expression, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (evaluate(expression) != JsonValue.TRUE) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("page: not true within " + timeout + ": " + expression);
                }
                Thread.sleep(100);
            }
        }

        private JsonObject call(String method, JsonObject params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonObject> answer = new CompletableFuture<>();
            calls.put(id, answer);
            String message = Json.createObjectBuilder().add("id", id).add("method", method).add("params", params)
                    .build().toString();
            socket.sendText(message, true).get(10, TimeUnit.SECONDS);
            JsonObject response = answer.get(30, TimeUnit.SECONDS);
            if (response.containsKey("error")) {
                throw new AssertionError("DevTools " + method + " failed: " + response.get("error"));
            }
            return response;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject message = Json.createReader(new StringReader(partial.toString())).readObject();
                partial.setLength(0);
                if (message.containsKey("id")) {
                    CompletableFuture<JsonObject> answer = calls.remove(message.getInt("id"));
                    if (answer != null) {
                        answer.complete(message);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
