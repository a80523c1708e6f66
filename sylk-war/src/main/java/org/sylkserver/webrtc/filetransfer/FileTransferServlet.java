package org.sylkserver.webrtc.filetransfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

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
 * What it shares with room file sharing is in {@link HttpFiles}.
 */
@WebServlet("/filetransfer/*")
public class FileTransferServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.filetransfer");
    private static final String ATTRIBUTE = FileTransfers.class.getName();

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
        HttpFiles.allowAnyOrigin(response);
        super.service(request, response);
    }

    @Override
    protected void doOptions(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpFiles.options(response);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] segments = HttpFiles.segments(request);
        FileTransfers transfers = transfers(response);
        if (transfers == null || segments == null) {
            return;
        }
        if (segments.length == 2 && segments[0].equals("cancel")) {
            cancel(transfers, segments[1], response);
            return;
        }
        if (segments.length != 4) {
            HttpFiles.text(response, HttpServletResponse.SC_NOT_FOUND, "Not Found");
            return;
        }
        if (!SipAor.Syntax.isValid(segments[0]) || !SipAor.Syntax.isValid(segments[1])) {
            refuse(response, new UploadRefused(HttpServletResponse.SC_FORBIDDEN, "Invalid sender or receiver"));
            return;
        }
        FileTransfers.Upload upload;
        try {
            upload = transfers.start(SipAor.Syntax.strip(segments[0]), SipAor.Syntax.strip(segments[1]), segments[2],
                    segments[3], request.getContentType(), HttpFiles.contentLength(request), request.getRemoteAddr(), "");
        } catch (UploadRefused refused) {
            refuse(response, refused);
            return;
        }
        try (upload; InputStream body = request.getInputStream()) {
            upload.receive(body);
        } catch (FileTransfers.CancelledException e) {
            // spec §4.10.2: the upload's TCP connection is aborted; closing it is how Tomcat stops reading the body
            response.setHeader("Connection", "close");
            HttpFiles.text(response, HttpServletResponse.SC_BAD_REQUEST, "Cancelled upload " + upload.transferId());
            return;
        } catch (IOException e) {
            LOG.log(Level.INFO, "upload " + upload.transferId() + " failed: " + e.getMessage());
            response.setHeader("Connection", "close");
            if (!response.isCommitted()) {
                HttpFiles.text(response, HttpServletResponse.SC_BAD_REQUEST, "Upload incomplete");
            }
            return;
        }
        HttpFiles.text(response, HttpServletResponse.SC_OK, "OK");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] segments = HttpFiles.segments(request);
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
        Path file = layout == null ? null : transfers.stored(layout);
        if (file == null) {
            HttpFiles.text(response, HttpServletResponse.SC_NOT_FOUND, "Not Found");
            return;
        }
        HttpFiles.download(file, layout.filename(), true, request, response);
    }

    private static void cancel(FileTransfers transfers, String transferId, HttpServletResponse response)
            throws IOException {
        HttpFiles.text(response, HttpServletResponse.SC_OK, transfers.cancel(transferId)
                ? "Cancelled upload " + transferId : "No active upload with transfer_id " + transferId);
    }

    private static void refuse(HttpServletResponse response, UploadRefused refused) throws IOException {
        LOG.info(() -> "upload refused: " + refused.status() + " " + refused.getMessage());
        HttpFiles.refuse(response, refused.status(), refused.getMessage());
    }

    /** The running file transfers, or null after a 503 while the gateway is not running. */
    private FileTransfers transfers(HttpServletResponse response) throws IOException {
        if (getServletContext().getAttribute(ATTRIBUTE) instanceof FileTransfers running) {
            return running;
        }
        response.setHeader("Connection", "close");
        HttpFiles.text(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "File transfer not running");
        return null;
    }
}
