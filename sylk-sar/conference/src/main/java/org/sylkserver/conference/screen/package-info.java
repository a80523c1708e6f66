/**
 * Screen sharing in a room (spec §3.7): the frames a participant sends over its chat, stored one file per sender,
 * and each sender's IDLE/ACTIVE state. Depends on the chat (who sent a frame) and on the rooms' directory names.
 */
package org.sylkserver.conference.screen;
