package org.sylkserver.core;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

import org.apache.catalina.LifecycleState;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Catalina;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.DarPropertiesGenerator;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.container.ContainerBase;
import org.sylkserver.core.container.ContainerSettings;
import org.sylkserver.core.container.SylkApplicationRouterProvider;
import org.sylkserver.core.container.WebSocketFrameGuard;
import org.sylkserver.core.tls.PeerVerification;
import org.sylkserver.core.tls.ServerCertificate;

/**
 * {@code sylk-server}: reads the configuration, prepares the container's files and runs Tomcat with Restcomm
 * SIP Servlets in this JVM until it is stopped (SIGINT/SIGTERM run Tomcat's shutdown hook).
 *
 * <p>Start-up fails, with a message naming the file, option and value, on any configuration error; it also
 * fails when a listening port cannot be opened, rather than running half a server.
 */
public final class SylkServer {

    private static final Logger LOG = Logger.getLogger("sylk.core");

    private final CommandLine options;
    private final Path home;

    private SylkServer(CommandLine options, Path home) {
        this.options = options;
        this.home = home;
    }

    public static void main(String[] args) {
        ServerLogging.prepare();
        CommandLine options;
        try {
            options = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sylk-server: " + e.getMessage());
            System.err.println("Try 'sylk-server --help'.");
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(CommandLine.USAGE);
            return;
        }
        if (options.version()) {
            System.out.println("SylkServer " + Version.current());
            return;
        }
        int status = new SylkServer(options, home()).run(System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    private int run(PrintStream err) {
        ServerConfig config;
        try {
            config = ServerConfig.load(options.configDir(), options.varDir(), options.overrides());
        } catch (ConfigException e) {
            err.println("sylk-server: " + e.getMessage());
            err.println("SylkServer failed to start: configuration error");
            return 2;
        }
        ServerLogging.configure(options.debug() ? "debug" : config.server().logLevel());
        try {
            Catalina catalina = start(config);
            catalina.getServer().await();
            return 0;
        } catch (ConfigException e) {
            err.println("sylk-server: " + e.getMessage());
            err.println("SylkServer failed to start: configuration error");
            return 2;
        } catch (IOException e) {
            LOG.severe("SylkServer failed to start: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            LOG.log(java.util.logging.Level.SEVERE, "SylkServer failed to start: " + e.getMessage(), e);
            return 1;
        }
    }

    private Catalina start(ServerConfig config) throws Exception {
        LOG.info("SylkServer " + Version.current() + " starting; configuration " + describeConfigSource()
                + ", data in " + options.varDir());
        Path webappsHome = home.resolve("webapps");
        Set<String> installed = installedApplications(webappsHome, config);
        ContainerBase base = new ContainerBase(options.varDir().resolve("container"));

        ServerCertificate certificate = ServerCertificate.obtain(config);
        LOG.info("TLS certificate " + certificate.subject() + " (SHA-256 " + certificate.fingerprint() + ")");
        PeerVerification peers = PeerVerification.of(config);
        Path peerTrustStore = null;
        if (peers.enabled()) {
            peerTrustStore = config.server().spoolDir().resolve("tls/sip-ca.p12");
            peers.writeTrustStore(peerTrustStore);
            LOG.info("TLS peers verified against " + config.server().caFile() + " (verify_server)");
        }
        ServerCertificate web = ServerCertificate.web(config);
        if (web != null) {
            LOG.info("web server over HTTPS/WSS with " + web.subject() + " (SHA-256 " + web.fingerprint() + ")");
        }

        Path customDar = options.configDir().resolve("dar.properties");
        String dar = Files.isRegularFile(customDar)
                ? Files.readString(customDar)
                : new DarPropertiesGenerator(config, installed).generate();
        if (Files.isRegularFile(customDar)) {
            LOG.info("application routing from " + customDar + " (not generated from application_map)");
        }

        List<Path> archives = new ArrayList<>();
        if (!"none".equals(System.getProperty("sylk.deploy"))) {
            for (String name : installed) {
                archives.add(webappsHome.resolve(name + ".war"));
            }
        }
        var sip = config.sip();
        Path trace = config.server().traceSip() ? config.server().traceDir().resolve("sip_trace.log") : null;
        if (trace != null) {
            Files.createDirectories(trace.getParent());
            LOG.info("SIP trace in " + trace);
        }
        base.write(new ContainerSettings(sip.localIp().getHostAddress(),
                sip.udpPort().isPresent() ? sip.udpPort().getAsInt() : null,
                sip.tcpPort().isPresent() ? sip.tcpPort().getAsInt() : null,
                sip.tlsPort().isPresent() ? sip.tlsPort().getAsInt() : null,
                config.webServer().localIp() != null ? config.webServer().localIp().getHostAddress() : "0.0.0.0",
                config.webServer().localPort(),
                certificate.keyStore(), certificate.keyStorePassword(), trace, dar, archives, sip.connections(),
                web != null ? web.keyStore() : null, web != null ? web.keyStorePassword() : null, peerTrustStore));

        checkPortsFree(config);
        SylkRuntime.install(new SylkRuntime(config, options.configDir(), options.varDir()));
        System.setProperty("catalina.home", home.toString());
        System.setProperty("catalina.base", base.directory().toString());
        System.setProperty("javax.servlet.sip.ar.spi.SipApplicationRouterProvider",
                SylkApplicationRouterProvider.class.getName());
        System.setProperty("javax.servlet.sip.dar", base.darFile().toUri().toString());
        System.setProperty("org.apache.catalina.startup.EXIT_ON_INIT_FAILURE", "false");

        WebSocketFrameGuard.install();
        Catalina catalina = new Catalina();
        catalina.setParentClassLoader(SylkServer.class.getClassLoader());
        catalina.setConfigFile(base.directory().resolve("conf/server.xml").toString());
        catalina.setAwait(false);
        catalina.load();
        catalina.getServer().addLifecycleListener(event -> {
            if (org.apache.catalina.Lifecycle.AFTER_STOP_EVENT.equals(event.getType())) {
                SylkRuntime.get().shutdown();
                LOG.info("SylkServer stopped");
            }
        });
        catalina.start();
        checkStarted(catalina);
        writePid();
        LOG.info("SylkServer " + Version.current() + " started: " + describeListeners(catalina)
                + "; applications: " + String.join(", ", installed));
        return catalina;
    }

    private static void checkStarted(Catalina catalina) {
        if (catalina.getServer() == null || catalina.getServer().getState() != LifecycleState.STARTED) {
            throw new IllegalStateException("the container did not start (see the messages above)");
        }
        for (Service service : catalina.getServer().findServices()) {
            for (Connector connector : service.findConnectors()) {
                if (connector.getState() != LifecycleState.STARTED) {
                    catalina.stop();
                    throw new IllegalStateException("cannot listen on " + describe(connector)
                            + " (port in use or address not local?)");
                }
            }
        }
    }

    /**
     * Fails with the listener named when a port is taken: Restcomm logs a SIP bind failure and carries on
     * without that transport, which would leave a server that looks started but is deaf.
     */
    private static void checkPortsFree(ServerConfig config) throws IOException {
        java.net.InetAddress sip = config.sip().localIp();
        if (config.sip().udpPort().isPresent()) {
            try (java.net.DatagramSocket udp = new java.net.DatagramSocket(
                    new java.net.InetSocketAddress(sip, config.sip().udpPort().getAsInt()))) {
                udp.getLocalPort();
            } catch (IOException e) {
                throw new IOException("cannot listen on SIP/UDP " + sip.getHostAddress() + ":" + config.sip().udpPort().getAsInt()
                        + ": " + e.getMessage(), e);
            }
        }
        checkTcp("SIP/TCP", sip, config.sip().tcpPort());
        checkTcp("SIP/TLS", sip, config.sip().tlsPort());
        java.net.InetAddress web = config.webServer().localIp();
        checkTcp("HTTP", web != null ? web : java.net.InetAddress.getByName("0.0.0.0"),
                java.util.OptionalInt.of(config.webServer().localPort()));
    }

    private static void checkTcp(String what, java.net.InetAddress address, java.util.OptionalInt port) throws IOException {
        if (port.isEmpty() || port.getAsInt() == 0) {
            return;
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(address, port.getAsInt()));
        } catch (IOException e) {
            throw new IOException("cannot listen on " + what + " " + address.getHostAddress() + ":" + port.getAsInt()
                    + ": " + e.getMessage(), e);
        }
    }

    private static String describeListeners(Catalina catalina) {
        List<String> listeners = new ArrayList<>();
        for (Service service : catalina.getServer().findServices()) {
            for (Connector connector : service.findConnectors()) {
                listeners.add(describe(connector));
            }
        }
        return String.join(", ", listeners);
    }

    private static String describe(Connector connector) {
        Object transport = connector.getProperty("signalingTransport");
        Object address = connector.getProperty(transport != null ? "ipAddress" : "address");
        String host = address instanceof java.net.InetAddress ip ? ip.getHostAddress()
                : address != null ? address.toString() : "0.0.0.0";
        String scheme = transport != null ? "SIP/" + transport.toString().toUpperCase() : "HTTP";
        return scheme + " " + host + ":" + connector.getPort();
    }

    /**
     * The applications this server runs: the archives shipped in the distribution's {@code webapps} directory,
     * less {@code disabled_applications}.
     */
    private static Set<String> installedApplications(Path webapps, ServerConfig config) throws IOException {
        Set<String> names = new TreeSet<>();
        if (Files.isDirectory(webapps)) {
            try (DirectoryStream<Path> archives = Files.newDirectoryStream(webapps, "*.war")) {
                for (Path archive : archives) {
                    String file = archive.getFileName().toString();
                    names.add(file.substring(0, file.length() - ".war".length()));
                }
            }
        }
        for (String disabled : config.server().disabledApplications()) {
            if (names.remove(disabled)) {
                LOG.info("application " + disabled + " disabled by disabled_applications");
            }
        }
        return names;
    }

    private String describeConfigSource() {
        Path file = options.configDir().resolve("config.ini");
        return Files.isRegularFile(file) ? file.toString() : "built-in defaults (no " + file + ")";
    }

    private void writePid() throws IOException {
        Files.createDirectories(options.runtimeDir());
        Path pidFile = options.runtimeDir().resolve("sylk-server.pid");
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        pidFile.toFile().deleteOnExit();
    }

    /** The distribution directory: {@code -Dsylk.home}, else the parent of the directory holding this jar. */
    private static Path home() {
        String property = System.getProperty("sylk.home");
        if (property != null) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        try {
            Path jar = Path.of(SylkServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (Exception e) {
            return Path.of(".").toAbsolutePath().normalize();
        }
    }
}
