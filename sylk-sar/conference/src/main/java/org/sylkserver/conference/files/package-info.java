/**
 * The rooms' files (spec §3.5): what a room stores and lists, uploads and downloads over MSRP (RFC 4975, RFC 5547
 * file selectors), the disk quota shared by the rooms, and the per-room directory name that file transfer and screen
 * sharing both use.
 */
package org.sylkserver.conference.files;
