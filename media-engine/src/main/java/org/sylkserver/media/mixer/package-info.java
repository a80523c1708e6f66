/**
 * The conference mixer: N-party audio in 20 ms frames at 48 kHz with mix-minus, shared encoders for listeners who
 * hear the same mix, audio levels (RFC 6464 units) and an active-speaker signal, and prompts played to a room or
 * to one participant.
 */
package org.sylkserver.media.mixer;
