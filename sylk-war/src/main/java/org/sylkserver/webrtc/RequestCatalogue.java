package org.sylkserver.webrtc;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

import javax.json.JsonObject;
import javax.json.JsonString;
import javax.json.JsonValue;

import org.eclipse.yasson.YassonJsonb;
import org.sylkserver.webrtc.api.AccountAddRequest;
import org.sylkserver.webrtc.api.AccountDeviceTokenRequest;
import org.sylkserver.webrtc.api.AccountDispositionNotificationRequest;
import org.sylkserver.webrtc.api.AccountFetchAddressbookRequest;
import org.sylkserver.webrtc.api.AccountMarkConversationReadRequest;
import org.sylkserver.webrtc.api.AccountMessageRequest;
import org.sylkserver.webrtc.api.AccountRegisterRequest;
import org.sylkserver.webrtc.api.AccountRemoveConversationRequest;
import org.sylkserver.webrtc.api.AccountRemoveMessageRequest;
import org.sylkserver.webrtc.api.AccountRemoveRequest;
import org.sylkserver.webrtc.api.AccountSyncConversationsRequest;
import org.sylkserver.webrtc.api.AccountUnregisterRequest;
import org.sylkserver.webrtc.api.AccountUpdateAddressbookRequest;
import org.sylkserver.webrtc.api.AddressbookEvent;
import org.sylkserver.webrtc.api.LookupPublicKeyRequest;
import org.sylkserver.webrtc.api.PingRequest;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SessionAnswerRequest;
import org.sylkserver.webrtc.api.SessionCreateRequest;
import org.sylkserver.webrtc.api.SessionDtmfInfoRequest;
import org.sylkserver.webrtc.api.SessionMessageRequest;
import org.sylkserver.webrtc.api.SessionTerminateRequest;
import org.sylkserver.webrtc.api.SessionTrickleRequest;
import org.sylkserver.webrtc.api.SessionUpdateRequest;
import org.sylkserver.webrtc.api.SylkRtcRequest;
import org.sylkserver.webrtc.api.VideoroomComposingIndicationRequest;
import org.sylkserver.webrtc.api.VideoroomConfigureRequest;
import org.sylkserver.webrtc.api.VideoroomFeedAnswerRequest;
import org.sylkserver.webrtc.api.VideoroomFeedAttachRequest;
import org.sylkserver.webrtc.api.VideoroomFeedDetachRequest;
import org.sylkserver.webrtc.api.VideoroomInviteRequest;
import org.sylkserver.webrtc.api.VideoroomJoinRequest;
import org.sylkserver.webrtc.api.VideoroomLeaveRequest;
import org.sylkserver.webrtc.api.VideoroomMessageRequest;
import org.sylkserver.webrtc.api.VideoroomMuteAudioParticipantsRequest;
import org.sylkserver.webrtc.api.VideoroomSessionTrickleRequest;
import org.sylkserver.webrtc.api.VideoroomSessionUpdateRequest;
import org.sylkserver.webrtc.api.VideoroomToggleHandRequest;
import org.sylkserver.webrtc.addressbook.AddressBook;
import org.sylkserver.webrtc.addressbook.AddressBookService;
import org.sylkserver.webrtc.messaging.Messaging;

/**
 * The requests this server implements (spec §4.4), each bound to its JSON-B class and its handler. Adding a
 * request is its class in {@code org.sylkserver.webrtc.api} plus one {@link #add} line in {@link #SYLKRTC_2}.
 * A handler that returns normally is acked; one that throws {@link RequestError} gets that error; events it
 * sends go out before the ack (spec §4.3). A request type added with {@link #addPipelined} may run while the
 * pipelined requests before it are still at work ({@link SylkRtcConnection#pipeline}); every other waits for them.
 */
final class RequestCatalogue {

    /** Handles one bound request on the connection's own executor. */
    @FunctionalInterface
    interface Handler<R extends SylkRtcRequest> {
        void handle(SylkRtcConnection connection, R request) throws RequestError;
    }

    static final RequestCatalogue SYLKRTC_2 = new RequestCatalogue()
            .add(PingRequest.TYPE, PingRequest.class, (connection, ping) -> {
                // ack only (spec §4.5.1)
            })
            .add(AccountAddRequest.TYPE, AccountAddRequest.class,
                    (connection, add) -> connection.accounts().add(add, connection.gateway().config()))
            .add(AccountRemoveRequest.TYPE, AccountRemoveRequest.class,
                    (connection, remove) -> connection.accounts().remove(remove.getAccount()))
            .add(AccountRegisterRequest.TYPE, AccountRegisterRequest.class,
                    (connection, register) -> connection.accounts().register(register.getAccount(),
                            connection.gateway().registrar()))
            .add(AccountUnregisterRequest.TYPE, AccountUnregisterRequest.class,
                    (connection, unregister) -> connection.accounts().unregister(unregister.getAccount()))
            .add(SessionCreateRequest.TYPE, SessionCreateRequest.class,
                    (connection, create) -> connection.sessions().create(create))
            .add(SessionAnswerRequest.TYPE, SessionAnswerRequest.class,
                    (connection, answer) -> connection.sessions().answer(answer))
            .add(SessionTrickleRequest.TYPE, SessionTrickleRequest.class,
                    (connection, trickle) -> connection.sessions().trickle(trickle.getSession(), trickle.getCandidates()))
            .add(SessionTerminateRequest.TYPE, SessionTerminateRequest.class,
                    (connection, terminate) -> connection.sessions().terminate(terminate.getSession()))
            .add(SessionUpdateRequest.TYPE, SessionUpdateRequest.class,
                    (connection, update) -> connection.sessions().update(update))
            .add(SessionDtmfInfoRequest.TYPE, SessionDtmfInfoRequest.class,
                    (connection, dtmf) -> connection.sessions().dtmf(dtmf))
            .add(SessionMessageRequest.TYPE, SessionMessageRequest.class,
                    (connection, message) -> connection.sessions().message(message))
            // video rooms (spec §4.6)
            .add(VideoroomJoinRequest.TYPE, VideoroomJoinRequest.class,
                    (connection, join) -> connection.videoRooms().join(join))
            .add(VideoroomLeaveRequest.TYPE, VideoroomLeaveRequest.class,
                    (connection, leave) -> connection.videoRooms().leave(leave.getSession()))
            .add(VideoroomFeedAttachRequest.TYPE, VideoroomFeedAttachRequest.class,
                    (connection, attach) -> connection.videoRooms().attach(attach))
            .add(VideoroomFeedAnswerRequest.TYPE, VideoroomFeedAnswerRequest.class,
                    (connection, answer) -> connection.videoRooms().answer(answer))
            .add(VideoroomFeedDetachRequest.TYPE, VideoroomFeedDetachRequest.class,
                    (connection, detach) -> connection.videoRooms().detach(detach.getSession(), detach.getFeed()))
            .add(VideoroomSessionTrickleRequest.TYPE, VideoroomSessionTrickleRequest.class,
                    (connection, trickle) -> connection.videoRooms().trickle(trickle.getSession(),
                            trickle.getCandidates()))
            .add(VideoroomSessionUpdateRequest.TYPE, VideoroomSessionUpdateRequest.class,
                    (connection, update) -> connection.videoRooms().update(update.getSession(), update.getOptions()))
            .add(VideoroomConfigureRequest.TYPE, VideoroomConfigureRequest.class,
                    (connection, configure) -> connection.videoRooms().configure(configure.getSession(),
                            configure.getActiveParticipants()))
            .add(VideoroomInviteRequest.TYPE, VideoroomInviteRequest.class,
                    (connection, invite) -> connection.videoRooms().invite(invite.getSession(),
                            invite.getParticipants()))
            .add(VideoroomMuteAudioParticipantsRequest.TYPE, VideoroomMuteAudioParticipantsRequest.class,
                    (connection, mute) -> connection.videoRooms().muteAudio(mute.getSession()))
            .add(VideoroomToggleHandRequest.TYPE, VideoroomToggleHandRequest.class,
                    (connection, hand) -> connection.videoRooms().toggleHand(hand.getSession(), hand.getSessionId()))
            .add(VideoroomMessageRequest.TYPE, VideoroomMessageRequest.class,
                    (connection, message) -> connection.videoRooms().message(message))
            .add(VideoroomComposingIndicationRequest.TYPE, VideoroomComposingIndicationRequest.class,
                    (connection, composing) -> connection.videoRooms().composing(composing.getSession(),
                            composing.getState(), composing.getRefresh()))
            // messaging (spec §4.8, §4.11): each but the push token and the key lookup needs the account authenticated
            .add(AccountDeviceTokenRequest.TYPE, AccountDeviceTokenRequest.class,
                    (connection, token) -> connection.accounts().deviceToken(token))
            .add(LookupPublicKeyRequest.TYPE, LookupPublicKeyRequest.class,
                    (connection, lookup) -> messaging(connection).lookupPublicKey(connection, lookup.getUri()))
            // the store's commit is not waited for on the connection: its next messages share the commit
            .addPipelined(AccountMessageRequest.TYPE, AccountMessageRequest.class, (connection, message) -> {
                Account account = connection.accounts().authenticated(message.getAccount());
                messaging(connection).send(account, connection, message, connection::pipeline);
            })
            .add(AccountDispositionNotificationRequest.TYPE, AccountDispositionNotificationRequest.class,
                    (connection, notification) -> {
                        Account account = connection.accounts().authenticated(notification.getAccount());
                        messaging(connection).notifyDisposition(account, notification);
                    })
            .add(AccountSyncConversationsRequest.TYPE, AccountSyncConversationsRequest.class, (connection, sync) -> {
                Account account = connection.accounts().authenticated(sync.getAccount());
                messaging(connection).sync(account, connection, sync);
            })
            .add(AccountMarkConversationReadRequest.TYPE, AccountMarkConversationReadRequest.class, (connection, read) -> {
                Account account = connection.accounts().authenticated(read.getAccount());
                messaging(connection).markRead(account, connection, read.getContact());
            })
            .add(AccountRemoveMessageRequest.TYPE, AccountRemoveMessageRequest.class, (connection, remove) -> {
                Account account = connection.accounts().authenticated(remove.getAccount());
                messaging(connection).removeMessage(account, connection, remove.getMessageId(), remove.getContact());
            })
            .add(AccountRemoveConversationRequest.TYPE, AccountRemoveConversationRequest.class, (connection, remove) -> {
                Account account = connection.accounts().authenticated(remove.getAccount());
                messaging(connection).removeConversation(account, connection, remove.getContact());
            })
            // address book (spec §4.14): needs the account authenticated; updates go to all its connections. The
            // books may be a remote service: the response waits for it, off this executor
            .add(AccountFetchAddressbookRequest.TYPE, AccountFetchAddressbookRequest.class, (connection, fetch) -> {
                Account account = connection.accounts().authenticated(fetch.getAccount());
                AddressBookService books = addressBooks(connection);
                SylkRtcConnection.Reply reply = connection.deferResponse();
                books.fetch(account.aor()).whenComplete((book, failure) -> connection.later(() -> {
                    if (failure == null) {
                        connection.send(AddressbookEvent.fetched(account.aor(), book.toJson()));
                        reply.ack();
                    } else {
                        reply.error("Address book not available: " + cause(failure).getMessage());
                    }
                }));
            })
            .add(AccountUpdateAddressbookRequest.TYPE, AccountUpdateAddressbookRequest.class, (connection, update) -> {
                Account account = connection.accounts().authenticated(update.getAccount());
                AddressBookService books = addressBooks(connection);
                SylkRtcConnection.Reply reply = connection.deferResponse();
                books.update(account.aor(), update.getType(), update.getAction(), update.getData())
                        .whenComplete((done, failure) -> connection.later(() -> {
                            if (failure == null) {
                                new AccountDevices(connection.gateway().incoming()).publish(account.aor(),
                                        AddressbookEvent.updated(account.aor(), done.type(), done.action(),
                                                done.object()), null);
                            } else {
                                // refused by the rules or the service, or the service is away: the client re-fetches
                                // (spec §4.14)
                                Throwable why = cause(failure);
                                connection.send(AddressbookEvent.updateFailed(account.aor(), update.getType(),
                                        update.getAction(), why instanceof AddressBook.Refused ? why.getMessage()
                                                : "Address book not available: " + why.getMessage(),
                                        update.getData().get("id") instanceof JsonString id ? id.getString() : null));
                            }
                            reply.ack();
                        }));
            });

    /** The failure a future completed with, without the wrapping of a dependent stage. */
    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** The gateway's address books; an error while its SIP side is not running. */
    private static AddressBookService addressBooks(SylkRtcConnection connection) throws RequestError {
        AddressBookService books = connection.gateway().addressBooks();
        if (books == null) {
            throw new RequestError("Address book is not running");
        }
        return books;
    }

    /** The gateway's messaging; an error while its SIP side is not running. */
    private static Messaging messaging(SylkRtcConnection connection) throws RequestError {
        Messaging messaging = connection.gateway().messaging();
        if (messaging == null) {
            throw new RequestError("Messaging is not running");
        }
        return messaging;
    }

    /**
     * A request type, its handler, and how it is bound: from the tree the schema check read, unless the type holds a
     * free-form object (Yasson binds a parsed tree, {@code fromJsonStructure}, but cannot fill a {@code JsonObject}
     * property from one: account-update-addressbook's {@code data}), which is bound from the tree's text. Writing the
     * tree out and parsing it again was a fifth of an account-message's binding (issue 14, sessions 20 and 21).
     */
    private record Entry<R extends SylkRtcRequest>(Class<R> type, Handler<R> handler, boolean fromTree,
                                                   boolean pipelined) {

        Entry(Class<R> type, Handler<R> handler, boolean pipelined) {
            this(type, handler, !RequestSchema.holdsFreeFormObject(type), pipelined);
        }

        void run(SylkRtcConnection connection, JsonObject json, YassonJsonb jsonb) throws RequestError {
            RequestSchema.check(json, type);
            handler.handle(connection, fromTree ? jsonb.fromJsonStructure(json, type) : jsonb.fromJson(json.toString(), type));
        }

        Entry<R> withoutHandler() {
            return new Entry<>(type, (connection, request) -> { }, fromTree, pipelined);
        }
    }

    private final Map<String, Entry<?>> entries = new HashMap<>();

    /**
     * The same request types bound to handlers that do nothing: what decoding alone (schema check and binding)
     * makes of a message, for the fuzzing target (docs/fuzzing.md).
     */
    RequestCatalogue decodingOnly() {
        RequestCatalogue decoding = new RequestCatalogue();
        entries.forEach((sylkrtc, entry) -> decoding.entries.put(sylkrtc, entry.withoutHandler()));
        return decoding;
    }

    <R extends SylkRtcRequest> RequestCatalogue add(String sylkrtc, Class<R> type, Handler<R> handler) {
        return add(sylkrtc, new Entry<>(type, handler, false));
    }

    /**
     * A request type whose handler may {@linkplain SylkRtcConnection#pipeline pipeline} it, and which depends on
     * nothing the pipelined requests before it do: it is handled while they are still at work.
     */
    <R extends SylkRtcRequest> RequestCatalogue addPipelined(String sylkrtc, Class<R> type, Handler<R> handler) {
        return add(sylkrtc, new Entry<>(type, handler, true));
    }

    private RequestCatalogue add(String sylkrtc, Entry<?> entry) {
        if (entries.putIfAbsent(sylkrtc, entry) != null) {
            throw new IllegalArgumentException("request type " + sylkrtc + " added twice");
        }
        return this;
    }

    /** Whether the request in {@code json} is of a type {@linkplain #addPipelined added as pipelined}. */
    boolean pipelines(JsonObject json) {
        Entry<?> entry = json.get("sylkrtc") instanceof JsonString type ? entries.get(type.getString()) : null;
        return entry != null && entry.pipelined();
    }

    /**
     * Binds the request in {@code json} to its class and runs its handler.
     *
     * @throws RequestError the request has no or an unknown type, violates its schema, or its handler failed
     */
    void dispatch(SylkRtcConnection connection, JsonObject json, YassonJsonb jsonb) throws RequestError {
        JsonValue sylkrtc = json.get("sylkrtc");
        if (sylkrtc == null || sylkrtc == JsonValue.NULL) {
            throw new RequestError("Missing 'sylkrtc' property");
        }
        if (!(sylkrtc instanceof JsonString type)) {
            throw new RequestError("Invalid value for 'sylkrtc' property: " + sylkrtc + " (expected: string)");
        }
        Entry<?> entry = entries.get(type.getString());
        if (entry == null) {
            throw new RequestError("Unknown request type: " + type.getString());
        }
        entry.run(connection, json, jsonb);
    }
}
