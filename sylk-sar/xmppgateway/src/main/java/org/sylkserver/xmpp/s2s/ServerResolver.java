package org.sylkserver.xmpp.s2s;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Where a remote XMPP domain's server is (RFC 6120 §3.2): a fixed address from {@code remote_servers} when one is
 * configured, else the {@code _xmpp-server._tcp.<domain>} SRV records in priority order, else the domain itself on
 * port 5269 (§3.2.2 fallback). A target of "." means the domain offers no XMPP service (§3.2.1 step 6).
 */
public class ServerResolver {

    static final int DEFAULT_PORT = 5269;

    private final Map<String, InetSocketAddress> fixed;

    public ServerResolver(Map<String, InetSocketAddress> fixed) {
        this.fixed = Map.copyOf(fixed);
    }

    /** The addresses to try, in order. */
    public List<InetSocketAddress> resolve(String domain) {
        InetSocketAddress configured = fixed.get(domain.toLowerCase(Locale.ROOT));
        if (configured != null) {
            return List.of(configured);
        }
        List<SRVRecord> records = srv("_xmpp-server._tcp." + domain + ".");
        if (records.size() == 1 && records.get(0).getTarget().toString().equals(".")) {
            return List.of();
        }
        if (records.isEmpty()) {
            return List.of(InetSocketAddress.createUnresolved(domain, DEFAULT_PORT));
        }
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (SRVRecord record : records) {
            addresses.add(InetSocketAddress.createUnresolved(record.getTarget().toString(true), record.getPort()));
        }
        return addresses;
    }

    /** The SRV records of {@code name}, lowest priority first, heavier weight first within one (none on failure). */
    protected List<SRVRecord> srv(String name) {
        try {
            Record[] answers = new Lookup(name, Type.SRV).run();
            if (answers == null) {
                return List.of();
            }
            List<SRVRecord> records = new ArrayList<>();
            Arrays.stream(answers).filter(SRVRecord.class::isInstance).map(SRVRecord.class::cast).forEach(records::add);
            records.sort(Comparator.comparingInt(SRVRecord::getPriority)
                    .thenComparing(Comparator.comparingInt(SRVRecord::getWeight).reversed()));
            return records;
        } catch (TextParseException e) {
            return List.of();
        }
    }
}
