package org.sylkserver.media.dtls;

/** Our end of a DTLS-SRTP handshake, either role: the keys it exported once the handshake completed. */
interface SrtpDtlsPeer {
    /** The exported keys, or null before the handshake completed. */
    DtlsSrtpKeys keys();
}
