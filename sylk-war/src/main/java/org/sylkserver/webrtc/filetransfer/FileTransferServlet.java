package org.sylkserver.webrtc.filetransfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.servlet.ServletContext;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.sylkserver.webrtc.api.SipAor;

/**
 * The HTTP side of file transfer (spec §4.10.2, §4.13):
 * <ul>
 * <li>{@code POST /webrtcgateway/filetransfer/<sender>/<receiver>/<transfer_id>/<filename>}: the body is the file;</li>
 * <li>{@code GET|HEAD /webrtcgateway/filetransfer/<h1>/<h2>/<transfer_id>/<filename>}: the file, with single byte
 * ranges (RFC 7233), inline for pictures and videos, else as an attachment;</li>
 * <li>{@code POST|GET /webrtcgateway/filetransfer/cancel/<transfer_id>}: stops that upload;</li>
 * <li>{@code OPTIONS}: {@code OK}; every answer carries the spec's CORS headers.</li>
 * </ul>
 * Segments are taken from the raw request URI and percent-decoded here, so an encoded slash stays inside its segment
 * (and then fails the name checks).
 */
@WebServlet("/filetransfer/*")
public class FileTransferServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.filetransfer");
    private static final String ATTRIBUTE = FileTransfers.class.getName();
    /** spec §4.10.2: these are shown inline, with their type; everything else is an attachment. */
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

    /** Installs the running file transfers in {@code context}, or with null takes them away. */
    public static void install(ServletContext context, FileTransfers transfers) {
        if (transfers == null) {
            context.removeAttribute(ATTRIBUTE);
        } else {
            context.setAttribute(ATTRIBUTE, transfers);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        // spec §4.10.2: any origin, and the content-type header of the upload
        response.setHeader("Access-Control-Allow-Origin", "*");
        response.setHeader("Access-Control-Allow-Headers", "content-type");
        super.service(request, response);
    }

    @Override
    protected void doOptions(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Allow", "GET, HEAD, POST, OPTIONS");
        text(response, HttpServletResponse.SC_OK, "OK");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] segments = segments(request);
        FileTransfers transfers = transfers(response);
        if (transfers == null || segments == null) {
            return;
        }
        if (segments.length == 2 && segments[0].equals("cancel")) {
            cancel(transfers, segments[1], response);
            return;
        }
        if (segments.length != 4) {
            text(response, HttpServletResponse.SC_NOT_FOUND, "Not Found");
            return;
        }
        if (!SipAor.Syntax.isValid(segments[0]) || !SipAor.Syntax.isValid(segments[1])) {
            refuse(response, new FileTransfers.Refused(HttpServletResponse.SC_FORBIDDEN, "Invalid sender or receiver"));
            return;
        }
        FileTransfers.Upload upload;
        try {
            upload = transfers.start(SipAor.Syntax.strip(segments[0]), SipAor.Syntax.strip(segments[1]), segments[2],
                    segments[3], request.getContentType(), contentLength(request), request.getRemoteAddr(), "");
        } catch (FileTransfers.Refused refused) {
            refuse(response, refused);
            return;
        }
        try (upload; InputStream body = request.getInputStream()) {
            upload.receive(body);
        } catch (FileTransfers.CancelledException e) {
            // spec §4.10.2: the upload's TCP connection is aborted; closing it is how Tomcat stops reading the body
            response.setHeader("Connection", "close");
            text(response, HttpServletResponse.SC_BAD_REQUEST, "Cancelled upload " + upload.transferId());
            return;
        } catch (IOException e) {
            LOG.log(Level.INFO, "upload " + upload.transferId() + " failed: " + e.getMessage());
            response.setHeader("Connection", "close");
            if (!response.isCommitted()) {
                text(response, HttpServletResponse.SC_BAD_REQUEST, "Upload incomplete");
            }
            return;
        }
        text(response, HttpServletResponse.SC_OK, "OK");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] segments = segments(request);
        FileTransfers transfers = transfers(response);
        if (transfers == null || segments == null) {
            return;
        }
        if (segments.length == 2 && segments[0].equals("cancel")) {
            cancel(transfers, segments[1], response);
            return;
        }
        TransferLayout layout = segments.length == 4
                ? TransferLayout.parse(segments[0], segments[1], segments[2], segments[3]) : null;
        TransferredFile file = layout == null ? null : transfers.find(layout);
        if (file == null) {
            text(response, HttpServletResponse.SC_NOT_FOUND, "Not Found");
            return;
        }
        download(transfers.file(layout), file, request, response);
    }

    /** The file, whole or one byte range (RFC 7233 §2.1; several ranges get the whole file, §3.1 allows it). */
    private static void download(Path path, TransferredFile file, HttpServletRequest request,
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
            String extension = extension(file.filename());
            String inlineType = INLINE.get(extension);
            response.setHeader("Accept-Ranges", "bytes");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setContentType(inlineType != null ? inlineType : "application/octet-stream");
            response.setHeader("Content-Disposition", (inlineType != null ? "inline" : "attachment")
                    + "; filename*=UTF-8''" + TransferLayout.quote(file.filename()));
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

    private static void cancel(FileTransfers transfers, String transferId, HttpServletResponse response)
            throws IOException {
        text(response, HttpServletResponse.SC_OK, transfers.cancel(transferId)
                ? "Cancelled upload " + transferId : "No active upload with transfer_id " + transferId);
    }

    private static void refuse(HttpServletResponse response, FileTransfers.Refused refused) throws IOException {
        LOG.info(() -> "upload refused: " + refused.status() + " " + refused.getMessage());
        // the body is not read: closing the connection keeps Tomcat from reading (swallowing) it either
        response.setHeader("Connection", "close");
        text(response, refused.status(), refused.getMessage());
    }

    /** The running file transfers, or null after a 503 while the gateway is not running. */
    private FileTransfers transfers(HttpServletResponse response) throws IOException {
        if (getServletContext().getAttribute(ATTRIBUTE) instanceof FileTransfers running) {
            return running;
        }
        response.setHeader("Connection", "close");
        text(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "File transfer not running");
        return null;
    }

    /** The decoded segments after {@code /filetransfer/}; one that does not decode is empty (and fails every check). */
    private static String[] segments(HttpServletRequest request) {
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
    private static long contentLength(HttpServletRequest request) {
        String value = request.getHeader("Content-Length");
        try {
            return value == null ? -1 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String extension(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static void text(HttpServletResponse response, int status, String line) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        byte[] body = (line + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
