package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import javax.json.JsonObject;
import javax.json.bind.JsonbBuilder;

import org.eclipse.yasson.YassonJsonb;
import org.junit.jupiter.api.Test;
import org.sylkserver.webrtc.api.AccountMessageRequest;
import org.sylkserver.webrtc.api.AccountSyncConversationsRequest;
import org.sylkserver.webrtc.api.AccountUpdateAddressbookRequest;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SessionCreateRequest;
import org.sylkserver.webrtc.api.SessionTrickleRequest;
import org.sylkserver.webrtc.api.SylkRtcRequest;
import org.sylkserver.webrtc.api.VideoroomInviteRequest;
import org.sylkserver.webrtc.api.VideoroomSessionUpdateRequest;

/**
 * spec §4.3/§4.4: a request is bound from the tree the schema check read, or from its text when its class holds a
 * free-form object; either way to what binding its text gives.
 */
class RequestBindingTest {

    private static final YassonJsonb JSONB = (YassonJsonb) JsonbBuilder.create();

    private static JsonObject parse(String text) {
        return JsonP.PROVIDER.createReader(new StringReader(text)).readObject();
    }

    /** The request as the catalogue binds it for its handler. */
    private static <R extends SylkRtcRequest> R bound(String sylkrtc, Class<R> type, String text) throws RequestError {
        List<R> handled = new ArrayList<>();
        new RequestCatalogue().add(sylkrtc, type, (connection, request) -> handled.add(request))
                .dispatch(null, parse(text), JSONB);
        assertEquals(1, handled.size());
        return handled.get(0);
    }

    private static <R extends SylkRtcRequest> void bindsAsItsText(String sylkrtc, Class<R> type, String text)
            throws RequestError {
        assertEquals(JSONB.toJson(JSONB.fromJson(text, type)), JSONB.toJson(bound(sylkrtc, type, text)), text);
    }

    @Test
    void everyKindOfPropertyIsBoundAsFromItsText_spec_4_4() throws RequestError {
        bindsAsItsText(AccountMessageRequest.TYPE, AccountMessageRequest.class, "{\"sylkrtc\":\"account-message\","
                + "\"transaction\":\"t1\",\"account\":\"sip:alice@example.com\",\"uri\":\"SIPS:bob@example.com\","
                + "\"message_id\":\"m\\\"1\",\"content\":\"H\\u00e9llo \\ud83d\\ude00\\n\\\\ \\/\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2026-01-01T10:00:00.000Z\",\"server_generated\":true,"
                + "\"unknown\":{\"x\":[1,2]}}");
        bindsAsItsText(AccountSyncConversationsRequest.TYPE, AccountSyncConversationsRequest.class,
                "{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"t2\",\"account\":\"alice@example.com\","
                        + "\"message_id\":null,\"limit\":5000}");
        bindsAsItsText(SessionCreateRequest.TYPE, SessionCreateRequest.class, "{\"sylkrtc\":\"session-create\","
                + "\"transaction\":\"t3\",\"session\":\"s1\",\"account\":\"alice@example.com\",\"uri\":\"bob@example.com\","
                + "\"sdp\":\"v=0\\r\\n\",\"headers\":[{\"name\":\"X-A\",\"value\":\"1\"},{\"name\":\"X-B\",\"value\":\"\"}]}");
        bindsAsItsText(SessionTrickleRequest.TYPE, SessionTrickleRequest.class, "{\"sylkrtc\":\"session-trickle\","
                + "\"transaction\":\"t4\",\"session\":\"s1\",\"candidates\":[{\"candidate\":\"candidate:1 1 udp 1 "
                + "192.0.2.1 4000 typ host\",\"sdpMLineIndex\":0,\"sdpMid\":\"0\"},{\"candidate\":\"\",\"sdpMLineIndex\":1,\"sdpMid\":null}]}");
        bindsAsItsText(VideoroomSessionUpdateRequest.TYPE, VideoroomSessionUpdateRequest.class,
                "{\"sylkrtc\":\"videoroom-session-update\",\"transaction\":\"t5\",\"session\":\"s1\","
                        + "\"options\":{\"audio\":false,\"video\":true,\"bitrate\":2147483647}}");
        bindsAsItsText(VideoroomInviteRequest.TYPE, VideoroomInviteRequest.class, "{\"sylkrtc\":\"videoroom-invite\","
                + "\"transaction\":\"t6\",\"session\":\"s1\",\"participants\":[\"a@example.com\",\"b@example.com\"]}");
    }

    /** spec §4.14: {@code data} is free-form; Yasson cannot fill such a property from a tree (session 20). */
    @Test
    void aFreeFormObjectIsBoundFromText_spec_4_14() throws RequestError {
        assertTrue(RequestSchema.holdsFreeFormObject(AccountUpdateAddressbookRequest.class));
        assertTrue(RequestSchema.holdsFreeFormObject(RequestSchemaTest.SessionCreateRequest.class));
        assertFalse(RequestSchema.holdsFreeFormObject(AccountMessageRequest.class));
        assertFalse(RequestSchema.holdsFreeFormObject(SessionTrickleRequest.class));
        assertFalse(RequestSchema.holdsFreeFormObject(VideoroomSessionUpdateRequest.class));
        AccountUpdateAddressbookRequest update = bound(AccountUpdateAddressbookRequest.TYPE,
                AccountUpdateAddressbookRequest.class, "{\"sylkrtc\":\"account-update-addressbook\",\"transaction\":"
                        + "\"u1\",\"account\":\"alice@example.com\",\"action\":\"add\",\"type\":\"contact\","
                        + "\"data\":{\"id\":\"c1\",\"attributes\":{\"favorite\":true}}}");
        assertEquals(parse("{\"id\":\"c1\",\"attributes\":{\"favorite\":true}}"), update.getData());
    }
}
