package org.sylkserver.webrtc.messaging;

/**
 * A device's push parameters (spec §4.4 {@code account-devicetoken}, §4.8.6 {@code push_tokens}), one per account, app
 * and device.
 *
 * @param account         {@code user@domain}
 * @param appId           the app, e.g. {@code com.example.sylk}
 * @param deviceId        the device
 * @param platform        {@code ios}, {@code android}, ...
 * @param token           the push token
 * @param backgroundToken the iOS background (VoIP) token, or null
 * @param silent          whether pushes to it are silent
 * @param userAgent       the client's user agent, or null
 */
public record DeviceToken(String account, String appId, String deviceId, String platform, String token,
                          String backgroundToken, boolean silent, String userAgent) {
}
