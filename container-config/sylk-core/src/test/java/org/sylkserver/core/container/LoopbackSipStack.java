package org.sylkserver.core.container;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import javax.sip.SipFactory;
import javax.sip.SipStack;

import org.sylkserver.core.config.SipConnections;

/**
 * A JAIN-SIP stack made with the container's own properties ({@link ContainerBase#sipStackProperties}) for a free
 * UDP port on loopback, not started: the tests add their provider and listener, then start it.
 *
 * @param stack the stack
 * @param port  the free port its settings name
 */
record LoopbackSipStack(SipStack stack, int port) {

    /**
     * @param dir      where the container's files would go
     * @param name     the stack's name (the port is added)
     * @param pathName JAIN-SIP's path name for the stack's classes (set after the factory's reset, which clears it)
     */
    static LoopbackSipStack create(Path dir, String name, String pathName) throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ContainerSettings settings = new ContainerSettings("127.0.0.1", port, null, null, "127.0.0.1", 0, null, null,
                null, "", List.of(), SipConnections.DEFAULTS, null, null, null);
        Properties properties = new ContainerBase(dir.resolve("container")).sipStackProperties(settings);
        properties.setProperty("javax.sip.STACK_NAME", name + "-" + port);
        SipFactory factory = SipFactory.getInstance();
        factory.resetFactory();
        factory.setPathName(pathName);
        return new LoopbackSipStack(factory.createSipStack(properties), port);
    }
}
