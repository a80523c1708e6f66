package org.sylkserver.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Apache Cassandra node for the tests (issue 14: the message store runs against a real node, no mock): the
 * {@code cassandra-all} jars that this module copies to its {@code target/lib}, started in a JVM of their own with a
 * small heap, on loopback, on free ports, with their data in a temporary directory. Test modules depend on this one
 * (test scope, without its dependencies): the class comes from here, the node's classpath from {@code target/lib}
 * beside it.
 *
 * <p>One node per test JVM ({@link #shared()}), started by the first test that needs it (about 20 s) and stopped when the
 * JVM exits; each test class keeps its data in a keyspace of its own. The node's JVM runs {@link #main} first, which
 * halts it when its standard input closes, so that a test JVM that is killed does not leave the node running.
 */
public final class CassandraNode {

    /** The data centre of a node with {@code SimpleSnitch}. */
    public static final String DATACENTER = "datacenter1";
    private static final long START_TIMEOUT_MILLIS = 120_000;
    /**
     * What Cassandra 5.0 needs to run on Java 17 (the JPMS options of its {@code jvm17-server.options}): it reaches
     * into JDK internals for off-heap memory, file channels and object sizes.
     */
    private static final List<String> JAVA_17_OPTIONS = List.of(
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens", "java.base/java.net=ALL-UNNAMED");

    /** Ports are drawn from here up to the ephemeral range ({@link #freePort}). */
    private static final int FIRST_PORT = 20_000;
    private static final byte OPCODE_OPTIONS = 0x05;
    private static final byte OPCODE_SUPPORTED = 0x06;
    private static final java.util.Random RANDOM = new java.util.Random();

    private static CassandraNode shared;
    /** Why {@link #shared} could not start its node, once it could not. */
    private static IOException sharedFailure;

    private final Process process;
    private final Path directory;
    private final InetSocketAddress contactPoint;

    private CassandraNode(Process process, Path directory, InetSocketAddress contactPoint) {
        this.process = process;
        this.directory = directory;
        this.contactPoint = contactPoint;
    }

    /** The node of this test JVM, started on first use. */
    public static synchronized CassandraNode shared() throws IOException {
        if (sharedFailure != null) {
            // every test of the JVM would otherwise wait for a start of its own, minutes each
            throw new IOException("the shared Cassandra test node did not start earlier in this JVM", sharedFailure);
        }
        if (shared == null) {
            try {
                shared = start();
            } catch (IOException e) {
                sharedFailure = e;
                throw e;
            }
            CassandraNode node = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "cassandra-node-stop"));
        }
        return shared;
    }

    /** Where the driver connects: the node's native transport. */
    public InetSocketAddress contactPoint() {
        return contactPoint;
    }

    /** The node's process: tests suspend it ({@code kill -STOP}) to make it unreachable mid-run. */
    public long pid() {
        return process.pid();
    }

    /**
     * A node of its own, for a test that stops it when done ({@link #stop}). A node that does not answer CQL in time is
     * stopped and started once more on other ports (a loaded machine can take a port between our check and the node's
     * bind); the error of the last try carries the node's log.
     */
    public static CassandraNode start() throws IOException {
        try {
            return startOnce();
        } catch (IOException first) {
            System.err.println("the Cassandra test node did not start, trying once more on other ports: " + first.getMessage());
            return startOnce();
        }
    }

    private static CassandraNode startOnce() throws IOException {
        Path jars = jars();
        Path build = Path.of("target");
        Files.createDirectories(build);
        Path directory = Files.createTempDirectory(build.toAbsolutePath(), "cassandra-node-");
        int nativePort = freePort();
        int storagePort = freePort();
        Path yaml = directory.resolve("cassandra.yaml");
        Files.writeString(yaml, configuration(directory, nativePort, storagePort));
        Path logback = directory.resolve("logback.xml");
        Files.writeString(logback, "<configuration><appender name=\"file\" class=\"ch.qos.logback.core.FileAppender\">"
                + "<file>" + directory.resolve("system.log") + "</file><encoder><pattern>%d %-5level [%thread] %logger{20}"
                + " %msg%n</pattern></encoder></appender><root level=\"INFO\"><appender-ref ref=\"file\"/></root>"
                + "</configuration>");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xms512m", "-Xmx512m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError",
                "-Djdk.attach.allowAttachSelf=true"));
        command.addAll(JAVA_17_OPTIONS);
        command.addAll(List.of("-Dcassandra.config=" + yaml.toUri(), "-Dcassandra.storagedir=" + directory,
                "-Dcassandra-foreground=yes", "-Dlogback.configurationFile=" + logback,
                // one node: nothing to wait for
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                // schema changes (each test creates its keyspace) without waiting for the disk: the data is thrown away
                "-Dcassandra.unsafesystem=true",
                "-cp", classpath(jars), CassandraNode.class.getName()));
        Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.log").toFile()).start();
        CassandraNode node = new CassandraNode(process, directory, new InetSocketAddress("127.0.0.1", nativePort));
        node.awaitNativeTransport();
        return node;
    }

    /** This class's location: this module's target/classes, or its jar in target/. */
    private static Path here() throws IOException {
        try {
            return Path.of(CassandraNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    /** target/lib of this module, where the build copied cassandra-all and its dependencies. */
    private static Path jars() throws IOException {
        Path jars = here().getParent().resolve("lib");
        if (!Files.isDirectory(jars)) {
            throw new IOException("no Cassandra node classpath in " + jars + ": build the cassandra-test-node module"
                    + " with its tests enabled (mvn -pl <module> -am test copies cassandra-all there)");
        }
        return jars;
    }

    /** The node's jars and this class (for {@link #main}), which needs nothing but the JDK. */
    private static String classpath(Path jars) throws IOException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(jars)) {
            files.filter(file -> file.toString().endsWith(".jar")).sorted().forEach(file -> entries.add(file.toString()));
        }
        entries.add(here().toString());
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String configuration(Path directory, int nativePort, int storagePort) {
        return String.join("\n",
                "cluster_name: sylk-test",
                "num_tokens: 1",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "endpoint_snitch: SimpleSnitch",
                "data_file_directories: [" + directory.resolve("data") + "]",
                "commitlog_directory: " + directory.resolve("commitlog"),
                "saved_caches_directory: " + directory.resolve("saved_caches"),
                "hints_directory: " + directory.resolve("hints"),
                "cdc_raw_directory: " + directory.resolve("cdc_raw"),
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"127.0.0.1:" + storagePort + "\"",
                "listen_address: 127.0.0.1",
                "rpc_address: 127.0.0.1",
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                // the tests create and drop keyspaces: no snapshot of what they drop
                "auto_snapshot: false",
                "");
    }

    /**
     * A free loopback port below the kernel's ephemeral range, so that no outgoing connection (ours or another
     * process's) takes it as its local port before the node binds it, and no connection to it can meet itself (a
     * TCP connect to a closed port in the ephemeral range can pick that very port and connect to itself).
     */
    private static int freePort() throws IOException {
        int ephemeralLow = ephemeralLow();
        if (ephemeralLow > FIRST_PORT + 1_000) {
            for (int attempt = 0; attempt < 50; attempt++) {
                int port = FIRST_PORT + RANDOM.nextInt(ephemeralLow - FIRST_PORT);
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1);
                    return port;
                } catch (IOException taken) {
                    // someone has it: draw again
                }
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The first port of the kernel's ephemeral range (Linux's ip_local_port_range), 32768 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /**
     * Waits until the node answers the native protocol: an OPTIONS request answered by SUPPORTED (CQL native protocol
     * v4, sections 2 and 4.1.3/4.2.4), not merely a TCP connect, which something other than the node could accept.
     */
    private void awaitNativeTransport() throws IOException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        String lastAnswer = "nothing listened";
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the Cassandra node exited with " + process.exitValue() + " before it listened on "
                        + contactPoint + ":\n" + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(contactPoint, 500);
                socket.setSoTimeout(5_000);
                lastAnswer = options(socket);
                if (lastAnswer == null) {
                    return;
                }
            } catch (IOException notYet) {
                lastAnswer = notYet.toString();
            }
            sleep(250);
        }
        stop();
        throw new IOException("the Cassandra node did not answer CQL on " + contactPoint + " within " + START_TIMEOUT_MILLIS
                + " ms (last: " + lastAnswer + "):\n" + logTail());
    }

    /** Sends OPTIONS on stream 1: null when the answer is a v4 SUPPORTED frame, else what came instead. */
    private static String options(Socket socket) throws IOException {
        socket.getOutputStream().write(new byte[] {0x04, 0, 0, 1, OPCODE_OPTIONS, 0, 0, 0, 0});
        byte[] header = socket.getInputStream().readNBytes(9);
        if (header.length < 9) {
            return "the connection closed after " + header.length + " bytes of an answer";
        }
        if (header[0] == (byte) 0x84 && header[4] == OPCODE_SUPPORTED) {
            return null;
        }
        return String.format("an answer with version 0x%02x, opcode 0x%02x", header[0], header[4]);
    }

    /** The last lines of the node's standard output and log, for a test's failure message. */
    public String logTail() {
        StringBuilder tail = new StringBuilder();
        for (String name : List.of("stdout.log", "system.log")) {
            try {
                List<String> lines = Files.readAllLines(directory.resolve(name), StandardCharsets.UTF_8);
                tail.append("--- ").append(name).append('\n');
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(line -> tail.append(line).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                tail.append("--- ").append(name).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return tail.toString();
    }

    /** Stops the node (its {@link #main} halts when its input closes) and removes its data. */
    public synchronized void stop() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed: the node is going anyway
        }
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory under target/: mvn clean removes what is left
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the Cassandra node started", e);
        }
    }

    /**
     * The node's entry point: halts the node's JVM when its standard input closes (the test JVM stopped it or died),
     * then runs Cassandra in the foreground. Cassandra is not on this module's classpath, hence the reflection.
     */
    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // nothing is sent: only the end of the stream matters
                }
            } catch (IOException e) {
                // the pipe broke: the test JVM is gone
            }
            Runtime.getRuntime().halt(0);
        }, "cassandra-node-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName("org.apache.cassandra.service.CassandraDaemon").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {"-f"});
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
