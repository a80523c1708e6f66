package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 part 3: a flood of idle SIP connections over TCP and TLS does not take the listeners from others. One
 * address gets at most {@code [SIP] tcp_max_connections_per_address} (100) connections, the others are closed at
 * once; idle connections are closed after {@code tcp_idle_timeout} (30 s in arquillian.xml), TLS connections that
 * never shake hands after {@code tls_handshake_timeout} (10 s); calls to echo over TCP and UDP succeed throughout.
 */
@ExtendWith(ArquillianExtension.class)
class SipConnectionLimitsIT {

    private static final int PER_ADDRESS = 100;

    @Deployment(testable = false)
    static EnterpriseArchive applications() {
        return Archives.all();
    }

    @TempDir
    Path work;

    private static Socket connect(String from, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(Sipp.SERVER, port), 5000);
        return socket;
    }

    /** Whether the server closed {@code socket} (end of stream or reset) within {@code millis}. */
    private static boolean closedWithin(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private void echoCall(String transport, int number) throws Exception {
        Sipp.Result result = Sipp.scenario(work.resolve(transport + number),
                        Scenarios.audioCall("echo", 40000 + number, work.resolve("port-" + transport + number), 500))
                .transport(transport).run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void idleTcpAndTlsFloodsAreCappedAndClosedWhileCallsGoOn() throws Exception {
        List<Socket> tcp = new ArrayList<>();
        List<Socket> tls = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS + 50; i++) {
                tcp.add(connect("127.0.0.2", Sipp.SIP_PORT));
            }
            for (int i = 0; i < 50; i++) {
                tls.add(connect("127.0.0.3", Sipp.TLS_PORT)); // never starts its handshake
            }
            long opened = System.nanoTime();
            echoCall("t1", 1);
            echoCall("u1", 2);

            int refused = 0;
            for (Socket socket : tcp) {
                if (closedWithin(socket, 20)) {
                    refused++;
                }
            }
            assertEquals(50, refused, "connections over the per-address limit are closed at once");
            echoCall("t1", 3);

            // every idle one is closed after the idle timeout (checked every timeout: between 30 and 60 s)
            long deadline = opened + TimeUnit.SECONDS.toNanos(70);
            for (Socket socket : tcp) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                assertTrue(left > 0 && closedWithin(socket, (int) left), "idle TCP connection closed in time");
            }
            for (Socket socket : tls) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                assertTrue(left > 0 && closedWithin(socket, (int) left), "TLS connection without handshake closed in time");
            }
            // the flood's address has room again
            try (Socket again = connect("127.0.0.2", Sipp.SIP_PORT)) {
                assertTrue(!closedWithin(again, 500), "a new connection is kept once the idle ones are gone");
            }
            echoCall("t1", 4);
        } finally {
            for (Socket socket : tcp) {
                socket.close();
            }
            for (Socket socket : tls) {
                socket.close();
            }
        }
    }
}
