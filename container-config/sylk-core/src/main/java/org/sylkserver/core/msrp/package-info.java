/**
 * An application's MSRP plumbing (RFC 4975), shared by the applications that take MSRP sessions (the conference's
 * rooms, the gateway's file transfers): how their sessions reach peers (directly or through the operator's relay,
 * RFC 4976), the TLS context and the wire trace. The sessions themselves are the applications'.
 */
package org.sylkserver.core.msrp;
