package org.sylkserver.it.container;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.container.spi.client.container.DeploymentException;
import org.jboss.arquillian.container.spi.client.container.LifecycleException;
import org.jboss.arquillian.container.spi.client.protocol.ProtocolDescription;
import org.jboss.arquillian.container.spi.client.protocol.metadata.HTTPContext;
import org.jboss.arquillian.container.spi.client.protocol.metadata.ProtocolMetaData;
import org.jboss.arquillian.container.spi.client.protocol.metadata.Servlet;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.Node;
import org.jboss.shrinkwrap.api.asset.ArchiveAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.descriptor.api.Descriptor;

/**
 * Arquillian container adapter for the assembled SylkServer (Tomcat 7 + Restcomm SIP Servlets).
 *
 * <p>{@link #start()} runs the real launcher ({@code org.sylkserver.core.SylkServer}) of the distribution in a
 * separate JVM with a fresh configuration and var directory and no application deployed. {@link #deploy} copies
 * the archive into the running container's {@code webapps} directory and asks Tomcat's deployer to look at it (the
 * server runs with {@code autoDeploy} off, as in production: see {@link Deployer}), then waits for Tomcat to report
 * the deployment; {@link #undeploy} removes it again the same way. The server's output goes to
 * {@code <workDir>/server.log}.
 */
public class SylkServerContainer implements DeployableContainer<SylkServerConfiguration> {

    private SylkServerConfiguration configuration;
    private Process process;
    private ServerLog serverLog;
    private Deployer deployer;

    @Override
    public Class<SylkServerConfiguration> getConfigurationClass() {
        return SylkServerConfiguration.class;
    }

    @Override
    public void setup(SylkServerConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public void start() throws LifecycleException {
        Path distribution = Path.of(configuration.getDistribution()).toAbsolutePath().normalize();
        if (!Files.isDirectory(distribution.resolve("lib"))) {
            throw new LifecycleException("no assembled server at " + distribution + " (run mvn package first)");
        }
        Path work = Path.of(configuration.getWorkDir()).toAbsolutePath().normalize();
        try {
            deleteTree(work);
            Files.createDirectories(work.resolve("config"));
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "@" + distribution.resolve("conf/jvm.options"),
                    "-Xmx512m",
                    "-Dsylk.home=" + distribution,
                    "-Dsylk.deploy=none",
                    // applications whose sip.xml sets no lifetime lose their sessions after 1 minute, not 3
                    // (LongLivedIT shows ours outlive it)
                    "-Dsylk.container.applicationSessionMinutes=1",
                    "-cp", distribution.resolve("lib") + "/*",
                    "org.sylkserver.core.SylkServer",
                    "--config-dir", work.resolve("config").toString(),
                    "--var-dir", work.resolve("var").toString(),
                    "--set", "SIP.local_ip=" + configuration.getBindAddress(),
                    "--set", "SIP.local_udp_port=" + configuration.getSipPort(),
                    "--set", "SIP.local_tcp_port=" + configuration.getSipPort(),
                    "--set", "SIP.local_tls_port=" + configuration.getTlsPort(),
                    "--set", "WebServer.local_ip=" + configuration.getBindAddress(),
                    "--set", "WebServer.local_port=" + configuration.getHttpPort()));
            for (String option : configuration.getOptions().split("\\|")) {
                if (!option.isBlank()) {
                    command.add("--set");
                    command.add(option.trim());
                }
            }
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            serverLog = new ServerLog(process, work.resolve("server.log"));
            serverLog.await(line -> line.contains("[sylk.core] SylkServer ") && line.contains(" started: "),
                    line -> line.contains("SylkServer failed") || line.startsWith("sylk-server: "),
                    configuration.getStartupTimeoutSeconds(), "server start-up");
        } catch (IOException | DeploymentException e) {
            stopQuietly();
            throw new LifecycleException("SylkServer did not start: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() throws LifecycleException {
        stopQuietly();
    }

    @Override
    public ProtocolDescription getDefaultProtocol() {
        return new ProtocolDescription("Local");
    }

    /**
     * Deploys a web archive, or each web archive of an enterprise archive (the set of applications the server ships,
     * {@code Archives.all()}) one after the other.
     */
    @Override
    public ProtocolMetaData deploy(Archive<?> archive) throws DeploymentException {
        HTTPContext http = new HTTPContext(configuration.getBindAddress(), configuration.getHttpPort());
        for (Archive<?> application : applications(archive)) {
            deployOne(application);
            http.add(new Servlet("default", "/" + contextName(application)));
        }
        return new ProtocolMetaData().addContext(http);
    }

    private static List<Archive<?>> applications(Archive<?> archive) {
        if (archive instanceof EnterpriseArchive) {
            List<Archive<?>> modules = new ArrayList<>();
            for (Node node : archive.getContent(path -> path.get().endsWith(".war")).values()) {
                modules.add(((ArchiveAsset) node.getAsset()).getArchive());
            }
            return modules;
        }
        return List.of(archive);
    }

    private void deployOne(Archive<?> archive) throws DeploymentException {
        Path target = webapps().resolve(warName(archive));
        archive.as(ZipExporter.class).exportTo(target.toFile(), true);
        boolean sip = archive.contains("WEB-INF/sip.xml");
        for (int attempt = 1; ; attempt++) {
            int mark = serverLog.mark();
            deployer().check("/" + contextName(archive));
            String path = target.toString();
            serverLog.awaitFrom(mark,
                    line -> line.contains("Deployment of web application archive " + path + " has finished"),
                    line -> line.contains("Error deploying web application archive " + path)
                            || line.contains("Error starting static Resources")
                            || line.contains("Context [/" + contextName(archive) + "] startup failed"),
                    60, "deployment of " + archive.getName());
            if (!sip || serverLog.containsFrom(mark, "Initializing the sip context /" + contextName(archive))) {
                return;
            }
            // Restcomm's SipHostConfig chooses the SIP context class in a field it shares with Tomcat's background
            // check of deployed applications (every second here); once in a while a test's deployment lost that race
            // and a SIP archive came up as a plain web application (its requests then got 404 Application not found)
            System.out.println("[sylk-it] " + archive.getName() + " was deployed without its SIP context (attempt "
                    + attempt + "); deploying it again");
            if (attempt == 3) {
                throw new DeploymentException(archive.getName() + " deployed without its SIP context 3 times");
            }
            undeployOne(archive);
            archive.as(ZipExporter.class).exportTo(target.toFile(), true);
        }
    }

    @Override
    public void undeploy(Archive<?> archive) throws DeploymentException {
        for (Archive<?> application : applications(archive)) {
            undeployOne(application);
        }
        clearConfiguration();
    }

    /**
     * Removes the configuration files the test class wrote before its deployment: the applications read them when
     * deployed, and the next class must start from the defaults, not from its predecessor's settings.
     */
    private void clearConfiguration() throws DeploymentException {
        Path config = Path.of(configuration.getWorkDir()).toAbsolutePath().normalize().resolve("config");
        try (var files = Files.list(config)) {
            for (Path file : files.toList()) {
                if (Files.isRegularFile(file)) {
                    Files.delete(file);
                }
            }
        } catch (IOException e) {
            throw new DeploymentException("cannot clear the configuration directory " + config, e);
        }
    }

    private void undeployOne(Archive<?> archive) throws DeploymentException {
        try {
            int mark = serverLog.mark();
            Files.deleteIfExists(webapps().resolve(warName(archive)));
            deployer().check("/" + contextName(archive));
            serverLog.awaitFrom(mark, line -> line.contains("Undeploying context [/" + contextName(archive) + "]"),
                    line -> false, 30, "undeployment of " + archive.getName());
        } catch (IOException e) {
            throw new DeploymentException("cannot undeploy " + archive.getName(), e);
        }
    }

    @Override
    public void deploy(Descriptor descriptor) {
        throw new UnsupportedOperationException("descriptors are not deployable to SylkServer");
    }

    @Override
    public void undeploy(Descriptor descriptor) {
        throw new UnsupportedOperationException("descriptors are not deployable to SylkServer");
    }

    /** The running server's deployer, reached over JMX on first use. */
    private Deployer deployer() throws DeploymentException {
        if (deployer == null) {
            deployer = Deployer.attach(process.pid());
        }
        return deployer;
    }

    private Path webapps() {
        return Path.of(configuration.getWorkDir()).toAbsolutePath().normalize().resolve("var/container/webapps");
    }

    private static String warName(Archive<?> archive) {
        return contextName(archive) + ".war";
    }

    private static String contextName(Archive<?> archive) {
        String name = archive.getName();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private void stopQuietly() {
        if (deployer != null) {
            deployer.close();
            deployer = null;
        }
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The server's output, copied to a file and kept in memory so deployments can wait for Tomcat's messages. */
    static final class ServerLog {
        private final List<String> lines = new ArrayList<>();

        ServerLog(Process process, Path file) throws IOException {
            PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        out.println(line);
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                } finally {
                    out.close();
                }
            }, "sylk-server-log");
            reader.setDaemon(true);
            reader.start();
        }

        boolean containsFrom(int from, String text) {
            synchronized (lines) {
                for (int i = from; i < lines.size(); i++) {
                    if (lines.get(i).contains(text)) {
                        return true;
                    }
                }
                return false;
            }
        }

        int mark() {
            synchronized (lines) {
                return lines.size();
            }
        }

        void await(Predicate<String> success, Predicate<String> failure, int seconds, String what) throws DeploymentException {
            awaitFrom(0, success, failure, seconds, what);
        }

        void awaitFrom(int from, Predicate<String> success, Predicate<String> failure, int seconds, String what)
                throws DeploymentException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            int next = from;
            synchronized (lines) {
                while (true) {
                    for (; next < lines.size(); next++) {
                        String line = lines.get(next);
                        if (failure.test(line)) {
                            throw new DeploymentException(what + " failed: " + line);
                        }
                        if (success.test(line)) {
                            return;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new DeploymentException(what + " timed out after " + seconds + " s");
                    }
                    try {
                        lines.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new DeploymentException(what + " interrupted");
                    }
                }
            }
        }
    }
}
