package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StringReader;
import java.util.List;
import java.util.stream.Stream;

import javax.json.Json;
import javax.json.JsonObject;
import javax.json.bind.JsonbBuilder;
import javax.json.bind.annotation.JsonbProperty;

import org.junit.jupiter.api.Test;
import org.sylkserver.webrtc.api.Mandatory;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SylkRtcRequest;

/** Schema violations are answered with the original's wording (spec §4.3), checked against the JSON-B class. */
class RequestSchemaTest {

    /** Shaped like {@code session-create} and {@code session-trickle} of spec §4.4. */
    public static class SessionCreateRequest extends SylkRtcRequest {
        @Mandatory
        private String sdp;
        @JsonbProperty("display_name")
        private String displayName;
        private Integer duration;
        private boolean video;
        private List<Candidate> candidates;
        private JsonObject data;

        public SessionCreateRequest() {
            super("session-create");
        }

        public String getSdp() {
            return sdp;
        }

        public void setSdp(String sdp) {
            this.sdp = sdp;
        }

        public String getDisplayName() {
            return displayName;
        }

        public void setDisplayName(String displayName) {
            this.displayName = displayName;
        }

        public Integer getDuration() {
            return duration;
        }

        public void setDuration(Integer duration) {
            this.duration = duration;
        }

        public boolean isVideo() {
            return video;
        }

        public void setVideo(boolean video) {
            this.video = video;
        }

        public List<Candidate> getCandidates() {
            return candidates;
        }

        public void setCandidates(List<Candidate> candidates) {
            this.candidates = candidates;
        }

        public JsonObject getData() {
            return data;
        }

        public void setData(JsonObject data) {
            this.data = data;
        }
    }

    /** A nested object. */
    public static class Candidate {
        @Mandatory
        private String candidate;
        private int sdpMLineIndex;

        public String getCandidate() {
            return candidate;
        }

        public void setCandidate(String candidate) {
            this.candidate = candidate;
        }

        public int getSdpMLineIndex() {
            return sdpMLineIndex;
        }

        public void setSdpMLineIndex(int sdpMLineIndex) {
            this.sdpMLineIndex = sdpMLineIndex;
        }
    }

    private static String violation(String json) {
        JsonObject object = Json.createReader(new StringReader(json)).readObject();
        return assertThrows(RequestError.class, () -> RequestSchema.check(object, SessionCreateRequest.class)).getMessage();
    }

    private static SessionCreateRequest valid(String json) {
        JsonObject object = Json.createReader(new StringReader(json)).readObject();
        assertDoesNotThrow(() -> RequestSchema.check(object, SessionCreateRequest.class));
        return JsonbBuilder.create().fromJson(json, SessionCreateRequest.class);
    }

    @Test
    void missingMandatoryPropertyNamesItAndTheClass() {
        assertEquals("Mandatory property 'sdp' of 'SessionCreateRequest' object is missing", violation("{}"));
        assertEquals("Mandatory property 'sdp' of 'SessionCreateRequest' object is missing", violation("{\"sdp\":null}"));
    }

    @Test
    void missingMandatoryPropertyOfANestedObjectNamesTheNestedClass() {
        assertEquals("Mandatory property 'candidate' of 'Candidate' object is missing",
                violation("{\"sdp\":\"v=0\",\"candidates\":[{\"candidate\":\"a\"},{\"sdpMLineIndex\":0}]}"));
    }

    @Test
    void wrongJsonTypesAreInvalidValues() {
        assertEquals("Invalid value for 'sdp' property: 42 (expected: string)", violation("{\"sdp\":42}"));
        assertEquals("Invalid value for 'display_name' property: true (expected: string)",
                violation("{\"sdp\":\"v=0\",\"display_name\":true}"));
        assertEquals("Invalid value for 'duration' property: 1.5 (expected: integer)", violation("{\"sdp\":\"v=0\",\"duration\":1.5}"));
        assertEquals("Invalid value for 'duration' property: 4294967296 (expected: integer)",
                violation("{\"sdp\":\"v=0\",\"duration\":4294967296}"));
        assertEquals("Invalid value for 'video' property: 'yes' (expected: boolean)", violation("{\"sdp\":\"v=0\",\"video\":\"yes\"}"));
        assertEquals("Invalid value for 'candidates' property: {} (expected: array)", violation("{\"sdp\":\"v=0\",\"candidates\":{}}"));
        assertEquals("Invalid value for 'candidates' property: 'a' (expected: object)",
                violation("{\"sdp\":\"v=0\",\"candidates\":[\"a\"]}"));
        assertEquals("Invalid value for 'sdpMLineIndex' property: '0' (expected: integer)",
                violation("{\"sdp\":\"v=0\",\"candidates\":[{\"candidate\":\"a\",\"sdpMLineIndex\":\"0\"}]}"));
        assertEquals("Invalid value for 'data' property: [] (expected: object)", violation("{\"sdp\":\"v=0\",\"data\":[]}"));
    }

    @Test
    void longValuesAreCutInTheErrorText() {
        String message = violation("{\"sdp\":\"v=0\",\"video\":\"" + "y".repeat(500) + "\"}");
        assertEquals("Invalid value for 'video' property: '" + "y".repeat(99) + "... (expected: boolean)", message);
    }

    @Test
    void aValidRequestBindsWithItsWireNames() {
        SessionCreateRequest request = valid("{\"sylkrtc\":\"session-create\",\"transaction\":\"t\",\"sdp\":\"v=0\","
                + "\"display_name\":\"Alice\",\"duration\":100,\"video\":true,\"data\":{\"k\":[1]},\"unknown\":1,"
                + "\"candidates\":[{\"candidate\":\"candidate:1 1 udp 1 192.0.2.1 5000 typ host\",\"sdpMLineIndex\":1}]}");
        assertEquals("t", request.getTransaction());
        assertEquals("session-create", request.getSylkrtc());
        assertEquals("Alice", request.getDisplayName());
        assertEquals(100, request.getDuration());
        assertEquals(1, request.getCandidates().get(0).getSdpMLineIndex());
        assertEquals("{\"k\":[1]}", request.getData().toString());
    }

    /** The fields of a class are read by reflection once, not for every request (issue 14, session 23). */
    @Test
    void aClassIsReadOnceInDeclarationOrder() {
        List<RequestSchema.Property> properties = List.of(RequestSchema.PROPERTIES.get(SessionCreateRequest.class));
        assertSame(RequestSchema.PROPERTIES.get(SessionCreateRequest.class),
                RequestSchema.PROPERTIES.get(SessionCreateRequest.class));
        assertEquals(List.of("sdp", "display_name", "duration", "video", "candidates", "data"),
                properties.stream().map(RequestSchema.Property::name).toList());
        assertEquals(List.of(true, false, false, false, false, false),
                properties.stream().map(RequestSchema.Property::mandatory).toList());
        assertEquals(List.of("candidate", "sdpMLineIndex"),
                Stream.of(RequestSchema.PROPERTIES.get(Candidate.class)).map(RequestSchema.Property::name).toList());
    }
}
