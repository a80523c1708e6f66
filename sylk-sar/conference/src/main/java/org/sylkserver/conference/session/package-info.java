/**
 * The conference's side of a call's media (spec §3.2): which streams a room takes from an offer and how they are
 * opened, over {@code org.sylkserver.core.session}. The calls themselves (their SIP states, their place in a room)
 * are the conference's {@code ConferenceCall}s; this package depends on the chat, never on the rooms.
 */
package org.sylkserver.conference.session;
