package org.sylkserver.webrtc.addressbook;

import java.util.concurrent.CompletableFuture;

import javax.json.JsonObject;

/**
 * Where the accounts' address books are kept (spec §4.14): the local store ({@link AddressBooks}) or the REST service
 * at {@code [General] xcap_url} ({@link XcapAddressBooks}). Both answer with futures so that a slow or absent service
 * never holds a connection's executor: the outcome is brought back to the connection when it is there.
 *
 * <p>A future fails with {@link AddressBook.Refused} when the update was refused (by the rules or by the service,
 * whose {@code detail} is the message) and with {@link java.io.IOException} when the books cannot be reached.
 */
public interface AddressBookService {

    /** The book of {@code account}; empty when it has none yet. */
    CompletableFuture<AddressBook> fetch(String account);

    /** Applies one update ({@link AddressBook#apply}'s {@code type}, {@code action}, {@code data}) to the book. */
    CompletableFuture<AddressBook.Update> update(String account, String type, String action, JsonObject data);
}
