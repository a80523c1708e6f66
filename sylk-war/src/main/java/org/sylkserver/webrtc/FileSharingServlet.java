package org.sylkserver.webrtc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.sylkserver.webrtc.api.SipAor;
import org.sylkserver.webrtc.filetransfer.HttpFiles;
import org.sylkserver.webrtc.filetransfer.TransferLayout;
import org.sylkserver.webrtc.filetransfer.UploadRefused;
import org.sylkserver.webrtc.filetransfer.UploadStaging;

/**
 * Video-room file sharing over HTTP (spec §4.10.5, §4.13):
 * <ul>
 * <li>{@code POST /webrtcgateway/filesharing/<room>/<session>/<filename>}: the body is a file shared in the room.
 * Only a publisher admitted to that room may share: {@code <session>} must be its sylkRTC session id there, and the
 * upload must come from the address of that session's WebSocket connection (as 1:1 uploads must, §4.10.2: the room's
 * members all learn each other's session ids), else 403 before the body is read (as are a bad room or file name, 403; no {@code Content-Length}, 411; a file or room too
 * big, 413). The name is made safe as 1:1 transfers' are; every member then gets a {@code file-sharing} event (§4.6.8);
 * a body cut off leaves nothing, a storage failure is a 500;</li>
 * <li>{@code GET|HEAD} the same path with the uploader's session, as the event names it: the file as an attachment,
 * with byte ranges (404 when there is no such file of that session);</li>
 * <li>{@code OPTIONS}: {@code OK}; every answer carries the spec's CORS headers.</li>
 * </ul>
 */
@WebServlet("/filesharing/*")
public class FileSharingServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.videoroom");

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
        VideoRooms rooms = running(response);
        if (rooms == null) {
            return;
        }
        if (segments.length != 3) {
            HttpFiles.text(response, HttpServletResponse.SC_NOT_FOUND, "Not Found");
            return;
        }
        RoomMember uploader;
        String name = TransferLayout.filename(segments[2]);
        try {
            uploader = uploader(rooms, segments[0], segments[1], name, request.getRemoteAddr());
            rooms.files().check(uploader.room, HttpFiles.contentLength(request));
        } catch (UploadRefused refused) {
            LOG.info(() -> "file sharing in " + segments[0] + " by " + segments[1] + " refused: " + refused.status()
                    + " " + refused.getMessage());
            HttpFiles.refuse(response, refused.status(), refused.getMessage());
            return;
        }
        UploadStaging.Staged staged;
        try (InputStream body = request.getInputStream()) {
            staged = rooms.files().receive(body, HttpFiles.contentLength(request));
        } catch (IOException e) {
            LOG.info(() -> "file sharing by " + uploader + " failed: " + e.getMessage());
            response.setHeader("Connection", "close");
            if (!response.isCommitted()) {
                HttpFiles.text(response, HttpServletResponse.SC_BAD_REQUEST, "Upload incomplete");
            }
            return;
        }
        try (staged) {
            rooms.share(uploader, name, staged);
        } catch (UploadRefused refused) {
            LOG.info(() -> "file sharing by " + uploader + " refused: " + refused.getMessage());
            HttpFiles.text(response, refused.status(), refused.getMessage());
            return;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "file shared by " + uploader + " not stored", e);
            HttpFiles.text(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "File not stored");
            return;
        }
        HttpFiles.text(response, HttpServletResponse.SC_OK, "OK");
    }

    /**
     * Who shares: the admitted publisher {@code session} of room {@code uri} (spec §4.10.5), when the upload comes
     * from its connection's address.
     *
     * @param name the file name made safe, null when nothing usable was left of it
     * @throws UploadRefused 403 for a bad room or file name, a session that is not a publisher of that room, or an
     *                       upload from elsewhere than its connection
     */
    static RoomMember uploader(VideoRooms rooms, String uri, String session, String name, String clientAddress)
            throws UploadRefused {
        if (!SipAor.Syntax.isValid(uri) || name == null) {
            throw new UploadRefused(HttpServletResponse.SC_FORBIDDEN, "Invalid room or file name");
        }
        RoomMember uploader = rooms.publisher(SipAor.Syntax.strip(uri), session);
        if (uploader == null) {
            throw new UploadRefused(HttpServletResponse.SC_FORBIDDEN, "Session " + session
                    + " is not a publisher in room " + uri);
        }
        if (uploader.connection == null || !uploader.connection.address().equals(clientAddress)) {
            throw new UploadRefused(HttpServletResponse.SC_FORBIDDEN, "Session " + session
                    + " has no sylkRTC connection from " + clientAddress);
        }
        return uploader;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] segments = HttpFiles.segments(request);
        VideoRooms rooms = running(response);
        if (rooms == null) {
            return;
        }
        Path file = segments.length == 3 && SipAor.Syntax.isValid(segments[0])
                ? rooms.files().find(SipAor.Syntax.strip(segments[0]), segments[1], segments[2]) : null;
        if (file == null) {
            HttpFiles.text(response, HttpServletResponse.SC_NOT_FOUND, "Not Found");
            return;
        }
        HttpFiles.download(file, segments[2], false, request, response);
    }

    /** The running gateway's video rooms, or null after a 503 while it is not running or shares no files. */
    private VideoRooms running(HttpServletResponse response) throws IOException {
        VideoRooms rooms = Gateway.of(getServletContext()).rooms();
        if (rooms.files().enabled()) {
            return rooms;
        }
        response.setHeader("Connection", "close");
        HttpFiles.text(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Room file sharing not running");
        return null;
    }
}
