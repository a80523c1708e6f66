package org.sylkserver.webrtc.messaging;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the gateway keeps what must outlive a connection (spec §4.8.6): each account's message journal, the accounts
 * known to messaging with their history API tokens, public keys and device push tokens. Every method is thread-safe,
 * and a change is durable when the method returns: the gateway acknowledges a message only after that (issue 14).
 * {@code MessageStoreContract} is the test suite every backend passes.
 */
public interface MessageStore extends AutoCloseable {

    /** The number of journal entries a sync returns when the client gives no {@code limit} (spec §4.4). */
    int DEFAULT_SYNC_LIMIT = 5000;

    /**
     * Stores a journal entry unless the account already has one with its id (spec §4.8.4 de-duplication).
     *
     * @return whether it was stored
     */
    boolean add(StoredMessage message) throws StoreException;

    /** A change {@link #write} makes: a journal entry to add, or the new state of one. */
    sealed interface Write permits Add, Update {
    }

    /** {@link #add} of {@code message}. */
    record Add(StoredMessage message) implements Write {
    }

    /** {@link #update} of the account's entry {@code messageId}. */
    record Update(String account, String messageId, String state, List<String> disposition) implements Write {
    }

    /** What became of one change of {@link #write}: whether it changed a row (as add and update say), or why it failed. */
    record Written(boolean changed, StoreException failure) {
        /** Whether the change changed a row; its failure, thrown. */
        public boolean get() throws StoreException {
            if (failure != null) {
                throw failure;
            }
            return changed;
        }
    }

    /**
     * Makes {@code changes} in their order, as {@link #add} and {@link #update} called one after the other would, and
     * returns when every one of them is durable or failed: one outcome per change, in the same order (a change that
     * fails fails alone). A conversation's successive messages come this way, so that a backend can commit them
     * together (issue 14); this default makes them one by one.
     */
    default List<Written> write(List<Write> changes) {
        List<Written> outcomes = new ArrayList<>(changes.size());
        for (Write change : changes) {
            try {
                boolean changed = change instanceof Add add ? add(add.message()) : update((Update) change);
                outcomes.add(new Written(changed, null));
            } catch (StoreException e) {
                outcomes.add(new Written(false, e));
            }
        }
        return outcomes;
    }

    private boolean update(Update update) throws StoreException {
        return update(update.account(), update.messageId(), update.state(), update.disposition());
    }

    /** The account's entry with this id. */
    Optional<StoredMessage> find(String account, String messageId) throws StoreException;

    /**
     * Sets the state and the pending notifications of the account's entry {@code messageId}.
     *
     * @return whether the account has such an entry
     */
    boolean update(String account, String messageId, String state, List<String> disposition) throws StoreException;

    /**
     * The account's journal in storage order (spec §4.8.4): the entries stored after the entry {@code afterMessageId}
     * when the account has it; else those stored after {@code since} when it is given; else all of them (one default
     * for every backend, fixing quirk Q20). At most {@code limit}, the first ones.
     *
     * @param afterMessageId the last entry the client has, or null
     * @param since          a storage time, or null
     */
    List<StoredMessage> journal(String account, String afterMessageId, Instant since, int limit) throws StoreException;

    /** Removes the account's entry {@code messageId}; whether there was one. */
    boolean remove(String account, String messageId) throws StoreException;

    /** Removes every entry of the account's journal with {@code contact}; how many. */
    int removeConversation(String account, String contact) throws StoreException;

    /** Clears the pending notifications of every entry with {@code contact} (the conversation was read); how many. */
    int clearDispositions(String account, String contact) throws StoreException;

    /**
     * How many of the account's incoming messages of {@code contentTypes} still wait to be displayed (their
     * notifications include {@code display}): the push badge (spec §4.11).
     */
    int undisplayed(String account, List<String> contentTypes) throws StoreException;

    /** Records that the account uses messaging (it registered or asked for a token, spec §4.8.2) at {@code when}. */
    void touchAccount(String account, Instant when) throws StoreException;

    /** Whether the account uses messaging: only such accounts have incoming messages stored (spec §4.8.2). */
    boolean isKnown(String account) throws StoreException;

    /** Sets the account's history API token (spec §4.9), valid until {@code expires}; the account becomes known. */
    void setApiToken(String account, String token, Instant expires) throws StoreException;

    /** Whether {@code token} is the account's history API token and still valid at {@code now} (spec §4.13). */
    boolean hasApiToken(String account, String token, Instant now) throws StoreException;

    /** Replaces the account's public key (spec §4.8.4 {@code text/pgp-public-key}). */
    void setPublicKey(String account, String key, Instant when) throws StoreException;

    /** The account's public key. */
    Optional<String> publicKey(String account) throws StoreException;

    /** Stores or replaces the push parameters of the token's account, app and device. */
    void putDeviceToken(DeviceToken token) throws StoreException;

    /** The account's device tokens. */
    List<DeviceToken> deviceTokens(String account) throws StoreException;

    /** Removes one device's token; whether there was one. */
    boolean removeDeviceToken(String account, String appId, String deviceId) throws StoreException;

    /** The account's record ({@code sylk-db show}, spec §7.5), empty when the account is not known. */
    Optional<AccountRecord> account(String account) throws StoreException;

    /** Blanks the account's history API token (spec §7.5 {@code remove api_token}); whether it had one. */
    boolean removeApiToken(String account) throws StoreException;

    /** Removes the account's public key (spec §7.5 {@code remove public_key}); whether it had one. */
    boolean removePublicKey(String account) throws StoreException;

    /** Removes everything stored for the account (spec §7.5 {@code remove all}). */
    void removeAccount(String account) throws StoreException;

    /** Releases the database; the store is unusable afterwards. */
    @Override
    void close();
}
