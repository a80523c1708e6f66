package org.sylkserver.it.container;

import org.jboss.arquillian.container.spi.ConfigurationException;
import org.jboss.arquillian.container.spi.client.container.ContainerConfiguration;

/**
 * Settings of the managed SylkServer container, from {@code arquillian.xml}.
 *
 * <p>{@code options} are {@code Section.option=value} pairs separated by {@code |}, passed to the server as
 * {@code --set} arguments on top of the built-in defaults, so each test suite states the configuration it needs.
 */
public class SylkServerConfiguration implements ContainerConfiguration {

    private String distribution = System.getProperty("sylk.distribution", "../container-config/target/sylk-server");
    private String workDir = System.getProperty("sylk.work", "target/sylk-it");
    private String bindAddress = "127.0.0.1";
    private int sipPort = 15060;
    private int tlsPort = 15061;
    private int httpPort = 18088;
    private String options = "";
    private int startupTimeoutSeconds = 60;

    @Override
    public void validate() throws ConfigurationException {
        if (sipPort == tlsPort) {
            throw new ConfigurationException("sipPort and tlsPort must differ");
        }
    }

    public String getDistribution() { return distribution; }
    public void setDistribution(String distribution) { this.distribution = distribution; }
    public String getWorkDir() { return workDir; }
    public void setWorkDir(String workDir) { this.workDir = workDir; }
    public String getBindAddress() { return bindAddress; }
    public void setBindAddress(String bindAddress) { this.bindAddress = bindAddress; }
    public int getSipPort() { return sipPort; }
    public void setSipPort(int sipPort) { this.sipPort = sipPort; }
    public int getTlsPort() { return tlsPort; }
    public void setTlsPort(int tlsPort) { this.tlsPort = tlsPort; }
    public int getHttpPort() { return httpPort; }
    public void setHttpPort(int httpPort) { this.httpPort = httpPort; }
    public String getOptions() { return options; }
    public void setOptions(String options) { this.options = options; }
    public int getStartupTimeoutSeconds() { return startupTimeoutSeconds; }
    public void setStartupTimeoutSeconds(int startupTimeoutSeconds) { this.startupTimeoutSeconds = startupTimeoutSeconds; }
}
