package org.sylkserver.xmpp.s2s;

/**
 * A stanza on its way to a remote server, as queued on a link and on its connection.
 *
 * @param xml    the stanza
 * @param resent whether it is on its second link already (the first ended before writing it): a stanza is sent
 *               again at most once, then bounced
 */
record Outgoing(String xml, boolean resent) {
}
