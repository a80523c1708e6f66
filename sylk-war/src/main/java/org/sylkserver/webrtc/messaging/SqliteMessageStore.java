package org.sylkserver.webrtc.messaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sylkserver.protocols.cpim.CpimMessage;

/**
 * The embedded message store: one SQLite database file (docs/messaging.md says why SQLite). The tables are those of
 * spec §4.8.6 with the original's names; the journal has, besides, a sequence number ({@code seq}) that gives the
 * storage order, which timestamps alone cannot (two messages in the same microsecond).
 *
 * <p>Durability: write-ahead log with {@code synchronous=NORMAL}, so a commit is in the log when the call returns and
 * survives the server process being killed; {@code synchronous=FULL} ({@code [FileStorage] fsync}) also survives an
 * operating-system crash or power loss, at one fsync per commit. Every change is one transaction, except that
 * messages stored concurrently share one ({@link #add}).
 *
 * <p>Two connections. The writing one is used by one thread at a time (the store's lock): the messages and their
 * state changes, the hot writes, are committed in batches by one caller for all ({@link #add}); the other
 * writes take the lock themselves. Reads use the second connection under their own lock: in WAL mode they see every
 * committed transaction and neither wait for a commit nor hold one up (a 5,000-message sync used to stop every
 * store for its duration). Statements are prepared once per connection.
 */
public final class SqliteMessageStore implements MessageStore {

    /** The database file in the storage directory. */
    public static final String FILE = "messages.db";
    private static final int SCHEMA_VERSION = 1;
    private static final String COLUMNS = "account, contact, direction, message_id, content_type, content, msg_timestamp,"
            + " created_at, disposition, state";

    /** The writing connection: under the store's lock. */
    private final Connection db;
    /** The reading connection: under its own lock. */
    private final Connection reader;
    /** Statements of {@link #db}, prepared once: under the store's lock. */
    private final Map<String, PreparedStatement> writes = new HashMap<>();
    /** Statements of {@link #reader}, prepared once: under the reader's lock. */
    private final Map<String, PreparedStatement> reads = new HashMap<>();
    /** Changes waiting for the next commit, in arrival order; its monitor guards every field of the group commit. */
    private final List<Batched> batched = new ArrayList<>();
    /** Whether a caller commits batches now (the leader, see {@link #add}). */
    private boolean committing;
    /** Whether {@link #close} was called: no change is queued any more. */
    private boolean closed;
    /**
     * Accounts known to be in {@code chat_accounts}: {@link #isKnown} is asked for every incoming message, and reading
     * the database for it waited behind every commit (in the benchmark, that wait was most of the SIP threads' time).
     * Only {@link #removeAccount} removes an account's row, and it removes it here too; another process
     * ({@code sylk-db remove} while the server runs) may remove it as well, so a cached answer older than
     * {@link #KNOWN_RECHECK_NANOS} is trusted only after {@code PRAGMA data_version} of the writing connection shows
     * that no other connection committed since the last look (SQLite: the value changes exactly when another
     * connection, of this process or another, commits).
     */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** How long {@link #known} is trusted without asking the database whether another process changed it. */
    static final long KNOWN_RECHECK_NANOS = 1_000_000_000L;
    private final LongSupplier nanoClock;
    /** When {@link #known} was last checked against the database ({@link #nanoClock}). */
    private volatile long knownCheckedAt;
    /** {@code PRAGMA data_version} of {@link #db} at that check; guarded by this store's lock. */
    private long dataVersion = -1;

    private SqliteMessageStore(Connection db, Connection reader, LongSupplier nanoClock) {
        this.db = db;
        this.reader = reader;
        this.nanoClock = nanoClock;
        this.knownCheckedAt = nanoClock.getAsLong();
    }

    /**
     * Opens (creating it if needed) the store in {@code directory}.
     *
     * @param fsync whether every commit waits for the disk (survives power loss), not only for the operating system
     */
    public static SqliteMessageStore open(Path directory, boolean fsync) throws StoreException {
        return open(directory, fsync, System::nanoTime);
    }

    /** {@link #open(Path, boolean)} with the clock that times the known-account cache (tests pass their own). */
    static SqliteMessageStore open(Path directory, boolean fsync, LongSupplier nanoClock) throws StoreException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException("cannot create the storage directory " + directory + ": " + e.getMessage(), e);
        }
        SQLiteConfig config = config(fsync);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + directory.resolve(FILE));
        try {
            Connection db = source.getConnection();
            createSchema(db);
            SQLiteConfig readOnly = new SQLiteConfig(config.toProperties());
            readOnly.setReadOnly(true);
            SQLiteDataSource reading = new SQLiteDataSource(readOnly);
            reading.setUrl(source.getUrl());
            return new SqliteMessageStore(db, reading.getConnection(), nanoClock);
        } catch (SQLException e) {
            throw new StoreException("cannot open the message store " + directory.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The connections' settings: WAL, {@code synchronous} by {@code fsync}, a busy timeout, and no generated keys: by
     * default the driver follows every INSERT with a statement of its own, {@code SELECT last_insert_rowid()},
     * compiled and run for keys that the store never asks for (issue 14, session 23: 1.8 % of an
     * {@code account-message}'s Java samples, and SQLite's native work besides).
     */
    static SQLiteConfig config(boolean fsync) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(fsync ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(10_000);
        config.setGetGeneratedKeys(false);
        return config;
    }

    private static void createSchema(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            try (ResultSet version = statement.executeQuery("PRAGMA user_version")) {
                int found = version.next() ? version.getInt(1) : 0;
                if (found > SCHEMA_VERSION) {
                    throw new SQLException("the database has schema version " + found + ", newer than this server's "
                            + SCHEMA_VERSION);
                }
            }
            db.setAutoCommit(false);
            statement.executeUpdate("CREATE TABLE IF NOT EXISTS chat_messages ("
                    + " seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, contact TEXT NOT NULL,"
                    + " direction TEXT NOT NULL, message_id TEXT NOT NULL, content_type TEXT NOT NULL,"
                    + " content TEXT NOT NULL, msg_timestamp TEXT NOT NULL, created_at INTEGER NOT NULL,"
                    + " disposition TEXT NOT NULL, state TEXT NOT NULL, UNIQUE (account, message_id))");
            statement.executeUpdate("CREATE INDEX IF NOT EXISTS chat_messages_by_account ON chat_messages (account, seq)");
            statement.executeUpdate("CREATE INDEX IF NOT EXISTS chat_messages_by_contact ON chat_messages (account, contact)");
            statement.executeUpdate("CREATE TABLE IF NOT EXISTS chat_accounts (account TEXT PRIMARY KEY,"
                    + " last_login INTEGER, api_token TEXT, token_expire INTEGER)");
            statement.executeUpdate("CREATE TABLE IF NOT EXISTS public_key_by_account (account TEXT PRIMARY KEY,"
                    + " public_key TEXT NOT NULL, created_at INTEGER NOT NULL)");
            statement.executeUpdate("CREATE TABLE IF NOT EXISTS push_tokens (account TEXT NOT NULL, app_id TEXT NOT NULL,"
                    + " device_id TEXT NOT NULL, platform TEXT NOT NULL, device_token TEXT NOT NULL,"
                    + " background_token TEXT, silent INTEGER NOT NULL, user_agent TEXT,"
                    + " PRIMARY KEY (account, app_id, device_id))");
            statement.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    /**
     * A change waiting for a commit, and its caller's thread ({@code waiter}, parked until {@code finished} or
     * {@code leads}). The leader sets the outcome ({@code changed}, {@code failure}) before {@code finished}.
     */
    private static final class Batched {
        final String what;
        final Change change;
        final Thread waiter = Thread.currentThread();
        volatile boolean finished;
        volatile boolean leads;
        boolean changed;
        StoreException failure;

        Batched(String what, Change change) {
            this.what = what;
            this.change = change;
        }

        /** Once finished: whether the change changed a row; its failure, thrown. */
        boolean get() throws StoreException {
            if (failure != null) {
                throw failure;
            }
            return changed;
        }
    }

    /** One statement of a batch: whether it changed a row. */
    @FunctionalInterface
    private interface Change {
        boolean apply() throws SQLException;
    }

    /**
     * Group commit: adds (and {@link #update}s) that arrive while a commit runs are committed together in the next
     * transaction, so that concurrent callers (SIP threads, connections) share one commit instead of queueing for one
     * each. A caller that finds no commit running leads: it commits everything queued (its own change included), then
     * wakes each caller of that batch, then hands the lead to the first caller queued meanwhile, if any. Each caller
     * waits for its own change alone and is woken alone: when they all waited on one monitor, every commit woke them
     * all, and dozens of SIP threads taking that monitor one after the other held up the next commit more than the
     * commit itself did. An uncontended caller commits at once on its own thread. Returns once the message is committed.
     */
    @Override
    public boolean add(StoredMessage message) throws StoreException {
        return committed(List.of(adding(message))).get(0).get();
    }

    /**
     * The changes queued one behind the other, so that they are in one commit, the same as any other caller's queued
     * with them: a conversation's successive messages share a transaction instead of waiting for one each (issue 14).
     */
    @Override
    public List<Written> write(List<Write> changes) {
        List<Batched> queued = new ArrayList<>(changes.size());
        for (Write change : changes) {
            queued.add(change instanceof Add add ? adding(add.message()) : updating((Update) change));
        }
        List<Written> outcomes = new ArrayList<>(changes.size());
        try {
            for (Batched change : committed(queued)) {
                outcomes.add(new Written(change.changed, change.failure));
            }
        } catch (StoreException closed) {
            queued.forEach(change -> outcomes.add(new Written(false, closed)));
        }
        return outcomes;
    }

    private Batched adding(StoredMessage message) {
        return new Batched("store message " + message.messageId() + " of " + message.account(), () -> insert(message));
    }

    /**
     * Queues {@code changes} together (so they are in the same commit, in this order), waits for their commit (or
     * leads); an interrupt waits too, and is kept. Each change's outcome is in its entry; throws only when the store is
     * closed.
     */
    private List<Batched> committed(List<Batched> changes) throws StoreException {
        if (changes.isEmpty()) {
            return changes;
        }
        Batched first = changes.get(0);
        Batched last = changes.get(changes.size() - 1);
        synchronized (batched) {
            if (closed) {
                throw new StoreException("message store: cannot " + first.what + ": the store is closed", null);
            }
            // one leader takes the whole queue at once: changes queued together are committed together
            batched.addAll(changes);
            if (!committing) {
                committing = true;
                first.leads = true;
            }
        }
        boolean interrupted = false;
        // the lead is handed to the first change queued: of these, only the first can get it
        while (!last.finished && !first.leads) {
            LockSupport.park(this);
            // the changes are queued and will be committed: wait for them, and keep the interrupt for the caller
            interrupted |= Thread.interrupted();
        }
        if (!last.finished) {
            lead();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return changes;
    }

    /** The leader: commits what is queued, wakes its callers, and hands the lead on (or ends it). */
    private void lead() {
        List<Batched> batch;
        synchronized (batched) {
            batch = new ArrayList<>(batched);
            batched.clear();
        }
        try {
            synchronized (this) {
                commit(batch);
            }
        } catch (RuntimeException e) {
            for (Batched change : batch) {
                change.failure = new StoreException("message store: cannot " + change.what + ": " + e, e);
            }
        } finally {
            for (Batched change : batch) {
                change.finished = true;
                LockSupport.unpark(change.waiter);
            }
            Batched next = null;
            synchronized (batched) {
                if (batched.isEmpty()) {
                    committing = false;
                    batched.notifyAll();
                } else {
                    next = batched.get(0);
                    next.leads = true;
                }
            }
            if (next != null) {
                LockSupport.unpark(next.waiter);
            }
        }
    }

    /**
     * Makes {@code batch} in one transaction; if that fails, each change in its own, so that one bad change fails alone.
     */
    private void commit(List<Batched> batch) {
        boolean[] changed = new boolean[batch.size()];
        try {
            db.setAutoCommit(false);
            try {
                for (int i = 0; i < batch.size(); i++) {
                    changed[i] = batch.get(i).change.apply();
                }
                db.commit();
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).changed = changed[i];
                }
                return;
            } catch (SQLException e) {
                db.rollback();
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // the connection is broken: the changes below fail one by one and say why
        }
        for (Batched change : batch) {
            try {
                change.changed = change.change.apply();
            } catch (SQLException e) {
                change.failure = failed(change.what, e);
            }
        }
    }

    /** Under the store's lock. */
    private boolean insert(StoredMessage message) throws SQLException {
        PreparedStatement insert = prepared(db, writes, "INSERT OR IGNORE INTO chat_messages (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insert.setString(1, message.account());
        insert.setString(2, message.contact());
        insert.setString(3, message.direction());
        insert.setString(4, message.messageId());
        insert.setString(5, message.contentType());
        insert.setString(6, message.content());
        insert.setString(7, message.timestamp().toString());
        insert.setLong(8, micros(message.createdAt()));
        insert.setString(9, String.join(",", message.disposition()));
        insert.setString(10, message.state());
        return insert.executeUpdate() == 1;
    }

    /**
     * {@code sql} prepared on {@code connection}, once: preparing took a third of an add's time. The caller holds the
     * connection's lock, and closes each result set before the statement runs again.
     */
    private static PreparedStatement prepared(Connection connection, Map<String, PreparedStatement> statements,
                                              String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    @Override
    public Optional<StoredMessage> find(String account, String messageId) throws StoreException {
        synchronized (reader) {
            try {
                PreparedStatement select = prepared(reader, reads, "SELECT " + COLUMNS
                        + " FROM chat_messages WHERE account = ? AND message_id = ?");
                select.setString(1, account);
                select.setString(2, messageId);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(message(row)) : Optional.empty();
                }
            } catch (SQLException e) {
                throw failed("read message " + messageId + " of " + account, e);
            }
        }
    }

    @Override
    public boolean update(String account, String messageId, String state, List<String> disposition)
            throws StoreException {
        // batched with the adds: every sent message is updated once its SIP MESSAGE has its final response
        return committed(List.of(updating(new Update(account, messageId, state, disposition)))).get(0).get();
    }

    private Batched updating(Update change) {
        return new Batched("update message " + change.messageId() + " of " + change.account(), () -> {
            PreparedStatement update = prepared(db, writes, "UPDATE chat_messages SET state = ?, disposition = ?"
                    + " WHERE account = ? AND message_id = ?");
            update.setString(1, change.state());
            update.setString(2, String.join(",", change.disposition()));
            update.setString(3, change.account());
            update.setString(4, change.messageId());
            return update.executeUpdate() > 0;
        });
    }

    /** Each selection has its statement, each using an index: (account, seq), or UNIQUE (account, message_id). */
    @Override
    public List<StoredMessage> journal(String account, String afterMessageId, Instant since, int limit)
            throws StoreException {
        synchronized (reader) {
            try {
                Long afterSeq = afterMessageId == null ? null : sequence(account, afterMessageId);
                String where = afterSeq != null ? " AND seq > ?" : since != null ? " AND created_at > ?" : "";
                PreparedStatement select = prepared(reader, reads, "SELECT " + COLUMNS + " FROM chat_messages"
                        + " WHERE account = ?" + where + " ORDER BY seq LIMIT ?");
                int index = 1;
                select.setString(index++, account);
                if (afterSeq != null) {
                    select.setLong(index++, afterSeq);
                } else if (since != null) {
                    select.setLong(index++, micros(since));
                }
                select.setInt(index, limit);
                List<StoredMessage> messages = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        messages.add(message(rows));
                    }
                }
                return messages;
            } catch (SQLException e) {
                throw failed("read the journal of " + account, e);
            }
        }
    }

    /** Under the reader's lock. */
    private Long sequence(String account, String messageId) throws SQLException {
        PreparedStatement select = prepared(reader, reads, "SELECT seq FROM chat_messages WHERE account = ? AND message_id = ?");
        select.setString(1, account);
        select.setString(2, messageId);
        try (ResultSet row = select.executeQuery()) {
            return row.next() ? row.getLong(1) : null;
        }
    }

    @Override
    public synchronized boolean remove(String account, String messageId) throws StoreException {
        return change("remove message " + messageId + " of " + account,
                "DELETE FROM chat_messages WHERE account = ? AND message_id = ?", account, messageId) > 0;
    }

    @Override
    public synchronized int removeConversation(String account, String contact) throws StoreException {
        return change("remove the conversation of " + account + " with " + contact,
                "DELETE FROM chat_messages WHERE account = ? AND contact = ?", account, contact);
    }

    @Override
    public synchronized int clearDispositions(String account, String contact) throws StoreException {
        return change("mark the conversation of " + account + " with " + contact + " read",
                "UPDATE chat_messages SET disposition = '' WHERE account = ? AND contact = ? AND disposition <> ''",
                account, contact);
    }

    @Override
    public int undisplayed(String account, List<String> contentTypes) throws StoreException {
        String types = String.join(", ", java.util.Collections.nCopies(contentTypes.size(), "?"));
        synchronized (reader) {
            try {
                PreparedStatement select = prepared(reader, reads, "SELECT count(*) FROM chat_messages WHERE account = ?"
                        + " AND direction = 'incoming' AND content_type IN (" + types + ")"
                        + " AND (',' || disposition || ',') LIKE '%,display,%'");
                select.setString(1, account);
                for (int i = 0; i < contentTypes.size(); i++) {
                    select.setString(i + 2, contentTypes.get(i));
                }
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getInt(1) : 0;
                }
            } catch (SQLException e) {
                throw failed("count the undisplayed messages of " + account, e);
            }
        }
    }

    @Override
    public synchronized void touchAccount(String account, Instant when) throws StoreException {
        change("record account " + account, "INSERT INTO chat_accounts (account, last_login) VALUES (?, ?)"
                + " ON CONFLICT (account) DO UPDATE SET last_login = excluded.last_login", account, micros(when));
        known.add(account);
    }

    @Override
    public boolean isKnown(String account) throws StoreException {
        if (known.contains(account) && nanoClock.getAsLong() - knownCheckedAt < KNOWN_RECHECK_NANOS) {
            return true;
        }
        synchronized (this) {
            if (nanoClock.getAsLong() - knownCheckedAt >= KNOWN_RECHECK_NANOS) {
                forgetKnownIfChangedElsewhere(); // not for every unknown account: once a second at most
            }
            try (PreparedStatement select = db.prepareStatement("SELECT 1 FROM chat_accounts WHERE account = ?")) {
                select.setString(1, account);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        known.add(account);
                        return true;
                    }
                    return false;
                }
            } catch (SQLException e) {
                throw failed("read account " + account, e);
            }
        }
    }

    /** Empties {@link #known} when another connection committed since the last check (caller holds the lock). */
    private void forgetKnownIfChangedElsewhere() throws StoreException {
        try (Statement statement = db.createStatement();
             ResultSet version = statement.executeQuery("PRAGMA data_version")) {
            long now = version.next() ? version.getLong(1) : -1;
            if (now != dataVersion) {
                known.clear();
                dataVersion = now;
            }
            knownCheckedAt = nanoClock.getAsLong();
        } catch (SQLException e) {
            throw failed("check the accounts for changes by other processes", e);
        }
    }

    @Override
    public synchronized void setApiToken(String account, String token, Instant expires) throws StoreException {
        change("store the API token of " + account, "INSERT INTO chat_accounts (account, api_token, token_expire)"
                + " VALUES (?, ?, ?) ON CONFLICT (account) DO UPDATE SET api_token = excluded.api_token,"
                + " token_expire = excluded.token_expire", account, token, micros(expires));
        known.add(account);
    }

    @Override
    public synchronized boolean hasApiToken(String account, String token, Instant now) throws StoreException {
        try (PreparedStatement select = db.prepareStatement("SELECT api_token, token_expire FROM chat_accounts"
                + " WHERE account = ?")) {
            select.setString(1, account);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && token != null && token.equals(row.getString(1)) && row.getLong(2) > micros(now);
            }
        } catch (SQLException e) {
            throw failed("read the API token of " + account, e);
        }
    }

    @Override
    public synchronized void setPublicKey(String account, String key, Instant when) throws StoreException {
        change("store the public key of " + account, "INSERT INTO public_key_by_account (account, public_key,"
                + " created_at) VALUES (?, ?, ?) ON CONFLICT (account) DO UPDATE SET public_key = excluded.public_key,"
                + " created_at = excluded.created_at", account, key, micros(when));
    }

    @Override
    public synchronized Optional<String> publicKey(String account) throws StoreException {
        try (PreparedStatement select = db.prepareStatement("SELECT public_key FROM public_key_by_account WHERE account = ?")) {
            select.setString(1, account);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("read the public key of " + account, e);
        }
    }

    @Override
    public synchronized void putDeviceToken(DeviceToken token) throws StoreException {
        change("store a device token of " + token.account(), "INSERT OR REPLACE INTO push_tokens (account, app_id,"
                        + " device_id, platform, device_token, background_token, silent, user_agent)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", token.account(), token.appId(), token.deviceId(),
                token.platform(), token.token(), token.backgroundToken(), token.silent() ? 1 : 0, token.userAgent());
    }

    @Override
    public synchronized List<DeviceToken> deviceTokens(String account) throws StoreException {
        try (PreparedStatement select = db.prepareStatement("SELECT app_id, device_id, platform, device_token,"
                + " background_token, silent, user_agent FROM push_tokens WHERE account = ? ORDER BY app_id, device_id")) {
            select.setString(1, account);
            List<DeviceToken> tokens = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    tokens.add(new DeviceToken(account, rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), rows.getString(5), rows.getInt(6) != 0, rows.getString(7)));
                }
            }
            return tokens;
        } catch (SQLException e) {
            throw failed("read the device tokens of " + account, e);
        }
    }

    @Override
    public synchronized boolean removeDeviceToken(String account, String appId, String deviceId) throws StoreException {
        return change("remove a device token of " + account,
                "DELETE FROM push_tokens WHERE account = ? AND app_id = ? AND device_id = ?", account, appId, deviceId) > 0;
    }

    @Override
    public synchronized Optional<AccountRecord> account(String account) throws StoreException {
        try (PreparedStatement select = db.prepareStatement("SELECT last_login, api_token, token_expire"
                + " FROM chat_accounts WHERE account = ?")) {
            select.setString(1, account);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                long lastLogin = row.getLong(1);
                Instant loggedIn = row.wasNull() ? null : instant(lastLogin);
                String token = row.getString(2);
                long expires = row.getLong(3);
                Instant validUntil = row.wasNull() || token == null ? null : instant(expires);
                return Optional.of(new AccountRecord(account, loggedIn, token, validUntil));
            }
        } catch (SQLException e) {
            throw failed("read account " + account, e);
        }
    }

    @Override
    public synchronized boolean removeApiToken(String account) throws StoreException {
        return change("blank the API token of " + account, "UPDATE chat_accounts SET api_token = NULL, token_expire"
                + " = NULL WHERE account = ? AND api_token IS NOT NULL", account) > 0;
    }

    @Override
    public synchronized boolean removePublicKey(String account) throws StoreException {
        return change("remove the public key of " + account, "DELETE FROM public_key_by_account WHERE account = ?",
                account) > 0;
    }

    @Override
    public synchronized void removeAccount(String account) throws StoreException {
        known.remove(account);
        try {
            db.setAutoCommit(false);
            for (String table : List.of("chat_messages", "chat_accounts", "public_key_by_account", "push_tokens")) {
                try (PreparedStatement delete = db.prepareStatement("DELETE FROM " + table + " WHERE account = ?")) {
                    delete.setString(1, account);
                    delete.executeUpdate();
                }
            }
            db.commit();
        } catch (SQLException e) {
            try {
                db.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw failed("remove account " + account, e);
        } finally {
            try {
                db.setAutoCommit(true);
            } catch (SQLException e) {
                // the connection is broken: the next statement reports it
            }
        }
    }

    /** Lets the commits running end (the leader's {@code notifyAll} says so), then closes; later changes fail. */
    @Override
    public void close() {
        boolean interrupted = false;
        synchronized (batched) {
            if (closed) {
                return;
            }
            closed = true;
            while (committing) {
                try {
                    batched.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        synchronized (this) {
            synchronized (reader) {
                try {
                    reader.close();
                    db.close();
                } catch (SQLException e) {
                    // nothing is pending: every change was committed when it was made
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One statement in its own transaction; the number of rows it changed. */
    private int change(String what, String sql, Object... parameters) throws StoreException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    private static StoredMessage message(ResultSet row) throws SQLException {
        String disposition = row.getString(9);
        return new StoredMessage(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                row.getString(5), row.getString(6), timestamp(row.getString(7)), instant(row.getLong(8)),
                disposition.isEmpty() ? List.of() : Arrays.asList(disposition.split(",")), row.getString(10));
    }

    /**
     * A stored {@code OffsetDateTime.toString()}: read without the JDK's formatter when {@link #usualTimestamp} can,
     * whose first 5,000 parses took about 150 ms of CPU (most of a cold sync's journal read); the JDK's parser reads
     * the rest (years beyond 9999, offsets with seconds).
     */
    static OffsetDateTime timestamp(String stored) {
        OffsetDateTime usual = usualTimestamp(stored);
        return usual != null ? usual : OffsetDateTime.parse(stored);
    }

    /**
     * {@code stored} read by CPIM's reader of the usual RFC 3339 form, or null when it is not in it. {@code toString}
     * leaves out seconds and fraction when both are zero ({@code 2026-01-01T10:00Z}), the time of every message sent
     * on a whole minute: completed here with {@code :00} (such times went to the formatter, half of the journal read
     * of a sync of 5,000 of them, session 17).
     */
    static OffsetDateTime usualTimestamp(String stored) {
        boolean wholeMinute = stored.length() > 16 && stored.charAt(13) == ':' && stored.charAt(16) != ':';
        return CpimMessage.usualDateTime(wholeMinute ? stored.substring(0, 16) + ":00" + stored.substring(16) : stored);
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    private static StoreException failed(String what, SQLException e) {
        return new StoreException("message store: cannot " + what + ": " + e.getMessage(), e);
    }
}
