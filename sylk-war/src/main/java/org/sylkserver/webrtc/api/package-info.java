/**
 * The sylkRTC-2 message model (spec §4.3-4.5): one JSON-B class per request, response and event, bound with
 * Eclipse Yasson and shared by the server and its tests.
 *
 * <p>Serialization omits properties that were never set (JSON-B's default for null values), as the original
 * does for optional properties; a property the original sends as an explicit {@code null} (quirk Q5, e.g.
 * {@code display_name}) is annotated {@code @JsonbProperty(nillable = true)}. Requests name their mandatory
 * properties with {@link org.sylkserver.webrtc.api.Mandatory}; property names on the wire are the field names
 * or their {@code @JsonbProperty} value.
 */
package org.sylkserver.webrtc.api;
