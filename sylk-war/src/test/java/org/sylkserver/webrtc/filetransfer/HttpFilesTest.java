package org.sylkserver.webrtc.filetransfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.ServletOutputStream;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HttpFiles}, the HTTP side shared by 1:1 file transfer (spec §4.10.2) and room file sharing (§4.10.5): path
 * segments, {@code Content-Length}, and downloads with one byte range (RFC 7233 §2.1, §4.2, §4.4).
 */
class HttpFilesTest {

    @TempDir
    Path dir;

    /** A request of {@code method} for {@code uri} under {@code /webrtcgateway/files}, with these headers. */
    private static HttpServletRequest request(String method, String uri, Map<String, String> headers,
                                              Map<String, Object> attributes) {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpFilesTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getRequestURI" -> uri;
                    case "getContextPath" -> "/webrtcgateway";
                    case "getServletPath" -> "/files";
                    case "getMethod" -> method;
                    case "getHeader" -> headers.get((String) args[0]);
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    /** What a response was given. */
    private static final class Answer {
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        HttpServletResponse response() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(HttpFilesTest.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> switch (m.getName()) {
                        case "setStatus" -> {
                            status = (Integer) args[0];
                            yield null;
                        }
                        case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                        case "setContentType" -> headers.put("Content-Type", (String) args[0]);
                        case "setContentLength" -> headers.put("Content-Length", args[0].toString());
                        case "getOutputStream" -> out;
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    /** Segments are percent-decoded one by one: an encoded slash stays inside its segment, a broken escape is empty. */
    @Test
    void segmentsAreDecodedOneByOne() {
        assertEquals(List.of("room@example.com", "s1", "a b.txt"), List.of(HttpFiles.segments(request("GET",
                "/webrtcgateway/files/room@example.com/s1/a%20b.txt", Map.of(), Map.of()))));
        assertEquals(List.of("..", "../x", ""), List.of(HttpFiles.segments(request("GET",
                "/webrtcgateway/files/../..%2Fx/%zz", Map.of(), Map.of()))));
    }

    /** Servlet 3.0 has no long getter: uploads past 2 GiB; absent or bad is -1 (411 for the caller). */
    @Test
    void contentLength() {
        assertEquals(5L * 1024 * 1024 * 1024, HttpFiles.contentLength(request("POST", "/", Map.of("Content-Length",
                "5368709120"), Map.of())));
        assertEquals(-1, HttpFiles.contentLength(request("POST", "/", Map.of(), Map.of())));
        assertEquals(-1, HttpFiles.contentLength(request("POST", "/", Map.of("Content-Length", "12x"), Map.of())));
    }

    @Test
    void downloadsWholeOrOneRange_rfc7233() throws Exception {
        byte[] content = new byte[1000];
        Arrays.fill(content, (byte) 7);
        content[100] = 1;
        Path file = Files.write(dir.resolve("f"), content);

        Answer whole = new Answer();
        HttpFiles.download(file, "photo.jpg", true, request("GET", "/", Map.of(), new HashMap<>()), whole.response());
        assertEquals(200, whole.status);
        assertArrayEquals(content, whole.body.toByteArray());
        assertEquals("image/jpeg", whole.headers.get("Content-Type"));
        assertEquals("inline; filename*=UTF-8''photo.jpg", whole.headers.get("Content-Disposition"));

        Answer range = new Answer();
        HttpFiles.download(file, "photo.jpg", false, request("GET", "/", Map.of("Range", "bytes=100-199"),
                new HashMap<>()), range.response());
        assertEquals(206, range.status);
        assertEquals("bytes 100-199/1000", range.headers.get("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(content, 100, 200), range.body.toByteArray());
        assertEquals("application/octet-stream", range.headers.get("Content-Type"));
        assertEquals("attachment; filename*=UTF-8''photo.jpg", range.headers.get("Content-Disposition"));

        Answer suffix = new Answer();
        HttpFiles.download(file, "a b", false, request("GET", "/", Map.of("Range", "bytes=-10"), new HashMap<>()),
                suffix.response());
        assertEquals("bytes 990-999/1000", suffix.headers.get("Content-Range"));
        assertEquals("attachment; filename*=UTF-8''a%20b", suffix.headers.get("Content-Disposition"));

        Answer beyond = new Answer();
        HttpFiles.download(file, "f", false, request("GET", "/", Map.of("Range", "bytes=1000-"), new HashMap<>()),
                beyond.response());
        assertEquals(416, beyond.status);
        assertEquals("bytes */1000", beyond.headers.get("Content-Range"));
    }

    /** Where Tomcat offers sendfile, the kernel copies the range: nothing goes through the output stream. */
    @Test
    void sendfileWhereTomcatOffersIt() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[50]);
        Map<String, Object> attributes = new HashMap<>(Map.of("org.apache.tomcat.sendfile.support", true));
        Answer answer = new Answer();
        HttpFiles.download(file, "f", false, request("GET", "/", Map.of("Range", "bytes=10-19"), attributes),
                answer.response());
        assertEquals(0, answer.body.size());
        assertEquals(10L, attributes.get("org.apache.tomcat.sendfile.start"));
        assertEquals(20L, attributes.get("org.apache.tomcat.sendfile.end"));
        assertEquals("10", answer.headers.get("Content-Length"));
    }
}
