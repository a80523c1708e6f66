package org.sylkserver.webrtc.filetransfer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * What the gateway's file servlets share (1:1 file transfer, spec §4.10.2, and room file sharing, §4.10.5): the CORS
 * headers, the path segments taken from the raw request URI and percent-decoded here (so an encoded slash stays
 * inside its segment, and then fails the name checks), the upload's {@code Content-Length}, one-line text answers,
 * and downloads with single byte ranges (RFC 7233) through Tomcat's sendfile.
 */
public final class HttpFiles {

    /** spec §4.10.2: these are shown inline, with their type, where a download may be inline. */
    private static final Map<String, String> INLINE = Map.of("jpg", "image/jpeg", "jpeg", "image/jpeg",
            "png", "image/png", "gif", "image/gif", "mov", "video/quicktime", "mp4", "video/mp4", "webm", "video/webm");
    /** Tomcat's request attributes for sendfile (org.apache.catalina.Globals). */
    private static final String SENDFILE_SUPPORT = "org.apache.tomcat.sendfile.support";
    private static final String SENDFILE_FILENAME = "org.apache.tomcat.sendfile.filename";
    private static final String SENDFILE_START = "org.apache.tomcat.sendfile.start";
    private static final String SENDFILE_END = "org.apache.tomcat.sendfile.end";
    /** The copy's buffer when sendfile is not there: fewer, bigger writes than a stream channel's 8 KiB. */
    private static final int COPY_BYTES = 256 * 1024;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private HttpFiles() {
    }

    /** spec §4.10.2, §4.10.5: any origin, and the content-type header of the upload. */
    public static void allowAnyOrigin(HttpServletResponse response) {
        response.setHeader("Access-Control-Allow-Origin", "*");
        response.setHeader("Access-Control-Allow-Headers", "content-type");
    }

    /** The answer to OPTIONS: {@code OK}. */
    public static void options(HttpServletResponse response) throws IOException {
        response.setHeader("Allow", "GET, HEAD, POST, OPTIONS");
        text(response, HttpServletResponse.SC_OK, "OK");
    }

    /**
     * The decoded segments after the servlet's path; one that does not decode is empty (and fails every check).
     */
    public static String[] segments(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String start = request.getContextPath() + request.getServletPath() + "/";
        String[] raw = uri.startsWith(start) ? uri.substring(start.length()).split("/", -1) : new String[0];
        String[] decoded = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            decoded[i] = TransferLayout.unquote(raw[i]);
            if (decoded[i] == null) {
                decoded[i] = "";
            }
        }
        return decoded;
    }

    /** {@code Content-Length} (Servlet 3.0 has no long getter: uploads may pass 2 GiB), -1 when absent or bad. */
    public static long contentLength(HttpServletRequest request) {
        String value = request.getHeader("Content-Length");
        try {
            return value == null ? -1 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * An upload refused before its body is read: the status and the reason. The connection is closed, which keeps
     * Tomcat from reading (swallowing) the body.
     */
    public static void refuse(HttpServletResponse response, int status, String reason) throws IOException {
        response.setHeader("Connection", "close");
        text(response, status, reason);
    }

    /** A one-line {@code text/plain} answer. */
    public static void text(HttpServletResponse response, int status, String line) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        byte[] body = (line + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /**
     * The file at {@code path} named {@code filename}, whole or one byte range (RFC 7233 §2.1; several ranges get the
     * whole file, §3.1 allows it); pictures and videos inline when {@code inlineMedia}, everything else as an
     * attachment.
     */
    public static void download(Path path, String filename, boolean inlineMedia, HttpServletRequest request,
                                HttpServletResponse response) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            long first = 0;
            long last = size - 1;
            String range = request.getHeader("Range");
            Matcher matcher = range == null ? null : RANGE.matcher(range.strip());
            boolean partial = false;
            if (matcher != null && matcher.matches() && !(matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
                try {
                    if (matcher.group(1).isEmpty()) {
                        first = Math.max(0, size - Long.parseLong(matcher.group(2)));
                    } else {
                        first = Long.parseLong(matcher.group(1));
                        if (!matcher.group(2).isEmpty()) {
                            last = Math.min(last, Long.parseLong(matcher.group(2)));
                        }
                    }
                } catch (NumberFormatException e) {
                    first = size;
                }
                if (first >= size || first > last) {
                    response.setHeader("Content-Range", "bytes */" + size);
                    text(response, HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE, "Range Not Satisfiable");
                    return;
                }
                partial = true;
            }
            String inlineType = inlineMedia ? INLINE.get(extension(filename)) : null;
            response.setHeader("Accept-Ranges", "bytes");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setContentType(inlineType != null ? inlineType : "application/octet-stream");
            response.setHeader("Content-Disposition", (inlineType != null ? "inline" : "attachment")
                    + "; filename*=UTF-8''" + TransferLayout.quote(filename));
            if (partial) {
                response.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
                response.setHeader("Content-Range", "bytes " + first + "-" + last + "/" + size);
            }
            long length = last - first + 1;
            response.setHeader("Content-Length", Long.toString(length));
            if ("HEAD".equals(request.getMethod())) {
                return;
            }
            if (Boolean.TRUE.equals(request.getAttribute(SENDFILE_SUPPORT))) {
                // Tomcat's sendfile (as its DefaultServlet does): the kernel copies the file to the socket
                request.setAttribute(SENDFILE_FILENAME, path.toAbsolutePath().toString());
                request.setAttribute(SENDFILE_START, first);
                request.setAttribute(SENDFILE_END, last + 1);
                return;
            }
            OutputStream out = response.getOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(COPY_BYTES);
            long position = first;
            while (position <= last) {
                buffer.clear().limit((int) Math.min(COPY_BYTES, last + 1 - position));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException(path + " shrank while being sent");
                }
                out.write(buffer.array(), 0, n);
                position += n;
            }
        }
    }

    private static String extension(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
