package org.sylkserver.webrtc.addressbook;

import java.io.IOException;
import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;

import javax.json.JsonException;
import javax.json.JsonObject;
import javax.json.JsonReader;

import org.sylkserver.webrtc.JsonP;

/**
 * The local address-book store (spec §4.14, used when no {@code xcap_url} is set): one JSON file per account in a
 * directory of the storage dir, {@code <url-encoded aor>.json}, replaced atomically on each update so that a crash
 * leaves the old or the new book, never half of one. Unlike the original, groups and policies are kept too.
 * Updates are serialised (one writer at a time): address-book changes are rare, hand-made by users, and a file this
 * small is read and written on the caller's thread (the futures are complete when returned).
 */
public final class AddressBooks implements AddressBookService {

    private final Path directory;
    private final int maxEntries;

    /**
     * @param directory  where the books are kept; made when missing
     * @param maxEntries contacts, groups and policies one book may hold ({@code max_addressbook_entries}, 0: no limit)
     */
    public AddressBooks(Path directory, int maxEntries) throws IOException {
        this.directory = Files.createDirectories(directory);
        this.maxEntries = maxEntries;
    }

    @Override
    public CompletableFuture<AddressBook> fetch(String account) {
        try {
            return CompletableFuture.completedFuture(read(account));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<AddressBook.Update> update(String account, String type, String action, JsonObject data) {
        try {
            return CompletableFuture.completedFuture(write(account, type, action, data));
        } catch (IOException | AddressBook.Refused e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private synchronized AddressBook read(String account) throws IOException {
        Path file = file(account);
        if (!Files.exists(file)) {
            return AddressBook.EMPTY;
        }
        try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(Files.readString(file)))) {
            return AddressBook.fromJson(reader.readObject());
        } catch (JsonException e) {
            throw new IOException("address book " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    private synchronized AddressBook.Update write(String account, String type, String action, JsonObject data)
            throws IOException, AddressBook.Refused {
        AddressBook.Update update = read(account).apply(type, action, data, maxEntries);
        Path file = file(account);
        Path temporary = Files.createTempFile(directory, ".update-", ".json");
        try {
            Files.writeString(temporary, update.book().toJson().toString());
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return update;
    }

    /** The account's file; the account was checked as a SIP AOR, the encoding keeps any name inside the directory. */
    private Path file(String account) {
        String name = URLEncoder.encode(account, StandardCharsets.UTF_8);
        if (name.startsWith(".")) {
            name = "%2E" + name.substring(1);
        }
        return directory.resolve(name + ".json");
    }
}
