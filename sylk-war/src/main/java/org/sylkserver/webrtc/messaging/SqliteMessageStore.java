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
import java.util.List;
import java.util.Optional;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

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
 * <p>One connection, used by one thread at a time: SQLite writes one transaction at a time anyway, and statements of
 * this store take microseconds.
 */
public final class SqliteMessageStore implements MessageStore {

    /** The database file in the storage directory. */
    public static final String FILE = "messages.db";
    private static final int SCHEMA_VERSION = 1;
    private static final String COLUMNS = "account, contact, direction, message_id, content_type, content, msg_timestamp,"
            + " created_at, disposition, state";

    private final Connection db;
    /** The prepared insert of {@link #add}, owned by the store's lock. */
    private PreparedStatement insert;
    /** Adds waiting for the next commit (see {@link #add}). */
    private final List<PendingAdd> waiting = new ArrayList<>();

    private SqliteMessageStore(Connection db) {
        this.db = db;
    }

    /**
     * Opens (creating it if needed) the store in {@code directory}.
     *
     * @param fsync whether every commit waits for the disk (survives power loss), not only for the operating system
     */
    public static SqliteMessageStore open(Path directory, boolean fsync) throws StoreException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException("cannot create the storage directory " + directory + ": " + e.getMessage(), e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(fsync ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(10_000);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + directory.resolve(FILE));
        try {
            Connection db = source.getConnection();
            createSchema(db);
            return new SqliteMessageStore(db);
        } catch (SQLException e) {
            throw new StoreException("cannot open the message store " + directory.resolve(FILE) + ": " + e.getMessage(), e);
        }
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

    /** One {@link #add} waiting for its commit; its fields are written and read holding the store's lock. */
    private static final class PendingAdd {
        final StoredMessage message;
        boolean committed;
        boolean stored;
        StoreException failure;

        PendingAdd(StoredMessage message) {
            this.message = message;
        }
    }

    /**
     * Group commit: the adds that arrive while a commit runs are stored together in the next transaction, so that
     * concurrent callers (SIP threads, connections) share one commit instead of queueing for one each. The first
     * caller to get the store's lock commits every add waiting then; each returns once its own is committed.
     */
    @Override
    public boolean add(StoredMessage message) throws StoreException {
        PendingAdd add = new PendingAdd(message);
        synchronized (waiting) {
            waiting.add(add);
        }
        synchronized (this) {
            if (!add.committed) {
                List<PendingAdd> batch;
                synchronized (waiting) {
                    batch = new ArrayList<>(waiting);
                    waiting.clear();
                }
                commit(batch);
            }
            if (add.failure != null) {
                throw add.failure;
            }
            return add.stored;
        }
    }

    /** Stores {@code batch} in one transaction; if that fails, each in its own, so one bad add fails alone. */
    private void commit(List<PendingAdd> batch) {
        try {
            db.setAutoCommit(false);
            try {
                for (PendingAdd add : batch) {
                    add.stored = insert(add.message);
                }
                db.commit();
                batch.forEach(add -> add.committed = true);
                return;
            } catch (SQLException e) {
                db.rollback();
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // the connection is broken: the adds below fail one by one and say why
        }
        for (PendingAdd add : batch) {
            try {
                add.stored = insert(add.message);
            } catch (SQLException e) {
                add.failure = failed("store message " + add.message.messageId() + " of " + add.message.account(), e);
            }
            add.committed = true;
        }
    }

    /** Under the store's lock; the statement is prepared once (preparing took a third of an add's time). */
    private boolean insert(StoredMessage message) throws SQLException {
        if (insert == null) {
            insert = db.prepareStatement("INSERT OR IGNORE INTO chat_messages (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
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

    @Override
    public synchronized Optional<StoredMessage> find(String account, String messageId) throws StoreException {
        try (PreparedStatement select = db.prepareStatement("SELECT " + COLUMNS
                + " FROM chat_messages WHERE account = ? AND message_id = ?")) {
            select.setString(1, account);
            select.setString(2, messageId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(message(row)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("read message " + messageId + " of " + account, e);
        }
    }

    @Override
    public synchronized boolean update(String account, String messageId, String state, List<String> disposition)
            throws StoreException {
        try (PreparedStatement update = db.prepareStatement("UPDATE chat_messages SET state = ?, disposition = ?"
                + " WHERE account = ? AND message_id = ?")) {
            update.setString(1, state);
            update.setString(2, String.join(",", disposition));
            update.setString(3, account);
            update.setString(4, messageId);
            return update.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failed("update message " + messageId + " of " + account, e);
        }
    }

    @Override
    public synchronized List<StoredMessage> journal(String account, String afterMessageId, Instant since, int limit)
            throws StoreException {
        try {
            Long afterSeq = afterMessageId == null ? null : sequence(account, afterMessageId);
            String where = afterSeq != null ? " AND seq > ?" : since != null ? " AND created_at > ?" : "";
            try (PreparedStatement select = db.prepareStatement("SELECT " + COLUMNS + " FROM chat_messages"
                    + " WHERE account = ?" + where + " ORDER BY seq LIMIT ?")) {
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
            }
        } catch (SQLException e) {
            throw failed("read the journal of " + account, e);
        }
    }

    private Long sequence(String account, String messageId) throws SQLException {
        try (PreparedStatement select = db.prepareStatement("SELECT seq FROM chat_messages WHERE account = ? AND message_id = ?")) {
            select.setString(1, account);
            select.setString(2, messageId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getLong(1) : null;
            }
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
    public synchronized int undisplayed(String account, List<String> contentTypes) throws StoreException {
        String types = String.join(", ", java.util.Collections.nCopies(contentTypes.size(), "?"));
        try (PreparedStatement select = db.prepareStatement("SELECT count(*) FROM chat_messages WHERE account = ?"
                + " AND direction = 'incoming' AND content_type IN (" + types + ")"
                + " AND (',' || disposition || ',') LIKE '%,display,%'")) {
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

    @Override
    public synchronized void touchAccount(String account, Instant when) throws StoreException {
        change("record account " + account, "INSERT INTO chat_accounts (account, last_login) VALUES (?, ?)"
                + " ON CONFLICT (account) DO UPDATE SET last_login = excluded.last_login", account, micros(when));
    }

    @Override
    public synchronized boolean isKnown(String account) throws StoreException {
        try (PreparedStatement select = db.prepareStatement("SELECT 1 FROM chat_accounts WHERE account = ?")) {
            select.setString(1, account);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        } catch (SQLException e) {
            throw failed("read account " + account, e);
        }
    }

    @Override
    public synchronized void setApiToken(String account, String token, Instant expires) throws StoreException {
        change("store the API token of " + account, "INSERT INTO chat_accounts (account, api_token, token_expire)"
                + " VALUES (?, ?, ?) ON CONFLICT (account) DO UPDATE SET api_token = excluded.api_token,"
                + " token_expire = excluded.token_expire", account, token, micros(expires));
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

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // nothing is pending: every change was committed when it was made
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
                row.getString(5), row.getString(6), OffsetDateTime.parse(row.getString(7)), instant(row.getLong(8)),
                disposition.isEmpty() ? List.of() : Arrays.asList(disposition.split(",")), row.getString(10));
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
