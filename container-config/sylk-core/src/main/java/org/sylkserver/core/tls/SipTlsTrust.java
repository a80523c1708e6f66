package org.sylkserver.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Properties;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import gov.nist.core.net.SecurityManagerProvider;

/**
 * The key and trust managers of JAIN-SIP's TLS listener and connections ({@code gov.nist.javax.sip
 * .SECURITY_MANAGER_PROVIDER}), from the stack properties {@code javax.net.ssl.keyStore*} (the server certificate)
 * and {@code javax.net.ssl.trustStore*} (the authorities of {@code [Server] ca_file}, present only with
 * {@code verify_server = true}).
 *
 * <p>Connections we open check the server's chain against those authorities ({@link SipServerIdentity} then checks
 * its name); without them any server is accepted. Clients that connect to us are never refused for their
 * certificate: {@code verify_server} is about servers (spec §8.1), and phones commonly present self-signed ones.
 * JAIN-SIP's own provider, by contrast, uses one trust store for both directions.
 */
public final class SipTlsTrust implements SecurityManagerProvider {

    private KeyManager[] keyManagers;
    private TrustManager[] serverTrust;

    @Override
    public void init(Properties properties) throws GeneralSecurityException, IOException {
        KeyStore keys = load(properties, "javax.net.ssl.keyStore");
        KeyManagerFactory keyFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyFactory.init(keys, properties.getProperty("javax.net.ssl.keyStorePassword", "").toCharArray());
        keyManagers = keyFactory.getKeyManagers();
        if (properties.getProperty("javax.net.ssl.trustStore") != null) {
            TrustManagerFactory trustFactory = TrustManagerFactory.getInstance("PKIX");
            trustFactory.init(load(properties, "javax.net.ssl.trustStore"));
            serverTrust = trustFactory.getTrustManagers();
        } else {
            serverTrust = new TrustManager[] {PeerVerification.ANY_PEER};
        }
    }

    private static KeyStore load(Properties properties, String prefix) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(properties.getProperty(prefix + "Type", "PKCS12"));
        try (InputStream in = Files.newInputStream(Path.of(properties.getProperty(prefix)))) {
            store.load(in, properties.getProperty(prefix + "Password", "").toCharArray());
        }
        return store;
    }

    @Override
    public KeyManager[] getKeyManagers(boolean client) {
        return keyManagers;
    }

    /** For our outgoing connections ({@code client}): the servers' check; for the listener: any client. */
    @Override
    public TrustManager[] getTrustManagers(boolean client) {
        return client ? serverTrust : new TrustManager[] {PeerVerification.ANY_PEER};
    }
}
