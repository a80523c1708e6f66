/**
 * The conference's MSRP plumbing (RFC 4975): how its sessions reach participants (directly or through the operator's
 * relay, RFC 4976), its TLS context and its wire trace. The chat and file sessions themselves are the rooms'.
 */
package org.sylkserver.conference.msrp;
