package org.sylkserver.webrtc.messaging;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;

/**
 * The message store on Apache Cassandra (spec §4.8.6), in the original's keyspace layout so that an operator can point
 * the gateway at an existing SylkServer keyspace: {@code chat_messages_by_timestamp} (an account's journal, ordered by
 * {@code created_at} then {@code message_id}, TTL one year), {@code chat_message_created_at_by_id} (message id to
 * {@code created_at}, TTL one year), {@code chat_accounts}, {@code public_key_by_account} and {@code push_tokens} (or
 * {@code [Cassandra] push_tokens_table}). Missing tables are created (and the keyspace, with one replica, as the
 * original's {@code sylk-db dbinit} proposed); existing ones are used as they are, plus one column and one index (below).
 *
 * <p>What the layout implies:
 * <ul>
 * <li>Times are milliseconds ({@code timestamp} columns), in UTC. The journal's order is {@code created_at}, so the
 * store makes {@code created_at} increase for each account: an entry gets its own time, or 1 ms after the account's
 * previous entry when that is not later (accounts share {@link #STRIPES} counters, which stay close to the clock below
 * a thousand entries a second per stripe). Adds of one stripe are serialised, which also makes the id check before an
 * insert (de-duplication) exact within this server.</li>
 * <li>A message's row is found by (account, {@code created_at}, id); {@code created_at} comes from
 * {@code chat_message_created_at_by_id}, which names one copy per id (the last stored; sender and recipient copies
 * share the id): the other copy is found through an index of {@code message_id} that the store adds to the
 * journal's table ({@link #indexMessageIds}).</li>
 * <li>Changing a message keeps its remaining TTL (an update would otherwise outlive the row's other columns).</li>
 * <li>{@code chat_accounts} gets a column {@code token_expire}: the original kept a token's validity only as the TTL
 * of {@code api_token}, which Cassandra reports in whole seconds of the node's clock. The TTL is still written (at
 * least an hour: it only frees the token); a token without {@code token_expire} (written by the original) is valid as
 * long as Cassandra keeps it.</li>
 * </ul>
 *
 * <p>Failures: a query that fails or times out ({@code [Cassandra] request_timeout}) throws {@link StoreException}
 * naming the contact points, so the message is refused rather than acknowledged; the driver reconnects to nodes by
 * itself. When no node is reachable at start the store opens anyway, refuses every call with that error, and tries
 * to connect again every {@link #CONNECT_RETRY} until it succeeds. Writes use {@code LOCAL_QUORUM}: acknowledged means
 * on a majority of the local data centre's replicas.
 */
public final class CassandraMessageStore implements MessageStore {

    private static final Logger log = Logger.getLogger(CassandraMessageStore.class.getName());

    /** Time between two attempts to reach the cluster while no node answered yet. */
    public static final Duration CONNECT_RETRY = Duration.ofSeconds(10);
    /** Counters of the journal's order; an account always uses the same one. */
    static final int STRIPES = 256;
    /** spec §4.8.6: {@code chat_messages_by_timestamp} and {@code chat_message_created_at_by_id}. */
    private static final int MESSAGE_TTL_SECONDS = 31_536_000;
    private static final int GC_GRACE_SECONDS = 345_600;
    private static final long MIN_TOKEN_TTL_SECONDS = 3600;
    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(60);
    private static final String MESSAGES = "chat_messages_by_timestamp";
    private static final String MESSAGE_IDS = "chat_message_created_at_by_id";
    /** Our addition to the layout: see {@link #indexMessageIds}. */
    static final String MESSAGE_ID_INDEX = "chat_messages_by_timestamp_message_id";
    private static final String COLUMNS = "account, contact, direction, message_id, content_type, content,"
            + " msg_timestamp, created_at, disposition, state, TTL(content)";

    private final CassandraConfig config;
    private final ScheduledExecutorService connector;
    private final Object[] locks = new Object[STRIPES];
    /** The last {@code created_at} (epoch ms) given per stripe; each read and written holding its lock. */
    private final long[] lastCreated = new long[STRIPES];
    /** The statements of a connected session; null until the first connection succeeded. */
    private volatile Queries queries;
    /** Why the last connection attempt failed. */
    private volatile String unreachable = "not connected yet";
    private volatile boolean closed;

    private CassandraMessageStore(CassandraConfig config) {
        this.config = config;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
        connector = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "message-store-cassandra-connect");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects to the cluster of {@code config} and prepares the tables. When no node can be reached, the store is
     * returned all the same: every call fails with a {@link StoreException} saying so, and the store keeps trying.
     */
    public static CassandraMessageStore open(CassandraConfig config) {
        CassandraMessageStore store = new CassandraMessageStore(config);
        if (!store.connect()) {
            store.connector.scheduleWithFixedDelay(() -> {
                if (store.queries != null || store.closed || store.connect()) {
                    store.connector.shutdown();
                }
            }, CONNECT_RETRY.toMillis(), CONNECT_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
        return store;
    }

    /** Connects once ({@code sylk-db}): a cluster that does not answer is an error, not retried. */
    public static CassandraMessageStore openNow(CassandraConfig config) throws StoreException {
        CassandraMessageStore store = new CassandraMessageStore(config);
        if (!store.connect()) {
            store.close();
            throw new StoreException("message store: Cassandra at " + config.describe() + " unreachable: "
                    + store.unreachable, null);
        }
        return store;
    }

    /** Whether the store has a session (it may still fail calls while the nodes are down). */
    public boolean isConnected() {
        return queries != null;
    }

    /** One attempt; whether it succeeded. */
    private boolean connect() {
        CqlSession session = null;
        try {
            List<InetSocketAddress> points = new ArrayList<>();
            for (InetSocketAddress point : config.contactPoints()) {
                InetSocketAddress resolved = new InetSocketAddress(point.getHostString(), point.getPort());
                if (resolved.isUnresolved()) {
                    throw new IllegalArgumentException("cannot resolve " + point.getHostString());
                }
                points.add(resolved);
            }
            ClassLoader loader = CassandraMessageStore.class.getClassLoader();
            var options = DriverConfigLoader.programmaticBuilder(loader)
                    .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, config.requestTimeout())
                    .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "LOCAL_QUORUM")
                    .withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, "LOCAL_SERIAL")
                    // every statement of this store writes given values: a retry cannot apply anything twice
                    .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                    .withString(DefaultDriverOption.SESSION_NAME, "message-store")
                    // closing waits for nothing: every request was answered by then
                    .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                    .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0);
            if (config.localDatacenter() == null) {
                // the original's driver took the data centre of the contact points
                options.withString(DefaultDriverOption.LOAD_BALANCING_POLICY_CLASS, "DcInferringLoadBalancingPolicy");
            }
            CqlSessionBuilder builder = CqlSession.builder().addContactPoints(points).withClassLoader(loader)
                    .withConfigLoader(options.build());
            if (config.localDatacenter() != null) {
                builder.withLocalDatacenter(config.localDatacenter());
            }
            session = builder.build();
            createSchema(session);
            if (closed) {
                session.close();
                return true;
            }
            queries = new Queries(session, config);
            log.info(() -> "message store: connected to Cassandra at " + config.describe());
            return true;
        } catch (DriverException | IllegalArgumentException | IllegalStateException e) {
            if (session != null) {
                session.closeAsync();
            }
            unreachable = e.getMessage();
            log.warning(() -> "message store: Cassandra at " + config.describe() + " unreachable: " + e.getMessage()
                    + "; messages are refused until it answers; next attempt in " + CONNECT_RETRY.toSeconds() + " s");
            return false;
        }
    }

    /** Creates what is missing of spec §4.8.6's layout; existing tables are left as they are but for token_expire. */
    private void createSchema(CqlSession session) {
        String keyspace = config.keyspace();
        Optional<KeyspaceMetadata> existing = session.getMetadata().getKeyspace(keyspace);
        if (existing.isEmpty()) {
            log.warning(() -> "message store: creating keyspace " + keyspace + " with SimpleStrategy and one replica;"
                    + " change its replication with ALTER KEYSPACE for a cluster");
            schemaChange(session, "CREATE KEYSPACE IF NOT EXISTS " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        }
        // a schema change takes a second or more: only what is missing is asked for
        Predicate<String> missing = table -> existing.flatMap(k -> k.getTable(table)).isEmpty();
        String ttl = " WITH default_time_to_live = " + MESSAGE_TTL_SECONDS + " AND gc_grace_seconds = " + GC_GRACE_SECONDS;
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put(MESSAGES, "(account text, created_at timestamp, message_id text, contact text, direction text,"
                + " content text, content_type text, disposition list<text>, state text, msg_timestamp timestamp,"
                + " PRIMARY KEY (account, created_at, message_id))" + ttl);
        tables.put(MESSAGE_IDS, "(message_id text PRIMARY KEY, created_at timestamp)" + ttl);
        tables.put("public_key_by_account", "(account text PRIMARY KEY, public_key text, created_at timestamp)");
        tables.put("chat_accounts", "(account text PRIMARY KEY, api_token text, last_login timestamp,"
                + " token_expire timestamp)");
        tables.put(config.pushTokensTable(), "(username text, domain text, device_id text, app_id text,"
                + " background_token text, device_token text, platform text, silent text, user_agent text,"
                + " PRIMARY KEY ((username, domain), device_id, app_id))");
        tables.forEach((table, definition) -> {
            if (missing.test(table)) {
                schemaChange(session, "CREATE TABLE IF NOT EXISTS " + keyspace + "." + table + " " + definition);
            }
        });
        boolean indexed = existing.flatMap(k -> k.getTable(MESSAGES))
                .map(table -> table.getIndexes().values().stream()
                        .anyMatch(index -> index.getTarget().equals("message_id")))
                .orElse(false);
        if (!indexed) {
            indexMessageIds(session, keyspace);
        }
        boolean hasExpiry = existing.flatMap(k -> k.getTable("chat_accounts"))
                .map(table -> table.getColumn("token_expire").isPresent()).orElse(true);
        if (!hasExpiry) {
            log.info(() -> "message store: adding column token_expire to " + keyspace + ".chat_accounts");
            schemaChange(session, "ALTER TABLE " + keyspace + ".chat_accounts ADD token_expire timestamp");
        }
    }

    /**
     * Indexes {@code message_id} of the accounts' journals (not in the original's layout; it only adds to it). A local
     * message is stored twice under one id, the sender's outgoing and the recipient's incoming copy, and
     * {@code chat_message_created_at_by_id} names only one of them: without the index, finding the other (its
     * de-duplication check, then every IMDN that updates it) reads the account's whole journal, up to a year of
     * messages. A storage-attached index (Cassandra 5) is asked for first, a legacy secondary index on older nodes;
     * without either the lookups still work, by reading the journal.
     */
    private static void indexMessageIds(CqlSession session, String keyspace) {
        String on = " " + MESSAGE_ID_INDEX + " ON " + keyspace + "." + MESSAGES + " (message_id)";
        try {
            schemaChange(session, "CREATE CUSTOM INDEX IF NOT EXISTS" + on + " USING 'StorageAttachedIndex'");
        } catch (DriverException sai) {
            log.info(() -> "message store: no storage-attached index (" + sai.getMessage() + "); creating a secondary"
                    + " index " + MESSAGE_ID_INDEX + " instead");
            try {
                schemaChange(session, "CREATE INDEX IF NOT EXISTS" + on);
            } catch (DriverException legacy) {
                log.warning(() -> "message store: cannot index " + keyspace + "." + MESSAGES + ".message_id ("
                        + legacy.getMessage() + "): finding the second copy of a message id reads the account's whole"
                        + " journal");
                return;
            }
        }
        awaitIndex(session, keyspace);
    }

    /**
     * Waits (at most {@link #SCHEMA_TIMEOUT}) until the new index answers: on a keyspace that already holds messages it
     * is built in the background, and a lookup through it fails until then.
     */
    private static void awaitIndex(CqlSession session, String keyspace) {
        SimpleStatement probe = SimpleStatement.newInstance("SELECT message_id FROM " + keyspace + "." + MESSAGES
                + " WHERE account = 'index probe' AND message_id = 'index probe' ALLOW FILTERING");
        long deadline = System.nanoTime() + SCHEMA_TIMEOUT.toNanos();
        long nextReport = System.nanoTime();
        while (true) {
            try {
                session.execute(probe);
                return;
            } catch (DriverException e) {
                if (System.nanoTime() - deadline > 0) {
                    log.warning(() -> "message store: index " + MESSAGE_ID_INDEX + " still not usable after "
                            + SCHEMA_TIMEOUT.toSeconds() + " s (" + e.getMessage() + "); lookups of a message's"
                            + " second copy fail until Cassandra has built it");
                    return;
                }
                if (System.nanoTime() - nextReport >= 0) {
                    log.info(() -> "message store: waiting for Cassandra to build index " + MESSAGE_ID_INDEX + " ("
                            + e.getMessage() + ")");
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A schema change may take seconds (every node writes it): not bound by request_timeout, as dbinit's 60 s. */
    private static void schemaChange(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(SCHEMA_TIMEOUT));
    }

    /** The prepared statements of one session. */
    private static final class Queries {
        final CqlSession session;
        final PreparedStatement insertMessage;
        final PreparedStatement insertMessageId;
        final PreparedStatement selectMessageId;
        final PreparedStatement selectMessage;
        final PreparedStatement selectMessageById;
        final PreparedStatement selectJournal;
        final PreparedStatement selectJournalAfter;
        final PreparedStatement selectJournalSince;
        final PreparedStatement updateMessage;
        final PreparedStatement updateDisposition;
        final PreparedStatement deleteMessage;
        final PreparedStatement deleteJournal;
        final PreparedStatement touchAccount;
        final PreparedStatement insertAccount;
        final PreparedStatement updateToken;
        final PreparedStatement selectAccount;
        final PreparedStatement deleteToken;
        final PreparedStatement deleteAccount;
        final PreparedStatement insertPublicKey;
        final PreparedStatement selectPublicKey;
        final PreparedStatement deletePublicKey;
        final PreparedStatement insertDeviceToken;
        final PreparedStatement selectDeviceTokens;
        final PreparedStatement selectDeviceToken;
        final PreparedStatement deleteDeviceToken;
        final PreparedStatement deleteDeviceTokens;

        Queries(CqlSession session, CassandraConfig config) {
            this.session = session;
            String k = config.keyspace() + ".";
            String messages = k + MESSAGES;
            String tokens = k + config.pushTokensTable();
            insertMessage = session.prepare("INSERT INTO " + messages + " (account, contact, direction, message_id,"
                    + " content_type, content, msg_timestamp, created_at, disposition, state)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            insertMessageId = session.prepare("INSERT INTO " + k + MESSAGE_IDS + " (message_id, created_at) VALUES (?, ?)");
            selectMessageId = session.prepare("SELECT created_at FROM " + k + MESSAGE_IDS + " WHERE message_id = ?");
            selectMessage = session.prepare("SELECT " + COLUMNS + " FROM " + messages
                    + " WHERE account = ? AND created_at = ? AND message_id = ?");
            // through MESSAGE_ID_INDEX; without it (no index could be made) a read of the account's partition
            selectMessageById = session.prepare("SELECT " + COLUMNS + " FROM " + messages
                    + " WHERE account = ? AND message_id = ? ALLOW FILTERING");
            selectJournal = session.prepare("SELECT " + COLUMNS + " FROM " + messages + " WHERE account = ? LIMIT ?");
            selectJournalAfter = session.prepare("SELECT " + COLUMNS + " FROM " + messages
                    + " WHERE account = ? AND (created_at, message_id) > (?, ?) LIMIT ?");
            selectJournalSince = session.prepare("SELECT " + COLUMNS + " FROM " + messages
                    + " WHERE account = ? AND created_at > ? LIMIT ?");
            updateMessage = session.prepare("UPDATE " + messages + " USING TTL ? SET state = ?, disposition = ?"
                    + " WHERE account = ? AND created_at = ? AND message_id = ?");
            updateDisposition = session.prepare("UPDATE " + messages + " USING TTL ? SET disposition = ?"
                    + " WHERE account = ? AND created_at = ? AND message_id = ?");
            deleteMessage = session.prepare("DELETE FROM " + messages + " WHERE account = ? AND created_at = ?"
                    + " AND message_id = ?");
            deleteJournal = session.prepare("DELETE FROM " + messages + " WHERE account = ?");
            touchAccount = session.prepare("UPDATE " + k + "chat_accounts SET last_login = ? WHERE account = ?");
            insertAccount = session.prepare("INSERT INTO " + k + "chat_accounts (account) VALUES (?)");
            updateToken = session.prepare("UPDATE " + k + "chat_accounts USING TTL ? SET api_token = ?, token_expire = ?"
                    + " WHERE account = ?");
            selectAccount = session.prepare("SELECT account, last_login, api_token, token_expire FROM " + k
                    + "chat_accounts WHERE account = ?");
            deleteToken = session.prepare("DELETE api_token, token_expire FROM " + k + "chat_accounts WHERE account = ?");
            deleteAccount = session.prepare("DELETE FROM " + k + "chat_accounts WHERE account = ?");
            insertPublicKey = session.prepare("INSERT INTO " + k + "public_key_by_account (account, public_key,"
                    + " created_at) VALUES (?, ?, ?)");
            selectPublicKey = session.prepare("SELECT public_key FROM " + k + "public_key_by_account WHERE account = ?");
            deletePublicKey = session.prepare("DELETE FROM " + k + "public_key_by_account WHERE account = ?");
            insertDeviceToken = session.prepare("INSERT INTO " + tokens + " (username, domain, device_id, app_id,"
                    + " background_token, device_token, platform, silent, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
            selectDeviceTokens = session.prepare("SELECT app_id, device_id, platform, device_token, background_token,"
                    + " silent, user_agent FROM " + tokens + " WHERE username = ? AND domain = ?");
            selectDeviceToken = session.prepare("SELECT device_id FROM " + tokens + " WHERE username = ? AND domain = ?"
                    + " AND device_id = ? AND app_id = ?");
            deleteDeviceToken = session.prepare("DELETE FROM " + tokens + " WHERE username = ? AND domain = ?"
                    + " AND device_id = ? AND app_id = ?");
            deleteDeviceTokens = session.prepare("DELETE FROM " + tokens + " WHERE username = ? AND domain = ?");
        }
    }

    @Override
    public boolean add(StoredMessage message) throws StoreException {
        Queries q = queries();
        String what = "store message " + message.messageId() + " of " + message.account();
        int stripe = Math.floorMod(message.account().hashCode(), STRIPES);
        synchronized (locks[stripe]) {
            if (locate(q, message.account(), message.messageId(), what) != null) {
                return false;
            }
            long createdAt = Math.max(message.createdAt().toEpochMilli(), lastCreated[stripe] + 1);
            // taken even if the write fails: a write that timed out may still be applied
            lastCreated[stripe] = createdAt;
            Instant created = Instant.ofEpochMilli(createdAt);
            // logged: the id's row exists if and only if the message's does, which is what the check above relies on
            execute(q, BatchStatement.newInstance(DefaultBatchType.LOGGED,
                    q.insertMessage.bind(message.account(), message.contact(), message.direction(), message.messageId(),
                            message.contentType(), message.content(), message.timestamp().toInstant(), created,
                            message.disposition(), message.state()),
                    q.insertMessageId.bind(message.messageId(), created)), what);
            return true;
        }
    }

    /** The row of the account's message {@code messageId} (columns {@link #COLUMNS}), or null. */
    private Row locate(Queries q, String account, String messageId, String what) throws StoreException {
        Row id = execute(q, q.selectMessageId.bind(messageId), what).one();
        if (id == null) {
            // no account has it: every add writes the id with the message
            return null;
        }
        Row row = execute(q, q.selectMessage.bind(account, id.getInstant(0), messageId), what).one();
        return row != null ? row : execute(q, q.selectMessageById.bind(account, messageId), what).one();
    }

    @Override
    public Optional<StoredMessage> find(String account, String messageId) throws StoreException {
        Queries q = queries();
        return Optional.ofNullable(locate(q, account, messageId, "read message " + messageId + " of " + account))
                .map(CassandraMessageStore::message);
    }

    @Override
    public boolean update(String account, String messageId, String state, List<String> disposition)
            throws StoreException {
        Queries q = queries();
        String what = "update message " + messageId + " of " + account;
        Row row = locate(q, account, messageId, what);
        if (row == null) {
            return false;
        }
        execute(q, q.updateMessage.bind(remainingTtl(row), state, disposition, account, row.getInstant("created_at"),
                messageId), what);
        return true;
    }

    @Override
    public List<StoredMessage> journal(String account, String afterMessageId, Instant since, int limit)
            throws StoreException {
        Queries q = queries();
        String what = "read the journal of " + account;
        Row after = afterMessageId == null ? null : locate(q, account, afterMessageId, what);
        Statement<?> select = after != null
                ? q.selectJournalAfter.bind(account, after.getInstant("created_at"), afterMessageId, limit)
                : since != null ? q.selectJournalSince.bind(account, since, limit)
                : q.selectJournal.bind(account, limit);
        List<StoredMessage> messages = new ArrayList<>();
        for (Row row : execute(q, select, what)) {
            messages.add(message(row));
        }
        return messages;
    }

    @Override
    public boolean remove(String account, String messageId) throws StoreException {
        Queries q = queries();
        String what = "remove message " + messageId + " of " + account;
        Row row = locate(q, account, messageId, what);
        if (row == null) {
            return false;
        }
        execute(q, q.deleteMessage.bind(account, row.getInstant("created_at"), messageId), what);
        return true;
    }

    @Override
    public int removeConversation(String account, String contact) throws StoreException {
        Queries q = queries();
        String what = "remove the conversation of " + account + " with " + contact;
        int removed = 0;
        // contact is no key of the journal: the account's partition is read, as the original did
        for (Row row : execute(q, q.selectJournal.bind(account, Integer.MAX_VALUE), what)) {
            if (contact.equals(row.getString("contact"))) {
                execute(q, q.deleteMessage.bind(account, row.getInstant("created_at"), row.getString("message_id")), what);
                removed++;
            }
        }
        return removed;
    }

    @Override
    public int clearDispositions(String account, String contact) throws StoreException {
        Queries q = queries();
        String what = "mark the conversation of " + account + " with " + contact + " read";
        int cleared = 0;
        for (Row row : execute(q, q.selectJournal.bind(account, Integer.MAX_VALUE), what)) {
            if (contact.equals(row.getString("contact")) && !row.getList("disposition", String.class).isEmpty()) {
                execute(q, q.updateDisposition.bind(remainingTtl(row), List.of(), account, row.getInstant("created_at"),
                        row.getString("message_id")), what);
                cleared++;
            }
        }
        return cleared;
    }

    @Override
    public int undisplayed(String account, List<String> contentTypes) throws StoreException {
        Queries q = queries();
        int count = 0;
        for (Row row : execute(q, q.selectJournal.bind(account, Integer.MAX_VALUE),
                "count the undisplayed messages of " + account)) {
            if (StoredMessage.INCOMING.equals(row.getString("direction"))
                    && contentTypes.contains(row.getString("content_type"))
                    && row.getList("disposition", String.class).contains("display")) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void touchAccount(String account, Instant when) throws StoreException {
        Queries q = queries();
        execute(q, q.touchAccount.bind(when, account), "record account " + account);
    }

    @Override
    public boolean isKnown(String account) throws StoreException {
        Queries q = queries();
        return execute(q, q.selectAccount.bind(account), "read account " + account).one() != null;
    }

    @Override
    public void setApiToken(String account, String token, Instant expires) throws StoreException {
        Queries q = queries();
        long ttl = Math.max(MIN_TOKEN_TTL_SECONDS, Duration.between(Instant.now(), expires).toSeconds());
        // one partition: applied together; the row itself (the account being known) has no TTL
        execute(q, BatchStatement.newInstance(DefaultBatchType.UNLOGGED, q.insertAccount.bind(account),
                q.updateToken.bind((int) Math.min(ttl, Integer.MAX_VALUE), token, expires, account)),
                "store the API token of " + account);
    }

    @Override
    public boolean hasApiToken(String account, String token, Instant now) throws StoreException {
        Queries q = queries();
        Row row = execute(q, q.selectAccount.bind(account), "read the API token of " + account).one();
        if (row == null || token == null || !token.equals(row.getString("api_token"))) {
            return false;
        }
        Instant expires = row.getInstant("token_expire");
        return expires == null || expires.isAfter(now);
    }

    @Override
    public void setPublicKey(String account, String key, Instant when) throws StoreException {
        Queries q = queries();
        execute(q, q.insertPublicKey.bind(account, key, when), "store the public key of " + account);
    }

    @Override
    public Optional<String> publicKey(String account) throws StoreException {
        Queries q = queries();
        Row row = execute(q, q.selectPublicKey.bind(account), "read the public key of " + account).one();
        return row == null ? Optional.empty() : Optional.ofNullable(row.getString(0));
    }

    @Override
    public void putDeviceToken(DeviceToken token) throws StoreException {
        Queries q = queries();
        String[] user = user(token.account());
        execute(q, q.insertDeviceToken.bind(user[0], user[1], token.deviceId(), token.appId(), token.backgroundToken(),
                token.token(), token.platform(), token.silent() ? "1" : "0", token.userAgent()),
                "store a device token of " + token.account());
    }

    @Override
    public List<DeviceToken> deviceTokens(String account) throws StoreException {
        Queries q = queries();
        String[] user = user(account);
        List<DeviceToken> tokens = new ArrayList<>();
        for (Row row : execute(q, q.selectDeviceTokens.bind(user[0], user[1]), "read the device tokens of " + account)) {
            tokens.add(new DeviceToken(account, row.getString("app_id"), row.getString("device_id"),
                    row.getString("platform"), row.getString("device_token"), row.getString("background_token"),
                    silent(row.getString("silent")), row.getString("user_agent")));
        }
        tokens.sort(Comparator.comparing(DeviceToken::appId).thenComparing(DeviceToken::deviceId));
        return tokens;
    }

    @Override
    public boolean removeDeviceToken(String account, String appId, String deviceId) throws StoreException {
        Queries q = queries();
        String[] user = user(account);
        String what = "remove a device token of " + account;
        if (execute(q, q.selectDeviceToken.bind(user[0], user[1], deviceId, appId), what).one() == null) {
            return false;
        }
        execute(q, q.deleteDeviceToken.bind(user[0], user[1], deviceId, appId), what);
        return true;
    }

    @Override
    public Optional<AccountRecord> account(String account) throws StoreException {
        Queries q = queries();
        Row row = execute(q, q.selectAccount.bind(account), "read account " + account).one();
        return row == null ? Optional.empty() : Optional.of(new AccountRecord(account, row.getInstant("last_login"),
                row.getString("api_token"), row.getInstant("token_expire")));
    }

    @Override
    public boolean removeApiToken(String account) throws StoreException {
        Queries q = queries();
        String what = "remove the API token of " + account;
        Row row = execute(q, q.selectAccount.bind(account), what).one();
        if (row == null || row.getString("api_token") == null) {
            return false;
        }
        execute(q, q.deleteToken.bind(account), what);
        return true;
    }

    @Override
    public boolean removePublicKey(String account) throws StoreException {
        Queries q = queries();
        String what = "remove the public key of " + account;
        if (execute(q, q.selectPublicKey.bind(account), what).one() == null) {
            return false;
        }
        execute(q, q.deletePublicKey.bind(account), what);
        return true;
    }

    @Override
    public void removeAccount(String account) throws StoreException {
        Queries q = queries();
        String[] user = user(account);
        String what = "remove account " + account;
        // the id rows are left: other accounts' copies may share the ids, and their TTL removes them
        execute(q, BatchStatement.newInstance(DefaultBatchType.LOGGED, q.deleteJournal.bind(account),
                q.deleteAccount.bind(account), q.deletePublicKey.bind(account),
                q.deleteDeviceTokens.bind(user[0], user[1])), what);
    }

    @Override
    public void close() {
        closed = true;
        connector.shutdownNow();
        Queries q = queries;
        if (q != null) {
            q.session.close();
        }
    }

    private Queries queries() throws StoreException {
        Queries q = queries;
        if (q == null) {
            throw new StoreException("message store: Cassandra at " + config.describe() + " unreachable ("
                    + unreachable + "); connecting again every " + CONNECT_RETRY.toSeconds() + " s", null);
        }
        if (closed) {
            throw new StoreException("message store: closed", null);
        }
        return q;
    }

    private ResultSet execute(Queries q, Statement<?> statement, String what) throws StoreException {
        try {
            return q.session.execute(statement);
        } catch (DriverException | IllegalStateException e) {
            log.log(Level.FINE, "message store: cannot " + what, e);
            throw new StoreException("message store: cannot " + what + ": Cassandra at " + config.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The row's remaining TTL, for a change that must expire with it (0: none). */
    private static int remainingTtl(Row row) {
        int column = row.getColumnDefinitions().size() - 1;
        return row.isNull(column) ? 0 : row.getInt(column);
    }

    /** The push token table's partition key: user and domain of the account. */
    private static String[] user(String account) {
        int at = account.indexOf('@');
        return at < 0 ? new String[] {account, ""} : new String[] {account.substring(0, at), account.substring(at + 1)};
    }

    /** The original kept the Contact's {@code pn-silent} as written. */
    private static boolean silent(String value) {
        return value != null && List.of("1", "true", "yes", "on").contains(value.strip().toLowerCase(java.util.Locale.ROOT));
    }

    private static StoredMessage message(Row row) {
        Instant timestamp = row.getInstant("msg_timestamp");
        return new StoredMessage(row.getString("account"), row.getString("contact"), row.getString("direction"),
                row.getString("message_id"), row.getString("content_type"), row.getString("content"),
                timestamp == null ? null : OffsetDateTime.ofInstant(timestamp, ZoneOffset.UTC),
                row.getInstant("created_at"), row.getList("disposition", String.class), row.getString("state"));
    }
}
