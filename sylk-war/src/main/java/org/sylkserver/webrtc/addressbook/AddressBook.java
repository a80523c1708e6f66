package org.sylkserver.webrtc.addressbook;

import java.util.function.Predicate;

import javax.json.JsonArray;
import javax.json.JsonArrayBuilder;
import javax.json.JsonObject;
import javax.json.JsonObjectBuilder;
import javax.json.JsonString;
import javax.json.JsonValue;

import org.sylkserver.webrtc.JsonP;

/**
 * The update rules of an account's address book (spec §4.14): contacts, groups and policies, each kept as the JSON
 * object the client sent, so that free-form {@code attributes} (of the object and of each URI) survive (the original
 * drops them, Quirk Q11). A contact's {@code default_uri} is renamed {@code defaultUri}, which defaults to its first
 * URI. The actions are those sylkrtc.js sends ({@code lib/addressbook.js}): {@code add}, {@code update} and
 * {@code delete}. Its {@code groupMember} updates (which the original rejects, Q11) add or delete a contact in a group:
 * {@code data} is {@code {"groupId": <group id>, "contactId": <contact id>}}; what changed is the group, so that is
 * what is announced, as a group {@code update} (sylkrtc.js files an {@code addressbook-updated} by its {@code type}
 * and the object's {@code id}, and a group member has neither).
 * Immutable: {@link #apply} returns the new book.
 */
public final class AddressBook {

    /** An update the rules refuse; the message goes to the client as {@code error}. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * The outcome of an update: the new book (null when the book is kept by the REST service, which does not send it)
     * and what to announce in {@code addressbook-updated}: {@code type}, {@code action} and the object.
     */
    public record Update(AddressBook book, String type, String action, JsonObject object) {
    }

    public static final AddressBook EMPTY = new AddressBook(JsonValue.EMPTY_JSON_ARRAY, JsonValue.EMPTY_JSON_ARRAY,
            JsonValue.EMPTY_JSON_ARRAY);

    private final JsonArray contacts;
    private final JsonArray groups;
    private final JsonArray policies;

    private AddressBook(JsonArray contacts, JsonArray groups, JsonArray policies) {
        this.contacts = contacts;
        this.groups = groups;
        this.policies = policies;
    }

    /** The book in {@code json} as {@link #toJson} wrote it; absent lists are empty. */
    public static AddressBook fromJson(JsonObject json) {
        return new AddressBook(json.getJsonArray("contacts") == null ? JsonValue.EMPTY_JSON_ARRAY : json.getJsonArray("contacts"),
                json.getJsonArray("groups") == null ? JsonValue.EMPTY_JSON_ARRAY : json.getJsonArray("groups"),
                json.getJsonArray("policies") == null ? JsonValue.EMPTY_JSON_ARRAY : json.getJsonArray("policies"));
    }

    /** {@code {contacts, groups, policies}}, the {@code addressbook} of {@code addressbook-fetched}. */
    public JsonObject toJson() {
        return JsonP.PROVIDER.createObjectBuilder().add("contacts", contacts).add("groups", groups)
                .add("policies", policies).build();
    }

    /**
     * Applies {@code action} ({@code add}, {@code update} or {@code delete}) of {@code type} ({@code contact},
     * {@code group}, {@code policy}; {@code groupMember} with {@code add} or {@code delete}).
     *
     * @param maxEntries contacts, groups and policies the book may hold (0: no limit); a full book refuses an add
     * @throws Refused an unknown type or action, a missing id, adding an id that exists, changing one that does not,
     *                 adding to a full book
     */
    public Update apply(String type, String action, JsonObject data, int maxEntries) throws Refused {
        if (action.equals("add") && !type.equals("groupMember") && maxEntries > 0
                && contacts.size() + groups.size() + policies.size() >= maxEntries) {
            throw new Refused("Address book full (max_addressbook_entries " + maxEntries + ")");
        }
        switch (type) {
            case "contact" -> {
                JsonObject contact = action.equals("delete") ? data : contact(data);
                JsonArray changed = change(contacts, type, action, contact);
                // a deleted contact leaves the groups too
                JsonArray groupsAfter = action.equals("delete") ? withoutMember(groups, id(type, data)) : groups;
                return new Update(new AddressBook(changed, groupsAfter, policies), type, action, contact);
            }
            case "group" -> {
                return new Update(new AddressBook(contacts, change(groups, type, action, data), policies), type, action,
                        data);
            }
            case "policy" -> {
                return new Update(new AddressBook(contacts, groups, change(policies, type, action, data)), type, action,
                        data);
            }
            case "groupMember" -> {
                return member(action, data);
            }
            default -> throw new Refused("Unknown address book type '" + type + "'");
        }
    }

    /** The contact with {@code defaultUri} set: from {@code default_uri}, else the first URI. */
    static JsonObject contact(JsonObject data) {
        JsonObjectBuilder contact = JsonP.PROVIDER.createObjectBuilder(data);
        JsonValue defaultUri = data.containsKey("defaultUri") ? data.get("defaultUri") : data.get("default_uri");
        contact.remove("default_uri");
        if (defaultUri == null || defaultUri == JsonValue.NULL) {
            JsonArray uris = data.get("uris") instanceof JsonArray array ? array : JsonValue.EMPTY_JSON_ARRAY;
            defaultUri = uris.isEmpty() ? null : uris.get(0);
        }
        if (defaultUri != null) {
            contact.add("defaultUri", defaultUri);
        }
        return contact.build();
    }

    private static JsonArray change(JsonArray list, String type, String action, JsonObject object) throws Refused {
        String id = id(type, object);
        int index = indexOf(list, id);
        switch (action) {
            case "add" -> {
                if (index >= 0) {
                    throw new Refused(type + " " + id + " already exists");
                }
                return JsonP.PROVIDER.createArrayBuilder(list).add(object).build();
            }
            case "update" -> {
                if (index < 0) {
                    throw new Refused(type + " " + id + " does not exist");
                }
                return JsonP.PROVIDER.createArrayBuilder(list).set(index, object).build();
            }
            case "delete" -> {
                if (index < 0) {
                    throw new Refused(type + " " + id + " does not exist");
                }
                return JsonP.PROVIDER.createArrayBuilder(list).remove(index).build();
            }
            default -> throw new Refused("Unknown address book action '" + action + "'");
        }
    }

    private Update member(String action, JsonObject data) throws Refused {
        String groupId = string(data, "groupId", "groupMember");
        String contactId = string(data, "contactId", "groupMember");
        int groupIndex = indexOf(groups, groupId);
        if (groupIndex < 0) {
            throw new Refused("group " + groupId + " does not exist");
        }
        JsonObject group = groups.getJsonObject(groupIndex);
        JsonArray members = group.get("contacts") instanceof JsonArray array ? array : JsonValue.EMPTY_JSON_ARRAY;
        int memberIndex = indexOf(members, contactId);
        JsonArray membersAfter;
        switch (action) {
            case "add" -> {
                int contactIndex = indexOf(contacts, contactId);
                if (contactIndex < 0) {
                    throw new Refused("contact " + contactId + " does not exist");
                }
                if (memberIndex >= 0) {
                    throw new Refused("contact " + contactId + " is already in group " + groupId);
                }
                membersAfter = JsonP.PROVIDER.createArrayBuilder(members).add(contacts.get(contactIndex)).build();
            }
            case "delete" -> {
                if (memberIndex < 0) {
                    throw new Refused("contact " + contactId + " is not in group " + groupId);
                }
                membersAfter = JsonP.PROVIDER.createArrayBuilder(members).remove(memberIndex).build();
            }
            default -> throw new Refused("Unknown address book action '" + action + "' for groupMember");
        }
        JsonObject groupAfter = JsonP.PROVIDER.createObjectBuilder(group).add("contacts", membersAfter).build();
        JsonArray groupsAfter = JsonP.PROVIDER.createArrayBuilder(groups).set(groupIndex, groupAfter).build();
        return new Update(new AddressBook(contacts, groupsAfter, policies), "group", "update", groupAfter);
    }

    private static JsonArray withoutMember(JsonArray groups, String contactId) {
        JsonArrayBuilder after = JsonP.PROVIDER.createArrayBuilder();
        for (JsonValue value : groups) {
            JsonObject group = value.asJsonObject();
            if (group.get("contacts") instanceof JsonArray members && indexOf(members, contactId) >= 0) {
                JsonArray kept = members.stream().filter(Predicate.not(member -> contactId.equals(idOf(member))))
                        .collect(JsonP.PROVIDER::createArrayBuilder, JsonArrayBuilder::add, JsonArrayBuilder::addAll).build();
                after.add(JsonP.PROVIDER.createObjectBuilder(group).add("contacts", kept));
            } else {
                after.add(group);
            }
        }
        return after.build();
    }

    private static String id(String type, JsonObject object) throws Refused {
        return string(object, "id", type);
    }

    private static String string(JsonObject object, String name, String type) throws Refused {
        if (object.get(name) instanceof JsonString string && !string.getString().isEmpty()) {
            return string.getString();
        }
        throw new Refused("Mandatory property '" + name + "' of " + type + " is missing");
    }

    private static int indexOf(JsonArray list, String id) {
        for (int i = 0; i < list.size(); i++) {
            if (id.equals(idOf(list.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    private static String idOf(JsonValue value) {
        return value instanceof JsonObject object && object.get("id") instanceof JsonString id ? id.getString() : null;
    }
}
