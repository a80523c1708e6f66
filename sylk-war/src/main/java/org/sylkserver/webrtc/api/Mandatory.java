package org.sylkserver.webrtc.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a request property the client must send (the "M" of spec §4.4). JSON-B has no notion of a required
 * property, so the server checks these before binding and answers
 * {@code Mandatory property '<name>' of '<Class>' object is missing}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Mandatory {
}
