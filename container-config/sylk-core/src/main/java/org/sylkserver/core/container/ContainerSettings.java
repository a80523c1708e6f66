package org.sylkserver.core.container;

import java.nio.file.Path;
import java.util.List;

import org.sylkserver.core.config.SipConnections;

/**
 * What the generated Tomcat/Restcomm configuration needs to know, taken from {@code config.ini} by the launcher.
 *
 * @param sipAddress  IP address the SIP connectors bind to and advertise
 * @param udpPort     SIP over UDP port, or {@code null} when UDP is disabled
 * @param tcpPort     SIP over TCP port, or {@code null} when disabled
 * @param tlsPort     SIP over TLS port, or {@code null} when disabled (or no certificate)
 * @param webAddress  IP address of the HTTP/WebSocket connector
 * @param webPort     HTTP/WebSocket port
 * @param keyStore    PKCS#12 key store with the server certificate, used by SIP over TLS
 * @param keyStorePassword its password
 * @param sipTrace    the file SIP messages are traced to, or {@code null} when {@code trace_sip} is off
 * @param darProperties text of {@code dar.properties}
 * @param archives    application archives to deploy at start
 * @param sipConnections limits on SIP over TCP and TLS
 * @param webKeyStore PKCS#12 key store of {@code [WebServer] certificate}: the web server speaks HTTPS and WSS;
 *                    {@code null} for plain HTTP
 * @param webKeyStorePassword its password
 * @param peerTrustStore PKCS#12 store of the {@code [Server] ca_file} authorities that the SIP/TLS servers we connect
 *                    to must be certified by ({@code verify_server = true}; password
 *                    {@link org.sylkserver.core.tls.PeerVerification#TRUST_STORE_PASSWORD}); {@code null}: any server
 */
public record ContainerSettings(String sipAddress, Integer udpPort, Integer tcpPort, Integer tlsPort,
                                String webAddress, int webPort, Path keyStore, String keyStorePassword,
                                Path sipTrace, String darProperties, List<Path> archives,
                                SipConnections sipConnections, Path webKeyStore, String webKeyStorePassword,
                                Path peerTrustStore) {
}
