package org.sylkserver.webrtc.addressbook;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;

/**
 * Where the address books are kept ({@code webrtcgateway.ini [General]}, spec §4.14, §8.3).
 *
 * @param xcapUrl     {@code xcap_url}: the REST service's base URL ({@code http} or {@code https}), or null for the
 *                    local store
 * @param xcapTimeout {@code xcap_timeout}: how long one request to the service may take, connecting included
 * @param xcapMaxResponseSize {@code xcap_max_response_size}: the largest answer taken from the service, in bytes
 */
public record AddressBookConfig(URI xcapUrl, Duration xcapTimeout, int xcapMaxResponseSize) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Far above a book of {@code max_addressbook_entries} (1000) contacts, far below what hurts the heap. */
    public static final int DEFAULT_MAX_RESPONSE_SIZE = 4 * 1024 * 1024;

    /** Reads the options from {@code webrtcgateway.ini} in the configuration directory. */
    public static AddressBookConfig load(Path configDir) throws ConfigException {
        SectionReader general = new SectionReader(IniFile.read(configDir.resolve("webrtcgateway.ini")), "General");
        String url = general.string("xcap_url", "").strip();
        URI xcap = null;
        if (!url.isEmpty()) {
            try {
                xcap = new URI(url);
            } catch (URISyntaxException e) {
                throw general.error("xcap_url", url, "not a URL (" + e.getReason() + ")");
            }
            if (!("http".equalsIgnoreCase(xcap.getScheme()) || "https".equalsIgnoreCase(xcap.getScheme()))
                    || xcap.getHost() == null) {
                throw general.error("xcap_url", url, "not an http or https URL with a host");
            }
        }
        Duration timeout = general.seconds("xcap_timeout", DEFAULT_TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw general.error("xcap_timeout", general.raw("xcap_timeout"), "must be more than 0 seconds");
        }
        return new AddressBookConfig(xcap, timeout, general.integer("xcap_max_response_size", DEFAULT_MAX_RESPONSE_SIZE,
                1024, Integer.MAX_VALUE));
    }
}
