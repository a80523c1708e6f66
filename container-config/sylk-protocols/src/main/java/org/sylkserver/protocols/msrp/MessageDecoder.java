package org.sylkserver.protocols.msrp;

import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * The second half of {@link MsrpParser}: turns the lines and body of a message the parser has framed into an
 * {@link MsrpRequest} or {@link MsrpResponse}, checking RFC 4975 §9. Every error found here leaves the framing intact,
 * so that the connection answers the message (400) and reads on.
 */
final class MessageDecoder {

    private MessageDecoder() {
    }

    /** Decodes and checks a complete message; every error here leaves the framing intact. */
    static MsrpMessage build(byte[] first, String id, List<byte[]> lines, byte[] body, Continuation flag)
            throws MalformedMsrpException {
        String start = decode(first, "start line");
        String rest = start.substring(("MSRP " + id + " ").length() - 1);
        boolean response = false;
        String method = null;
        int code = 0;
        String comment = null;
        if (rest.length() > 1 && rest.charAt(0) == ' ') {
            rest = rest.substring(1);
            if (rest.length() >= 3 && Syntax.isDigits(rest.substring(0, 3))
                    && (rest.length() == 3 || rest.charAt(3) == ' ')) {
                response = true;
                code = Integer.parseInt(rest.substring(0, 3));
                comment = rest.length() > 3 ? rest.substring(4) : null;
            } else {
                method = rest;
            }
        } else {
            throw new MalformedMsrpException("bad start line " + Syntax.show(start)
                    + " (expected 'MSRP <transaction-id> <METHOD>' or 'MSRP <transaction-id> <code> [comment]')");
        }
        if (!response && !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new MalformedMsrpException("bad start line " + Syntax.show(start) + ": method " + Syntax.show(method)
                    + " is not upper-case letters (RFC 4975 §9)");
        }

        List<MsrpUri> toPath = null;
        List<MsrpUri> fromPath = null;
        List<MsrpHeader> headers = new ArrayList<>();
        for (byte[] raw : lines) {
            String line = decode(raw, "header line");
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon);
            if (colon <= 0 || !Syntax.isToken(name) || !Character.isLetter(name.charAt(0))) {
                throw new MalformedMsrpException("malformed header line " + Syntax.show(line) + " in transaction '" + id
                        + "' (expected 'Name: value'; a body must follow an empty line, RFC 4975 §9)");
            }
            String value = line.substring(colon + 1).strip();
            if (!Syntax.isUtf8Text(value)) {
                throw new MalformedMsrpException("control character in header " + Syntax.show(line));
            }
            if (name.equalsIgnoreCase(Headers.TO_PATH) || name.equalsIgnoreCase(Headers.FROM_PATH)) {
                boolean to = name.equalsIgnoreCase(Headers.TO_PATH);
                if ((to ? toPath : fromPath) != null) {
                    throw new MalformedMsrpException("more than one " + name + " header in transaction '" + id + "'");
                }
                List<MsrpUri> path = new ArrayList<>();
                for (String uri : value.split("[ \t]+")) {
                    if (!uri.isEmpty()) {
                        path.add(MsrpUri.parse(uri));
                    }
                }
                if (to) {
                    toPath = path;
                } else {
                    fromPath = path;
                }
            } else {
                headers.add(new MsrpHeader(name, value));
            }
        }
        String kind = response ? "response" : method;
        if (toPath == null || toPath.isEmpty()) {
            throw new MalformedMsrpException(kind + " '" + id + "' has no To-Path (RFC 4975 §7.1)");
        }
        if (fromPath == null || fromPath.isEmpty()) {
            throw new MalformedMsrpException(kind + " '" + id + "' has no From-Path (RFC 4975 §7.1)");
        }
        if (response) {
            if (body != null) {
                throw new MalformedMsrpException("response '" + id + "' has a body (RFC 4975 §7.2: responses have none)");
            }
            MsrpResponse.check(id, code, comment, toPath, fromPath, headers);
            return new MsrpResponse(id, code, comment, toPath, fromPath, headers, flag);
        }
        MsrpRequest.check(id, method, toPath, fromPath, headers, body, flag);
        return new MsrpRequest(id, method, toPath, fromPath, headers, body, flag);
    }

    static String decode(byte[] bytes, String what) throws MalformedMsrpException {
        try {
            return Syntax.utf8(bytes);
        } catch (CharacterCodingException e) {
            throw new MalformedMsrpException(what + " " + Syntax.show(bytes, 0, bytes.length) + " is not UTF-8");
        }
    }
}
