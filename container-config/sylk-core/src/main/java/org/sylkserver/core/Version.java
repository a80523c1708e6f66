package org.sylkserver.core;

/** The server's version, as built into sylk-core's manifest. */
public final class Version {

    private Version() {
    }

    /** The version string, e.g. {@code 0.1.0-SNAPSHOT}; {@code dev} when running from classes. */
    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    /** The User-Agent/Server header value, {@code SylkServer-<version>} as the original sends. */
    public static String sipAgent() {
        return "SylkServer-" + current();
    }
}
