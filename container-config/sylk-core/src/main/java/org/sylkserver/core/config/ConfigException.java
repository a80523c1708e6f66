package org.sylkserver.core.config;

/** A configuration file or option that cannot be used; the message names the file, option and value. */
public class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
