package org.sylkserver.conference.web;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The screen sharing viewer of the conference (spec §3.7), under {@code /conference}: a participant's shared screen
 * arrives as JPEG frames over the room's chat and is kept as one file per sender in
 * {@code <screensharing_images_dir>/<room>/}; this servlet shows it to anyone with the link.
 * <ul>
 * <li>{@code /conference/<room>/screensharing?image=<name>.jpg[&fit]}: a page showing the image, reloaded every second;
 * {@code fit} scales it to the window width. 400 without an {@code image} ending in {@code .jpg}, 404 {@code Room
 * not found} or {@code Image not found};</li>
 * <li>{@code /conference/<room>/screensharing_img/<name>.jpg}: the JPEG itself (its base name only);</li>
 * <li>anything else: 404 {@code Nothing to see here, move along.}</li>
 * </ul>
 * Room and image names never reach the file system as paths: a name with a path separator or {@code ..} is not
 * found.
 */
public class ScreenSharingViewer extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String NOTHING = "Nothing to see here, move along.";

    private final transient Path imagesDirectory;

    /** @param imagesDirectory {@code screensharing_images_dir} */
    public ScreenSharingViewer(Path imagesDirectory) {
        this.imagesDirectory = imagesDirectory;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length == 2 && parts[1].equals("screensharing")) {
            page(parts[0], request, response);
        } else if (parts.length == 3 && parts[1].equals("screensharing_img")) {
            image(parts[0], parts[2], response);
        } else {
            text(response, HttpServletResponse.SC_NOT_FOUND, NOTHING);
        }
    }

    private void page(String room, HttpServletRequest request, HttpServletResponse response) throws IOException {
        String image = request.getParameter("image");
        if (image == null || !image.endsWith(".jpg")) {
            text(response, HttpServletResponse.SC_BAD_REQUEST, "Missing or invalid image parameter (a .jpg file name)");
            return;
        }
        Path roomDirectory = roomDirectory(room);
        if (roomDirectory == null || !Files.isDirectory(roomDirectory)) {
            text(response, HttpServletResponse.SC_NOT_FOUND, "Room not found");
            return;
        }
        String name = baseName(image);
        if (name == null || !Files.isRegularFile(roomDirectory.resolve(name))) {
            text(response, HttpServletResponse.SC_NOT_FOUND, "Image not found");
            return;
        }
        boolean fit = request.getParameter("fit") != null;
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        String source = "screensharing_img/" + name;
        try (PrintWriter out = response.getWriter()) {
            out.print("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Screen shared in "
                    + html(room) + "</title>\n<style>body { margin: 0; background: #222; } img { display: block; margin: auto;"
                    + (fit ? " width: 100%;" : "") + " }</style>\n</head>\n<body>\n<img id=\"screen\" alt=\"shared screen\" src=\""
                    + html(source) + "\">\n<script>\n'use strict';\nconst screen = document.getElementById('screen');\n"
                    // reload the frame every second; the query defeats caches
                    + "setInterval(() => { screen.src = '" + js(source) + "?' + Date.now(); }, 1000);\n</script>\n"
                    + "</body>\n</html>\n");
        }
    }

    private void image(String room, String file, HttpServletResponse response) throws IOException {
        Path roomDirectory = roomDirectory(room);
        String name = baseName(file);
        Path image = roomDirectory == null || name == null ? null : roomDirectory.resolve(name);
        if (image == null || !name.endsWith(".jpg") || !Files.isRegularFile(image)) {
            text(response, HttpServletResponse.SC_NOT_FOUND, "Image not found");
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(image);
        } catch (IOException removedMeanwhile) {
            text(response, HttpServletResponse.SC_NOT_FOUND, "Image not found");
            return;
        }
        response.setContentType("image/jpeg");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(bytes);
        }
    }

    /** The room's directory, or null when the name could step out of the images directory. */
    private Path roomDirectory(String room) {
        if (room.isEmpty() || room.contains("..") || room.contains("\\") || room.contains("/") || room.contains("\0")) {
            return null;
        }
        return imagesDirectory.resolve(room);
    }

    /** The last path component of a client-given name (spec §3.7: path components are stripped), or null. */
    private static String baseName(String name) {
        String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        return base.isEmpty() || base.equals("..") || base.equals(".") || base.contains("\0") ? null : base;
    }

    private static void text(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().print(message);
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static String js(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '@' || c == '/'
                    ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }
}
