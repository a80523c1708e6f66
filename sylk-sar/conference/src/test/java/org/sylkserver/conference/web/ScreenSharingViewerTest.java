package org.sylkserver.conference.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import javax.servlet.ServletOutputStream;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The screen sharing viewer of spec §3.7, with fake servlet requests and responses. */
class ScreenSharingViewerTest {

    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 1, 2, 3, (byte) 0xff, (byte) 0xd9};

    @TempDir
    Path images;

    private record Reply(int status, String contentType, String text, byte[] bytes) {
    }

    @BeforeEach
    void oneRoomWithOneImage() throws Exception {
        Files.createDirectories(images.resolve("room@conference.example.com"));
        Files.write(images.resolve("room@conference.example.com/alice@example.com_Ab3dEf9hIj.jpg"), JPEG);
        Files.writeString(images.resolve("secret.jpg"), "outside any room");
    }

    private Reply get(String pathInfo, Map<String, String> parameters) throws Exception {
        int[] status = {200};
        String[] contentType = {null};
        StringWriter text = new StringWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getPathInfo" -> pathInfo;
                    case "getParameter" -> parameters.get((String) args[0]);
                    case "getMethod" -> "GET";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "setStatus" -> {
                        status[0] = (Integer) args[0];
                        yield null;
                    }
                    case "setContentType" -> {
                        contentType[0] = (String) args[0];
                        yield null;
                    }
                    case "setHeader", "setContentLength" -> null;
                    case "getWriter" -> new PrintWriter(text, true);
                    case "getOutputStream" -> new ServletOutputStream() {
                        @Override
                        public void write(int b) {
                            bytes.write(b);
                        }
                    };
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        new ScreenSharingViewer(images).doGet(request, response);
        return new Reply(status[0], contentType[0], text.toString(), bytes.toByteArray());
    }

    @Test
    void thePageShowsTheImageAndReloadsItEverySecond_spec3_7() throws Exception {
        Reply page = get("/room@conference.example.com/screensharing",
                Map.of("image", "alice@example.com_Ab3dEf9hIj.jpg", "fit", ""));
        assertEquals(200, page.status());
        assertEquals("text/html;charset=UTF-8", page.contentType());
        assertTrue(page.text().contains("src=\"screensharing_img/alice@example.com_Ab3dEf9hIj.jpg\""), page.text());
        assertTrue(page.text().contains("setInterval"), page.text());
        assertTrue(page.text().contains("width: 100%"), "fit scales the image");
        assertFalse(get("/room@conference.example.com/screensharing",
                Map.of("image", "alice@example.com_Ab3dEf9hIj.jpg")).text().contains("width: 100%"));
    }

    @Test
    void theImageIsServedAsJpeg_spec3_7() throws Exception {
        Reply image = get("/room@conference.example.com/screensharing_img/alice@example.com_Ab3dEf9hIj.jpg", Map.of());
        assertEquals(200, image.status());
        assertEquals("image/jpeg", image.contentType());
        assertArrayEquals(JPEG, image.bytes());
    }

    @Test
    void missingOrWrongImageParameterIs400AndUnknownNamesAre404_spec3_7() throws Exception {
        assertEquals(400, get("/room@conference.example.com/screensharing", Map.of()).status());
        assertEquals(400, get("/room@conference.example.com/screensharing", Map.of("image", "x.png")).status());
        Reply noRoom = get("/nobody@conference.example.com/screensharing", Map.of("image", "a.jpg"));
        assertEquals(404, noRoom.status());
        assertEquals("Room not found", noRoom.text());
        Reply noImage = get("/room@conference.example.com/screensharing", Map.of("image", "bob@example.com_x.jpg"));
        assertEquals(404, noImage.status());
        assertEquals("Image not found", noImage.text());
        for (String other : new String[] {"/", "/room@conference.example.com", "/room@conference.example.com/other"}) {
            Reply nothing = get(other, new HashMap<>());
            assertEquals(404, nothing.status(), other);
            assertEquals(ScreenSharingViewer.NOTHING, nothing.text());
        }
    }

    /** Names from the client never step out of the room's directory. */
    @Test
    void pathsInNamesCannotReachOtherFiles() throws Exception {
        assertEquals(404, get("/../screensharing", Map.of("image", "secret.jpg")).status());
        assertEquals(404, get("/room@conference.example.com/screensharing", Map.of("image", "../secret.jpg")).status());
        assertEquals(404, get("/room@conference.example.com/screensharing_img/..", Map.of()).status());
        String absolute = images.resolve("secret.jpg").toAbsolutePath().toString();
        assertEquals(404, get("/room@conference.example.com/screensharing", Map.of("image", absolute)).status(),
                "an absolute name is its base name in the room");
        assertEquals(404, get("/room@conference.example.com/screensharing_img/..\\secret.jpg", Map.of()).status());
        assertEquals(404, get("/room@conference.example.com/screensharing_img" + absolute, Map.of()).status());
        assertEquals(404, get("/room@conference.example.com/../screensharing_img/secret.jpg", Map.of()).status());
        Reply stripped = get("/room@conference.example.com/screensharing",
                Map.of("image", "../../x/alice@example.com_Ab3dEf9hIj.jpg"));
        assertEquals(200, stripped.status(), "path components are stripped (spec §3.7)");
    }
}
