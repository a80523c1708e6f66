// The gateway's own page: a minimal sylkRTC-2 client (spec §4.2-4.6) driven by index.html.
'use strict';

/**
 * One sylkRTC connection: requests are answered by exactly one ack or error (spec §4.3); when the connection closes,
 * the requests still waiting fail and onClose(description) is called.
 */
class SylkRtcConnection {
    constructor(url, onEvent, onClose) {
        this.pending = new Map();
        this.onEvent = onEvent;
        this.onClose = onClose;
        this.ready = new Promise((resolve, reject) => {
            this.socket = new WebSocket(url, 'sylkRTC-2');
            this.socket.onmessage = message => {
                const data = JSON.parse(message.data);
                if (data.sylkrtc === 'ready-event') {
                    resolve();
                } else if ((data.sylkrtc === 'ack' || data.sylkrtc === 'error') && this.pending.has(data.transaction)) {
                    const {ok, fail} = this.pending.get(data.transaction);
                    this.pending.delete(data.transaction);
                    data.sylkrtc === 'ack' ? ok() : fail(new Error(data.error));
                } else {
                    this.onEvent(data);
                }
            };
            this.socket.onclose = close => {
                const closed = new Error('connection closed');
                reject(closed);
                this.pending.forEach(({fail}) => fail(closed));
                this.pending.clear();
                this.onClose(`connection closed (${close.code}${close.reason ? ' ' + close.reason : ''})`);
            };
        });
    }

    request(type, properties) {
        const transaction = crypto.randomUUID();
        return new Promise((ok, fail) => {
            this.pending.set(transaction, {ok, fail});
            this.socket.send(JSON.stringify({sylkrtc: type, transaction, ...properties}));
        });
    }
}

/** Runs asynchronous steps one after the other, each once the one before has settled (resolved or failed). */
class InOrder {
    constructor() {
        this.last = Promise.resolve();
    }

    /** @return the step's own promise */
    run(step) {
        const done = this.last.then(step);
        this.last = done.catch(() => {});
        return done;
    }
}

/**
 * The ICE candidates of one RTCPeerConnection, trickled to the server (spec §4.5.5, §4.6.4). The gateway's media side
 * is ICE-lite: it needs no candidates of ours to connect, but they go as the spec's clients send them, once the server
 * knows the session (or feed); an empty list says there are no more.
 */
class CandidateTrickle {
    /**
     * @param connection a SylkRtcConnection
     * @param type       the request that carries them: session-trickle or videoroom-session-trickle
     * @param session    the session (or feed) id they are for
     * @param onLog      where a refusal is told
     */
    constructor(connection, type, session, onLog) {
        this.connection = connection;
        this.type = type;
        this.session = session;
        this.onLog = onLog;
        this.candidates = [];
        this.known = false;
    }

    /** An icecandidate event's candidate: null ends gathering. */
    found(candidate) {
        this.candidates.push(candidate === null ? null
            : {candidate: candidate.candidate, sdpMLineIndex: candidate.sdpMLineIndex, sdpMid: candidate.sdpMid});
        if (this.known) {
            this.send();
        }
    }

    /** The server acknowledged the request that created the session: what was found so far may go. */
    serverKnows() {
        this.known = true;
        this.send();
    }

    async send() {
        const found = this.candidates.splice(0);
        const end = found.includes(null);
        const candidates = found.filter(candidate => candidate !== null);
        try {
            if (candidates.length > 0) {
                await this.connection.request(this.type, {session: this.session, candidates});
            }
            if (end) {
                await this.connection.request(this.type, {session: this.session, candidates: []});
            }
        } catch (error) {
            // a session that ended while gathering refuses candidates: nothing to do about it
            this.onLog(`trickle: ${error.message}`);
        }
    }
}

/**
 * One call of an account (spec §4.5.3-4.5.6) and its RTCPeerConnection, whose candidates are trickled with
 * session-trickle.
 *
 * States, as the page shows them: the last session-event state received ('connecting' before any).
 */
class CallSession {
    /**
     * @param connection   a SylkRtcConnection (anything with request(type, properties) returning a promise)
     * @param account      the account's AOR
     * @param id           the session id (ours for an outgoing call, the server's for an incoming one)
     * @param peer         a new RTCPeerConnection for this call
     * @param listener     {onState(state, detail), onRemoteTrack(event), onLog(text)}
     */
    constructor(connection, account, id, peer, listener) {
        this.connection = connection;
        this.account = account;
        this.id = id;
        this.peer = peer;
        this.listener = listener;
        this.state = 'connecting';
        this.trickle = new CandidateTrickle(connection, 'session-trickle', id, listener.onLog);
        this.events = new InOrder();
        peer.onicecandidate = event => this.trickle.found(event.candidate);
        peer.ontrack = event => listener.onRemoteTrack(event);
    }

    /** Outgoing call (spec §4.5.3): our offer in session-create. */
    async call(uri, stream) {
        stream.getTracks().forEach(track => this.peer.addTrack(track, stream));
        await this.peer.setLocalDescription(await this.peer.createOffer());
        await this.connection.request('session-create', {account: this.account, session: this.id, uri,
            sdp: this.peer.localDescription.sdp});
        this.trickle.serverKnows();
    }

    /** Incoming call (spec §4.5.4): the offer of incoming-session answered with session-answer. */
    async answer(offer, stream) {
        await this.peer.setRemoteDescription({type: 'offer', sdp: offer});
        stream.getTracks().forEach(track => this.peer.addTrack(track, stream));
        await this.peer.setLocalDescription(await this.peer.createAnswer());
        await this.connection.request('session-answer', {session: this.id, sdp: this.peer.localDescription.sdp});
        this.trickle.serverKnows();
    }

    /** spec §4.5.5: decline an incoming call or hang up any other. */
    async hangUp() {
        await this.connection.request('session-terminate', {session: this.id});
    }

    /** spec §4.5.5: one DTMF digit as SIP INFO. */
    async dtmf(digit) {
        await this.connection.request('session-dtmf-info', {session: this.id, digit});
    }

    /** spec §4.5.6 local update: a new offer (a SIP re-INVITE); the answer comes as an update event. */
    async update() {
        await this.peer.setLocalDescription(await this.peer.createOffer());
        await this.connection.request('session-update', {session: this.id, sdp: this.peer.localDescription.sdp});
    }

    /**
     * A session-event for this session. Events are applied one after the other: established comes right after
     * accepted, and must not overtake it while the answer of accepted is being applied.
     */
    handle(event) {
        return this.events.run(() => this.apply(event));
    }

    async apply(event) {
        if (event.event === 'state') {
            await this.stateChanged(event);
        } else if (event.event === 'update' && event.state === 'received') {
            // spec §4.5.6 remote update: the far end's offer, answered with session-update
            await this.peer.setRemoteDescription({type: 'offer', sdp: event.sdp});
            await this.peer.setLocalDescription(await this.peer.createAnswer());
            await this.connection.request('session-update', {session: this.id, sdp: this.peer.localDescription.sdp});
            this.listener.onLog('re-negotiated by the remote party');
        } else if (event.event === 'update' && event.state === 'accepted') {
            await this.peer.setRemoteDescription({type: 'answer', sdp: event.sdp});
            this.listener.onLog('re-negotiated');
        } else {
            this.listener.onLog(`session event ${event.event}`);
        }
    }

    async stateChanged(event) {
        this.state = event.state;
        // early media and the answer carry the SDP answer to our offer; a later accepted has none
        if ((event.state === 'early-media' || event.state === 'accepted') && event.sdp
                && this.peer.signalingState === 'have-local-offer') {
            await this.peer.setRemoteDescription({type: 'answer', sdp: event.sdp});
        }
        if (event.state === 'terminated') {
            this.peer.close();
        }
        this.listener.onState(event.state, event.reason || (event.code ? String(event.code) : ''));
    }
}

/**
 * One video room an account publishes in (spec §4.6): our camera and microphone go on a send-only RTCPeerConnection
 * (the publisher session), and every other publisher's feed comes on a receive-only one the server offers
 * (videoroom-feed-attach, one per participant). The room's chat (videoroom-message, message events) and shared files
 * (an HTTP upload, file-sharing events) are handed to the page.
 *
 * States of the publisher session, as the page shows them: the last session-state received ('connecting' before any):
 * progress, accepted, established, terminated. A participant's: attaching, then established once its feed is.
 */
class RoomSession {
    /**
     * @param connection  a SylkRtcConnection
     * @param account     the account's AOR
     * @param room        the room's URI (room1@videoconference.example.com)
     * @param id          our publisher session id
     * @param environment {newPeer() (an RTCPeerConnection), fetch (the browser's), base (the gateway's path, '/webrtcgateway/')}
     * @param listener    {onState(state, detail), onParticipantJoined(participant), onParticipantMedia(participant, stream),
     *                    onParticipantLeft(participant), onMessage(event), onDelivery(event), onFiles(files), onLog(text)}
     */
    constructor(connection, account, room, id, environment, listener) {
        this.connection = connection;
        this.account = account;
        this.room = room;
        this.id = id;
        this.environment = environment;
        this.listener = listener;
        this.state = 'connecting';
        this.peer = environment.newPeer();
        this.trickle = new CandidateTrickle(connection, 'videoroom-session-trickle', id, listener.onLog);
        this.peer.onicecandidate = event => this.trickle.found(event.candidate);
        /** The other publishers, by their session id: {id, uri, displayName, feed, peer, state}. */
        this.participants = new Map();
        this.events = new InOrder();
    }

    /** spec §4.6.2: publishes the stream's tracks (send-only) and joins. */
    async join(stream) {
        stream.getTracks().forEach(track => this.peer.addTransceiver(track, {direction: 'sendonly', streams: [stream]}));
        await this.peer.setLocalDescription(await this.peer.createOffer());
        await this.connection.request('videoroom-join', {account: this.account, uri: this.room, session: this.id,
            sdp: this.peer.localDescription.sdp, audio: stream.getAudioTracks().length > 0,
            video: stream.getVideoTracks().length > 0});
        this.trickle.serverKnows();
    }

    /** spec §4.6.5: the server ends the session at once (session-state terminated). */
    async leave() {
        await this.connection.request('videoroom-leave', {session: this.id});
    }

    /** spec §4.6.8: a text message to the room's chat; its fate comes as a message-delivery event. */
    async sendMessage(content) {
        const messageId = crypto.randomUUID();
        await this.connection.request('videoroom-message', {session: this.id, message_id: messageId, content,
            content_type: 'text/plain'});
        return messageId;
    }

    /** spec §4.10.5: where the file {@code filename} shared by session {@code session} is (upload and download). */
    fileUrl(session, filename) {
        return `${this.environment.base}filesharing/${encodeURIComponent(this.room)}/${encodeURIComponent(session)}/`
            + encodeURIComponent(filename);
    }

    /** spec §4.10.5: uploads a File (or Blob with a name); every member, us included, gets a file-sharing event. */
    async share(file) {
        const response = await this.environment.fetch(this.fileUrl(this.id, file.name), {method: 'POST', body: file,
            headers: {'Content-Type': file.type || 'application/octet-stream'}});
        if (!response.ok) {
            const reason = (await response.text()).trim();
            throw new Error(`${file.name} not shared: ${response.status}${reason ? ' ' + reason : ''}`);
        }
    }

    /**
     * A videoroom-event for this session. Events are applied one after the other: a feed's offer must find the
     * participant its attach created, and the end of the session must find every feed.
     */
    handle(event) {
        return this.events.run(() => this.apply(event));
    }

    async apply(event) {
        switch (event.event) {
        case 'session-state':
            await this.stateChanged(event);
            break;
        case 'initial-publishers':
        case 'publishers-joined':
            for (const publisher of event.publishers) {
                try {
                    await this.attach(publisher);
                } catch (error) {
                    // one feed refused must not keep the others from being attached
                    this.listener.onLog(`error: ${error.message}`);
                }
            }
            break;
        case 'publishers-left':
            for (const id of event.publishers) {
                await this.detach(id);
            }
            break;
        case 'feed-attached':
            await this.feedOffered(event);
            break;
        case 'feed-established':
            this.feedEstablished(event.feed);
            break;
        case 'message':
            this.listener.onMessage(event);
            break;
        case 'message-delivery':
            this.listener.onDelivery(event);
            break;
        case 'file-sharing':
            this.listener.onFiles(event.files);
            break;
        case 'conference-audio-levels':
        case 'composing-indication':
            // up to twice a second each: nothing the page shows
            break;
        default:
            this.listener.onLog(`room event ${event.event}`);
        }
    }

    async stateChanged(event) {
        if (this.state === 'terminated') {
            return;
        }
        this.state = event.state;
        if (event.state === 'accepted' && event.sdp && this.peer.signalingState === 'have-local-offer') {
            await this.peer.setRemoteDescription({type: 'answer', sdp: event.sdp});
        }
        if (event.state === 'terminated') {
            // the server drops our feeds with the session
            this.peer.close();
            for (const participant of this.participants.values()) {
                participant.peer.close();
                this.listener.onParticipantLeft(participant);
            }
            this.participants.clear();
        }
        this.listener.onState(event.state, event.reason || '');
    }

    /** spec §4.6.4: a receive-only connection for the publisher's feed; the server's offer comes as feed-attached. */
    async attach(publisher) {
        if (this.participants.has(publisher.id) || this.state === 'terminated') {
            return;
        }
        const feed = crypto.randomUUID();
        const peer = this.environment.newPeer();
        const participant = {id: publisher.id, uri: publisher.uri, displayName: publisher.display_name || '', feed,
            peer, state: 'attaching', trickle: new CandidateTrickle(this.connection, 'videoroom-session-trickle', feed,
                this.listener.onLog)};
        peer.onicecandidate = event => participant.trickle.found(event.candidate);
        peer.ontrack = event => this.listener.onParticipantMedia(participant,
            event.streams[0] || new MediaStream([event.track]));
        this.participants.set(publisher.id, participant);
        this.listener.onParticipantJoined(participant);
        try {
            await this.connection.request('videoroom-feed-attach', {session: this.id, publisher: publisher.id, feed});
        } catch (error) {
            this.forget(participant);
            throw new Error(`the feed of ${publisher.display_name || publisher.uri}: ${error.message}`);
        }
    }

    async feedOffered(event) {
        const participant = this.byFeed(event.feed);
        if (participant === undefined) {
            this.listener.onLog(`offer of an unknown feed ${event.feed}`);
            return;
        }
        await participant.peer.setRemoteDescription({type: 'offer', sdp: event.sdp});
        await participant.peer.setLocalDescription(await participant.peer.createAnswer());
        await this.connection.request('videoroom-feed-answer', {session: this.id, feed: participant.feed,
            sdp: participant.peer.localDescription.sdp});
        participant.trickle.serverKnows();
    }

    feedEstablished(feed) {
        const participant = this.byFeed(feed);
        if (participant !== undefined) {
            participant.state = 'established';
        }
    }

    /** spec §4.6.3: a publisher left; its feed goes (videoroom-feed-detach) with its tile. */
    async detach(id) {
        const participant = this.participants.get(id);
        if (participant === undefined) {
            return;
        }
        this.forget(participant);
        await this.connection.request('videoroom-feed-detach', {session: this.id, feed: participant.feed});
    }

    forget(participant) {
        this.participants.delete(participant.id);
        participant.peer.close();
        this.listener.onParticipantLeft(participant);
    }

    byFeed(feed) {
        return [...this.participants.values()].find(participant => participant.feed === feed);
    }
}

if (typeof module !== 'undefined') {
    module.exports = {CallSession, RoomSession};
}

if (typeof document !== 'undefined') (function page() {
    const $ = id => document.getElementById(id);
    const log = text => {
        const line = `${new Date().toLocaleTimeString()} ${text}\n`;
        $('log').textContent += line;
        $('log').scrollTop = $('log').scrollHeight;
    };
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const base = location.pathname.replace(/[^/]*$/, '');
    let connection = null;
    let account = null;
    /** The one call the page shows (the page is a smoke test: one call at a time). */
    let call = null;
    /** The incoming-session event waiting for Answer or Decline. */
    let ringing = null;
    /** The one video room the page is in, and the camera and microphone it publishes there. */
    let room = null;
    let roomMedia = null;
    // for the end-to-end tests and the curious: the current call and room, and their RTCPeerConnections
    window.gatewayPage = {get call() { return call; }, get room() { return room; }};

    function showCall() {
        const active = call !== null;
        $('call').disabled = active || account === null;
        $('hangup').disabled = !active;
        $('update').disabled = !active;
        document.querySelectorAll('#keypad button').forEach(button => { button.disabled = !active; });
        $('incoming').hidden = ringing === null;
    }

    function newCall(id) {
        const peer = new RTCPeerConnection();
        return new CallSession(connection, account, id, peer, {
            onState(state, detail) {
                $('call-state').textContent = state + (detail ? ` (${detail})` : '');
                log(`call: ${state}${detail ? ' ' + detail : ''}`);
                if (state === 'terminated') {
                    call = null;
                    showCall();
                }
            },
            onRemoteTrack(event) {
                $('remote').srcObject = event.streams[0] || new MediaStream([event.track]);
            },
            onLog: log,
        });
    }

    function media() {
        return navigator.mediaDevices.getUserMedia({audio: true, video: $('video').checked});
    }

    function showRoom() {
        const joined = room !== null;
        $('join').disabled = joined;
        $('leave').disabled = !joined;
        ['chat-text', 'chat-send', 'share-file', 'share'].forEach(id => { $(id).disabled = !joined; });
    }

    const displayed = participant => participant.displayName || participant.uri;

    /** A video tile: the participant's video (or our own camera, muted) with their name under it. */
    function addTile(key, name, stream) {
        const tile = document.createElement('figure');
        tile.className = key === null ? 'tile self' : 'tile';
        if (key !== null) {
            tile.dataset.publisher = key;
        }
        const video = document.createElement('video');
        video.autoplay = true;
        video.playsInline = true;
        video.muted = key === null;
        video.srcObject = stream;
        const caption = document.createElement('figcaption');
        caption.textContent = name;
        tile.append(video, caption);
        $('tiles').append(tile);
    }

    const tileOf = participant => [...$('tiles').children].find(tile => tile.dataset.publisher === participant.id);

    /** A line of the room's chat; text only, whatever the content type (a text/html message is not rendered). */
    function chatLine(text, className) {
        const line = document.createElement('div');
        line.textContent = text;
        if (className) {
            line.className = className;
        }
        $('chat-log').append(line);
        $('chat-log').scrollTop = $('chat-log').scrollHeight;
        return line;
    }

    function roomEnded() {
        roomMedia.getTracks().forEach(track => track.stop());
        roomMedia = null;
        room = null;
        $('tiles').replaceChildren();
        showRoom();
    }

    function newRoom(uri, id) {
        return new RoomSession(connection, account, uri, id, {newPeer: () => new RTCPeerConnection(),
            fetch: (...args) => fetch(...args), base}, {
            onState(state, detail) {
                $('room-state').textContent = state + (detail ? ` (${detail})` : '');
                log(`room ${uri}: ${state}${detail ? ' ' + detail : ''}`);
                if (state === 'terminated') {
                    roomEnded();
                }
            },
            onParticipantJoined(participant) {
                addTile(participant.id, displayed(participant), null);
                log(`${displayed(participant)} <${participant.uri}> is in the room`);
            },
            onParticipantMedia(participant, stream) {
                const tile = tileOf(participant);
                if (tile) {
                    tile.querySelector('video').srcObject = stream;
                }
            },
            onParticipantLeft(participant) {
                const tile = tileOf(participant);
                if (tile) {
                    tile.remove();
                }
                log(`${displayed(participant)} left the room`);
            },
            onMessage(event) {
                const sender = event.sender.display_name || event.sender.uri;
                const type = event.content_type || '';
                const content = type.startsWith('text/') ? event.content : `(${type})`;
                chatLine(event.type === 'status' ? content : `${sender}: ${content}`,
                    event.type === 'status' ? 'status' : '');
            },
            onDelivery(event) {
                if (!event.delivered) {
                    const line = [...$('chat-log').children].find(l => l.dataset.message === event.message_id);
                    if (line) {
                        line.className = 'failed';
                        line.textContent += ` (not delivered: ${event.code} ${event.reason})`;
                    }
                    log(`error: message not delivered: ${event.code} ${event.reason}`);
                }
            },
            onFiles(files) {
                files.forEach(file => {
                    const item = document.createElement('li');
                    const link = document.createElement('a');
                    link.href = room.fileUrl(file.session, file.filename);
                    link.download = file.filename;
                    link.textContent = file.filename;
                    const uploader = file.uploader.display_name || file.uploader.uri;
                    item.append(link, ` (${file.filesize} bytes, from ${uploader})`);
                    $('files').append(item);
                });
            },
            onLog: log,
        });
    }

    function onEvent(event) {
        if (event.sylkrtc === 'account-event' && event.event === 'registration-state') {
            $('state').textContent = event.state + (event.reason ? ` (${event.reason})` : '');
            log(`${event.account}: ${event.state}${event.reason ? ' ' + event.reason : ''}`);
            $('unregister').disabled = event.state !== 'registered';
        } else if (event.sylkrtc === 'account-event' && event.event === 'incoming-session') {
            if (call !== null || ringing !== null) {
                // busy: one call at a time
                connection.request('session-terminate', {session: event.session}).catch(() => {});
                return;
            }
            ringing = event;
            const from = event.originator;
            $('caller').textContent = from.display_name ? `${from.display_name} <${from.uri}>` : from.uri;
            log(`incoming call from ${from.uri}`);
            showCall();
        } else if (event.sylkrtc === 'account-event' && event.event === 'missed-session') {
            log(`missed call from ${event.originator.uri}`);
            ringing = null;
            showCall();
        } else if (event.sylkrtc === 'session-event' && call !== null && event.session === call.id) {
            call.handle(event).catch(error => log(`error: ${error.message}`));
        } else if (event.sylkrtc === 'videoroom-event' && room !== null && event.session === room.id) {
            room.handle(event).catch(error => log(`error: ${error.message}`));
        } else if (event.sylkrtc === 'session-event' && ringing !== null && event.session === ringing.session) {
            if (event.event === 'state' && event.state === 'terminated') {
                ringing = null;
                showCall();
            }
        } else {
            log(`event ${event.sylkrtc}${event.event ? ' ' + event.event : ''}`);
        }
    }

    async function connect() {
        if (connection === null) {
            connection = new SylkRtcConnection(`${scheme}//${location.host}${base}ws`, onEvent, closed);
        }
        await connection.ready;
        return connection;
    }

    /** The server forgets the connection's accounts and sessions with it. */
    function closed(description) {
        log(description);
        connection = null;
        account = null;
        if (call !== null) {
            call.peer.close();
            call = null;
            $('call-state').textContent = 'no call';
        }
        if (room !== null) {
            room.peer.close();
            room.participants.forEach(participant => participant.peer.close());
            roomEnded();
            $('room-state').textContent = 'not in a room';
        }
        $('state').textContent = 'not registered';
        $('unregister').disabled = true;
        showCall();
    }

    /** The account typed in the form, added to the connection (account-add) unless it is; null when none is typed. */
    async function addedAccount() {
        const aor = $('account').value.trim().replace(/^sips?:/, '');
        const at = aor.indexOf('@');
        if (at < 1) {
            log('enter a SIP address such as alice@example.com');
            return null;
        }
        const sylk = await connect();
        if (account !== null && account !== aor) {
            await sylk.request('account-remove', {account});
            account = null;
        }
        if (account === null) {
            // the password goes to the server as the digest HA1: MD5(user:domain:password)
            const ha1 = md5Hex(`${aor.slice(0, at)}:${aor.slice(at + 1)}:${$('password').value}`);
            const name = $('display-name').value.trim();
            await sylk.request('account-add', {account: aor, password: ha1, user_agent: 'SylkServer gateway page',
                ...(name ? {display_name: name} : {})});
            account = aor;
            showCall();
        }
        return account;
    }

    async function act(what) {
        try {
            await what();
        } catch (error) {
            log(`error: ${error.message}`);
        }
    }

    $('register').addEventListener('click', () => act(async () => {
        if (await addedAccount() === null) {
            return;
        }
        await connection.request('account-register', {account});
        log(`registering ${account}`);
    }));

    $('unregister').addEventListener('click', () => act(async () => {
        await (await connect()).request('account-unregister', {account});
        $('state').textContent = 'not registered';
        $('unregister').disabled = true;
        log(`${account}: unregistered`);
    }));

    $('call').addEventListener('click', () => act(async () => {
        const uri = $('target').value.trim().replace(/^sips?:/, '');
        if (!uri) {
            log('enter the SIP address to call');
            return;
        }
        const stream = await media();
        call = newCall(crypto.randomUUID());
        showCall();
        try {
            await call.call(uri, stream);
        } catch (error) {
            call.peer.close();
            call = null;
            showCall();
            throw error;
        }
    }));

    $('answer').addEventListener('click', () => act(async () => {
        const offer = ringing;
        ringing = null;
        const stream = await media();
        call = newCall(offer.session);
        showCall();
        await call.answer(offer.sdp, stream);
    }));

    $('decline').addEventListener('click', () => act(async () => {
        const offer = ringing;
        ringing = null;
        showCall();
        await connection.request('session-terminate', {session: offer.session});
    }));

    $('join').addEventListener('click', () => act(async () => {
        const uri = $('room').value.trim().replace(/^sips?:/, '');
        if (uri.indexOf('@') < 1) {
            log('enter a room address such as room1@videoconference.example.com');
            return;
        }
        if (await addedAccount() === null) {
            return;
        }
        $('join').disabled = true; // a second click while the camera is asked for would make a second room
        try {
            roomMedia = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
        } finally {
            $('join').disabled = room !== null;
        }
        const joining = newRoom(uri, crypto.randomUUID());
        room = joining;
        $('chat-log').replaceChildren();
        $('files').replaceChildren();
        addTile(null, `${$('display-name').value.trim() || account} (you)`, roomMedia);
        showRoom();
        try {
            await joining.join(roomMedia);
        } catch (error) {
            // refused (the room's access list, no usable media...): no session-state follows
            if (room === joining) {
                joining.peer.close();
                roomEnded();
            }
            $('room-state').textContent = `not joined (${error.message})`;
            throw error;
        }
    }));

    $('leave').addEventListener('click', () => act(() => room.leave()));

    $('chat').addEventListener('submit', event => {
        event.preventDefault();
        act(async () => {
            const text = $('chat-text').value;
            if (!text.trim()) {
                return;
            }
            const id = await room.sendMessage(text);
            chatLine(`${$('display-name').value.trim() || account} (you): ${text}`, '').dataset.message = id;
            $('chat-text').value = '';
        });
    });

    $('share').addEventListener('click', () => act(async () => {
        const file = $('share-file').files[0];
        if (!file) {
            log('choose a file to share');
            return;
        }
        await room.share(file);
        log(`shared ${file.name}`);
        $('share-file').value = '';
    }));

    $('hangup').addEventListener('click', () => act(() => call.hangUp()));
    $('update').addEventListener('click', () => act(() => call.update()));
    document.querySelectorAll('#keypad button').forEach(button => {
        button.addEventListener('click', () => act(() => call.dtmf(button.textContent)));
    });
    showCall();
    showRoom();
})();
