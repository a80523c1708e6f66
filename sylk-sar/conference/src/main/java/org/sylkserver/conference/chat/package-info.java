/**
 * A room's chat (spec §3.4): the switching rules ({@link org.sylkserver.conference.chat.ChatSwitch}, no MSRP, no
 * SIP), each participant's MSRP chat session ({@link org.sylkserver.conference.chat.ChatMember}), how others can
 * join ({@link org.sylkserver.conference.chat.JoinInfo}) and how the room names a participant
 * ({@link org.sylkserver.conference.chat.Identity}). Depends on nothing else of the conference.
 */
package org.sylkserver.conference.chat;
