package org.sylkserver.webrtc.addressbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;

import javax.json.Json;
import javax.json.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The address-book update rules and the local store (spec §4.14, Quirk Q11). */
class AddressBookTest {

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readObject();
    }

    private static final JsonObject BOB = json("{'id':'c1','name':'Bob','uris':[{'id':'u1','uri':'bob@example.com',"
            + "'type':'sip','attributes':{'label':'work'}}],'dialog':{'policy':'allow','subscribe':false},"
            + "'presence':{'policy':'allow','subscribe':true},'attributes':{'favorite':true,'tags':['a']}}");

    @Test
    void contactKeepsFreeFormAttributes_quirkQ11() throws Exception {
        AddressBook.Update added = AddressBook.EMPTY.apply("contact", "add", BOB, 1000);
        JsonObject stored = added.book().toJson().getJsonArray("contacts").getJsonObject(0);
        assertEquals(json("{'favorite':true,'tags':['a']}"), stored.getJsonObject("attributes"));
        assertEquals(json("{'label':'work'}"), stored.getJsonArray("uris").getJsonObject(0).getJsonObject("attributes"));
        assertEquals(stored, added.object());
    }

    @Test
    void defaultUriIsTheFirstUriOrTheDefaultUriAlias_spec_4_14() throws Exception {
        JsonObject first = AddressBook.contact(BOB);
        assertEquals(BOB.getJsonArray("uris").get(0), first.get("defaultUri"));
        JsonObject alias = AddressBook.contact(json("{'id':'c2','uris':[{'id':'u1','uri':'a@x'},{'id':'u2','uri':'b@x'}],"
                + "'default_uri':{'id':'u2','uri':'b@x'}}"));
        assertEquals(json("{'id':'u2','uri':'b@x'}"), alias.get("defaultUri"));
        assertEquals(false, alias.containsKey("default_uri"));
    }

    @Test
    void addUpdateDeleteByIdOfEachType_spec_4_14() throws Exception {
        AddressBook book = AddressBook.EMPTY.apply("contact", "add", BOB, 1000).book()
                .apply("group", "add", json("{'id':'g1','name':'Friends','contacts':[]}"), 1000).book()
                .apply("policy", "add", json("{'id':'p1','name':'Carol','uri':'carol@example.com'}"), 1000).book();
        book = book.apply("contact", "update", json("{'id':'c1','name':'Robert','uris':[]}"), 1000).book();
        JsonObject all = book.toJson();
        assertEquals("Robert", all.getJsonArray("contacts").getJsonObject(0).getString("name"));
        assertEquals("g1", all.getJsonArray("groups").getJsonObject(0).getString("id"));
        assertEquals("p1", all.getJsonArray("policies").getJsonObject(0).getString("id"));
        book = book.apply("policy", "delete", json("{'id':'p1'}"), 1000).book();
        assertEquals(0, book.toJson().getJsonArray("policies").size());
    }

    @Test
    void refusedUpdatesSayWhy_spec_4_14() throws Exception {
        AddressBook book = AddressBook.EMPTY.apply("contact", "add", BOB, 1000).book();
        assertEquals("contact c1 already exists",
                assertThrows(AddressBook.Refused.class, () -> book.apply("contact", "add", BOB, 1000)).getMessage());
        assertEquals("contact c9 does not exist", assertThrows(AddressBook.Refused.class,
                () -> book.apply("contact", "update", json("{'id':'c9'}"), 1000)).getMessage());
        assertEquals("Mandatory property 'id' of group is missing", assertThrows(AddressBook.Refused.class,
                () -> book.apply("group", "add", json("{'name':'x'}"), 1000)).getMessage());
        assertEquals("Unknown address book type 'pet'", assertThrows(AddressBook.Refused.class,
                () -> book.apply("pet", "add", BOB, 1000)).getMessage());
        assertEquals("Unknown address book action 'rename'", assertThrows(AddressBook.Refused.class,
                () -> book.apply("contact", "rename", BOB, 1000)).getMessage());
    }

    /** The actions and groupMember data of sylkrtc.js's lib/addressbook.js: add, update, delete; {groupId, contactId}. */
    @Test
    void groupMemberUpdatesFromSylkrtcJsAreAcceptedAndAnnouncedAsTheGroup_quirkQ11() throws Exception {
        AddressBook book = AddressBook.EMPTY.apply("contact", "add", BOB, 1000).book()
                .apply("group", "add", json("{'id':'g1','name':'Friends','contacts':[]}"), 1000).book();
        JsonObject member = json("{'groupId':'g1','contactId':'c1'}");
        AddressBook.Update join = book.apply("groupMember", "add", member, 1000);
        AddressBook joined = join.book();
        assertEquals("c1", joined.toJson().getJsonArray("groups").getJsonObject(0).getJsonArray("contacts")
                .getJsonObject(0).getString("id"));
        // sylkrtc.js files an addressbook-updated by type and id: the changed group is what it can file
        assertEquals("group", join.type());
        assertEquals("update", join.action());
        assertEquals(joined.toJson().getJsonArray("groups").getJsonObject(0), join.object());
        assertThrows(AddressBook.Refused.class, () -> joined.apply("groupMember", "add", member, 1000));
        assertThrows(AddressBook.Refused.class,
                () -> book.apply("groupMember", "add", json("{'groupId':'g2','contactId':'c1'}"), 1000));
        assertEquals("Mandatory property 'groupId' of groupMember is missing", assertThrows(AddressBook.Refused.class,
                () -> book.apply("groupMember", "add", json("{'group':'g1','contact':'c1'}"), 1000)).getMessage());
        assertEquals(0, joined.apply("groupMember", "delete", member, 1000).book().toJson().getJsonArray("groups")
                .getJsonObject(0).getJsonArray("contacts").size());
        // a deleted contact leaves its groups
        assertEquals(0, joined.apply("contact", "delete", json("{'id':'c1'}"), 1000).book().toJson()
                .getJsonArray("groups").getJsonObject(0).getJsonArray("contacts").size());
        assertEquals("Unknown address book action 'remove'", assertThrows(AddressBook.Refused.class,
                () -> joined.apply("contact", "remove", json("{'id':'c1'}"), 1000)).getMessage());
    }

    @Test
    void aFullBookRefusesAnAddButNotAnUpdate_max_addressbook_entries() throws Exception {
        AddressBook full = AddressBook.EMPTY.apply("contact", "add", BOB, 2).book()
                .apply("policy", "add", json("{'id':'p1','name':'Carol','uri':'carol@example.com'}"), 2).book();
        assertEquals("Address book full (max_addressbook_entries 2)", assertThrows(AddressBook.Refused.class,
                () -> full.apply("group", "add", json("{'id':'g1','name':'Friends'}"), 2)).getMessage());
        full.apply("contact", "update", BOB, 2);
        assertEquals(3, full.apply("group", "add", json("{'id':'g1','name':'Friends'}"), 0).book().toJson()
                .values().stream().mapToInt(list -> list.asJsonArray().size()).sum());
    }

    @Test
    void localStoreKeepsEachAccountsBookInItsOwnFile(@TempDir Path dir) throws Exception {
        AddressBooks store = new AddressBooks(dir.resolve("addressbook"), 1000);
        store.update("alice@example.com", "contact", "add", BOB).join();
        store.update("alice@example.com", "group", "add", json("{'id':'g1','name':'Friends','contacts':[]}")).join();
        assertInstanceOf(AddressBook.Refused.class, assertThrows(CompletionException.class,
                () -> store.update("alice@example.com", "contact", "add", BOB).join()).getCause());
        AddressBooks reopened = new AddressBooks(dir.resolve("addressbook"), 1000);
        JsonObject alice = reopened.fetch("alice@example.com").join().toJson();
        assertEquals(1, alice.getJsonArray("contacts").size());
        assertEquals(1, alice.getJsonArray("groups").size());
        assertEquals(AddressBook.EMPTY.toJson(), reopened.fetch("bob@example.com").join().toJson());
        try (var files = Files.list(dir.resolve("addressbook"))) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void aDamagedFileIsAnErrorNotAnEmptyBook(@TempDir Path dir) throws Exception {
        AddressBooks store = new AddressBooks(dir, 1000);
        Files.writeString(dir.resolve("alice%40example.com.json"), "{not json");
        assertInstanceOf(IOException.class, assertThrows(CompletionException.class,
                () -> store.fetch("alice@example.com").join()).getCause());
    }
}
