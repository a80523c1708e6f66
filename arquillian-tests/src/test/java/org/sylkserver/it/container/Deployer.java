package org.sylkserver.it.container;

import java.io.IOException;
import java.util.Set;

import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.jboss.arquillian.container.spi.client.container.DeploymentException;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

/**
 * Tomcat's deployer of the server under test ({@code HostConfig}, the MBean {@code <engine>:type=Deployer,host=localhost}),
 * reached through the JVM's local management agent: the server runs with {@code autoDeploy="false"} as in
 * production, so an archive copied into {@code webapps} is deployed only when the deployer is asked to look at it.
 * That is what Tomcat's own manager application does; the server itself opens no management port for it (the test
 * attaches to its process, as a local user with the same rights could anyway).
 */
final class Deployer implements AutoCloseable {

    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private final ObjectName host;

    private Deployer(JMXConnector connector, ObjectName host) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
        this.host = host;
    }

    /** Attaches to the server's JVM ({@code pid}) and finds its deployer. */
    static Deployer attach(long pid) throws DeploymentException {
        try {
            VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
            Set<ObjectName> deployers = connector.getMBeanServerConnection()
                    .queryNames(new ObjectName("*:type=Deployer,host=localhost"), null);
            if (deployers.size() != 1) {
                connector.close();
                throw new DeploymentException("the server has no single Tomcat deployer: " + deployers);
            }
            return new Deployer(connector, deployers.iterator().next());
        } catch (IOException | AttachNotSupportedException | JMException e) {
            throw new DeploymentException("cannot reach the server's deployer over JMX: " + e.getMessage(), e);
        }
    }

    /**
     * Deploys, redeploys or undeploys the context {@code path} (e.g. {@code /echo}) after its archive in
     * {@code webapps} appeared, changed or went; returns once Tomcat is done.
     */
    void check(String path) throws DeploymentException {
        try {
            server.invoke(host, "check", new Object[] {path}, new String[] {String.class.getName()});
        } catch (IOException | JMException e) {
            throw new DeploymentException("Tomcat's deployer failed on " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the server is going away
        }
    }
}
