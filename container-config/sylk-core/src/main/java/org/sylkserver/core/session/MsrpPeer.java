package org.sylkserver.core.session;

import java.util.List;

import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * The other side of an MSRP stream as its SDP gave it.
 *
 * @param path      its {@code a=path} (RFC 4975 §8.1), first hop first
 * @param toPath    the To-Path of our requests to it (through the relay's Use-Path when there is one, RFC 4976)
 * @param weConnect we open the connection (RFC 6135 active role)
 */
public record MsrpPeer(List<MsrpUri> path, List<MsrpUri> toPath, boolean weConnect) {
}
