package org.sylkserver.webrtc.messaging;

import java.time.Instant;

/**
 * What the store keeps of an account besides its journal, keys and tokens (spec §4.8.6 {@code chat_accounts}).
 *
 * @param account         {@code user@domain}
 * @param lastLogin       when it last registered or asked for a token, or null
 * @param apiToken        its history API token, or null
 * @param apiTokenExpires when that token stops being valid, or null
 */
public record AccountRecord(String account, Instant lastLogin, String apiToken, Instant apiTokenExpires) {
}
